// Passkeys end to end, with a software authenticator (tests/support/passkeys.mjs: a P-256 key from
// node:crypto, an attestation object of format "none" in CBOR, signed assertions): registration, sign-in without
// a password and as the second factor after one, a challenge that serves once, the origin, the
// sign counter, step-up before changing the factors, another person's passkey, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawnApp, uniqueEmail, answeredByWorker } from '../support/app.mjs';
import { signedUp, sql, quote } from '../support/orgs.mjs';
import { SoftPasskey, b64, UP } from '../support/passkeys.mjs';
import { runJobs, countsOf } from '../support/jobs.mjs';

const MINUTE = 60 * 1000;
const PASSKEYS = '/api/me/passkeys';
const SIGN_IN = '/api/session/passkey';
const STEP_UP = '/api/session/step-up';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

let hosts = 0;
/** Each test signs in from its own address: failed sign-ins count per IP. */
const freshClient = () => { hosts += 1; return app.client({ ip: `198.51.100.${hosts}` }); };

/** A signed-up account with one passkey registered: {client, email, password, user, passkey, registered}. */
async function withPasskey() {
  const account = await signedUp(app, { email: uniqueEmail('passkey') });
  const passkey = new SoftPasskey(app.baseUrl);
  const options = await account.client.passkeyCreationOptions();
  assert.equal(options.status, 200, options.text);
  const registered = await account.client.addPasskey({ credential: passkey.create(options.body), name: 'Mon téléphone' });
  assert.equal(registered.status, 201, registered.text);
  return { ...account, passkey, registered: registered.body };
}

/** Signs in with the passkey alone, from a fresh client. */
async function passkeySignIn(passkey, assertionOptions = {}, client = freshClient()) {
  const options = await client.passkeySignInOptions();
  assert.equal(options.status, 200, options.text);
  const res = await client.passkeySignIn({ credential: passkey.get(options.body, assertionOptions) });
  return { client, res, options: options.body };
}

test('creation options ask for a resident ES256 key with user verification and no attestation, for a random user handle', async () => {
  const account = await signedUp(app, { email: uniqueEmail('options') });
  const res = await account.client.passkeyCreationOptions();
  assert.equal(res.status, 200, res.text);
  const options = res.body;
  assert.equal(options.rp.id, '127.0.0.1', 'the relying party is the host the request was made to');
  assert.equal(Buffer.from(options.challenge, 'base64url').length, 32);
  assert.notEqual(options.user.id, account.user.id, 'the user handle is not the account id');
  assert.equal(Buffer.from(options.user.id, 'base64url').length, 16);
  assert.equal(options.user.name, account.email);
  assert.deepEqual(options.pubKeyCredParams, [{ type: 'public-key', alg: -7 }]);
  assert.deepEqual(options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
  assert.equal(options.attestation, 'none');
  assert.deepEqual(options.excludeCredentials, []);
  const [stored] = await sql(app, `SELECT purpose, expires_at - created_at AS lifetime FROM passkey_challenges WHERE challenge = ${quote(options.challenge)}`);
  assert.deepEqual({ ...stored }, { purpose: 'register', lifetime: 5 * MINUTE });
});

test('a registered passkey is listed, counts as the first factor with its recovery codes, and is audited', async () => {
  const { client, user, registered, passkey } = await withPasskey();
  assert.equal(registered.name, 'Mon téléphone');
  assert.equal(registered.recovery_codes.length, 10, 'the first factor comes with its recovery codes');
  assert.equal(registered.last_used_at, null);

  const listed = await client.passkeys();
  assert.deepEqual(listed.body.items, [{ id: registered.id, name: 'Mon téléphone', created_at: registered.created_at, last_used_at: null }]);
  const mfa = await client.mfa();
  assert.deepEqual(mfa.body, { totp: { enabled: false }, passkeys: 1, recovery_codes_left: 10, required: false });
  const [event] = await sql(app, `SELECT details FROM audit_events WHERE action = 'mfa.passkey_added' AND user_id = ${quote(user.id)}`);
  assert.deepEqual(JSON.parse(event.details), { passkey_id: registered.id });

  const again = await client.passkeyCreationOptions();
  assert.deepEqual(again.body.excludeCredentials, [{ type: 'public-key', id: b64(passkey.credentialId) }]);
  assert.equal(again.body.user.id, passkey.userHandle, 'one handle for all of an account\'s passkeys');
  const second = await client.addPasskey({ credential: new SoftPasskey(app.baseUrl).create(again.body), name: 'Clé USB' });
  assert.equal(second.status, 201, `creating it just proved the factor: no step-up yet: ${second.text}`);
  assert.equal(second.body.recovery_codes, undefined, 'codes come only with the first factor');
  assert.equal((await client.mfa()).body.passkeys, 2);
});

test('a passkey signs in without a password: a session with its factor proven, the counter recorded', async () => {
  const { email, passkey, registered } = await withPasskey();
  const { client, res, options } = await passkeySignIn(passkey);
  assert.deepEqual(options.allowCredentials, [], 'discoverable: the authenticator offers what it holds');
  assert.equal(options.userVerification, 'required');
  assert.equal(options.rpId, '127.0.0.1');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.email, email);
  assert.match(res.headers.get('set-cookie'), /__Host-sel_session=/);
  assert.equal((await client.me()).status, 200);
  const [row] = await sql(app, `SELECT sign_count, last_used_at FROM passkeys WHERE id = ${quote(registered.id)}`);
  assert.equal(row.sign_count, 1);
  assert.ok(row.last_used_at > 0);
  const added = await client.passkeyCreationOptions();
  assert.equal(added.status, 200, 'the passkey proved the factor: no step-up right after');
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.succeeded'
    AND details = '{"method":"passkey"}' AND user_id = (SELECT user_id FROM passkeys WHERE id = ${quote(registered.id)})`);
  assert.equal(n, 1, 'the sign-in is audited with its method');
});

test('after the password, the challenge offers the passkey and an assertion for it completes the sign-in', async () => {
  const { email, password, passkey } = await withPasskey();
  const client = freshClient();
  const challenged = await client.post('/api/session', { email, password });
  assert.equal(challenged.status, 202, challenged.text);
  assert.deepEqual(challenged.body.methods, ['passkey', 'recovery_code']);
  const options = await client.passkeyChallengeOptions({ challenge_id: challenged.body.challenge_id });
  assert.equal(options.status, 200, options.text);
  assert.deepEqual(options.body.allowCredentials, [{ type: 'public-key', id: b64(passkey.credentialId) }]);

  const signedIn = await client.answerChallenge({ challenge_id: challenged.body.challenge_id, credential: passkey.get(options.body) });
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.equal(signedIn.body.email, email);
  assert.equal((await client.me()).status, 200);
});

test('a wrong passkey answer to the sign-in challenge spends one of its five tries', async () => {
  const { email, password, passkey } = await withPasskey();
  const client = freshClient();
  const challenged = await client.post('/api/session', { email, password });
  const options = await client.passkeyChallengeOptions({ challenge_id: challenged.body.challenge_id });
  const wrong = await client.answerChallenge({
    challenge_id: challenged.body.challenge_id,
    credential: passkey.get(options.body, { origin: 'https://evil.example' }),
  });
  assert.equal(wrong.status, 422, wrong.text);
  assert.equal(wrong.body.error.code, 'invalid_code');
  assert.equal(wrong.body.error.attempts_left, 4);
  assert.equal((await client.me()).status, 401);
});

test('a challenge serves once: a replayed assertion or registration is refused', async () => {
  const { passkey, client: owner } = await withPasskey();
  const client = freshClient();
  const options = await client.passkeySignInOptions();
  const assertion = passkey.get(options.body);
  assert.equal((await client.passkeySignIn({ credential: assertion })).status, 200);
  const replayed = await freshClient().passkeySignIn({ credential: assertion });
  assert.equal(replayed.status, 422, replayed.text);
  assert.equal(replayed.body.error.code, 'passkey_rejected');

  const creation = await owner.passkeyCreationOptions();
  const credential = new SoftPasskey(app.baseUrl).create(creation.body);
  assert.equal((await owner.addPasskey({ credential, name: 'Une' })).status, 201);
  const again = await owner.addPasskey({ credential, name: 'Deux' });
  assert.equal(again.status, 422, again.text);
  assert.equal(again.body.error.code, 'passkey_rejected');
});

test('an answer made for another origin, or without user verification, is refused and spends its challenge', async () => {
  const { passkey } = await withPasskey();
  const client = freshClient();
  for (const [why, options] of [['another origin', { origin: 'https://evil.example' }], ['user not verified', { flags: UP }]]) {
    const offered = await client.passkeySignInOptions();
    const res = await client.passkeySignIn({ credential: passkey.get(offered.body, options) });
    assert.equal(res.status, 422, `${why}: ${res.text}`);
    assert.equal(res.body.error.code, 'passkey_rejected', why);
    const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM passkey_challenges WHERE challenge = ${quote(offered.body.challenge)}`);
    assert.equal(n, 0, `${why}: the challenge is spent`);
  }
  assert.equal((await client.me()).status, 401);
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.failed' AND ip = ${quote(client.ip)}`);
  assert.equal(n, 2, 'each refusal is audited');
});

test('a sign counter that does not grow is refused as a cloned authenticator', async () => {
  const { passkey } = await withPasskey();
  assert.equal((await passkeySignIn(passkey, { counter: 5 })).res.status, 200);
  for (const counter of [5, 3]) {
    const { res } = await passkeySignIn(passkey, { counter });
    assert.equal(res.status, 422, `counter ${counter} after 5: ${res.text}`);
    assert.equal(res.body.error.code, 'passkey_rejected');
  }
  assert.equal((await passkeySignIn(passkey, { counter: 6 })).res.status, 200);
});

test('a signature by another key is refused', async () => {
  const { passkey } = await withPasskey();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { res } = await passkeySignIn(passkey, { key: privateKey });
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error.code, 'passkey_rejected');
});

test('adding or removing a passkey needs a factor proven in the last ten minutes, and a passkey can prove it', async () => {
  const { client, passkey, registered, user } = await withPasskey();
  client.autoStepUp = false;
  await app.advanceClock(11 * MINUTE);
  for (const [what, send] of [
    ['creation options', () => client.passkeyCreationOptions()],
    ['removal', () => client.removePasskey(registered.id)],
    ['adding an authenticator app', () => client.startTotp()],
  ]) {
    const res = await send();
    assert.equal(res.status, 403, `${what}: ${res.text}`);
    assert.equal(res.body.error.code, 'step_up_required', what);
  }
  const renamed = await client.renamePasskey(registered.id, { name: '  Ordinateur  ' });
  assert.equal(renamed.status, 204, `renaming changes no factor: ${renamed.text}`);
  assert.equal((await client.passkeys()).body.items[0].name, 'Ordinateur');

  const options = await client.passkeyStepUpOptions();
  assert.equal(options.status, 200, options.text);
  assert.deepEqual(options.body.allowCredentials, [{ type: 'public-key', id: b64(passkey.credentialId) }]);
  const steppedUp = await client.stepUp({ credential: passkey.get(options.body) });
  assert.equal(steppedUp.status, 204, steppedUp.text);

  const removed = await client.removePasskey(registered.id);
  assert.equal(removed.status, 204, removed.text);
  assert.deepEqual((await client.mfa()).body, { totp: { enabled: false }, passkeys: 0, recovery_codes_left: 0, required: false },
    'the recovery codes go with the last factor');
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'mfa.passkey_removed' AND user_id = ${quote(user.id)}`);
  assert.equal(n, 1);
  const { res } = await passkeySignIn(passkey);
  assert.equal(res.status, 422, 'a removed passkey signs in no more');
});

test('another person\'s passkey answers 404 to renaming and removal', async () => {
  const owner = await withPasskey();
  const other = await signedUp(app, { email: uniqueEmail('other') });
  const path = `${PASSKEYS}/${owner.registered.id}`;
  const renamed = await other.client.request('PATCH', path, { json: { name: 'À moi' } });
  assert.equal(renamed.status, 404, renamed.text);
  const removed = await other.client.request('DELETE', path);
  assert.equal(removed.status, 404, removed.text);
  assert.equal((await owner.client.passkeys()).body.items[0].name, 'Mon téléphone');
  assert.equal((await other.client.removePasskey('nope')).status, 404);
});

test('the passkey routes answer 401 without a session', async () => {
  const client = freshClient();
  for (const [method, path] of [['GET', PASSKEYS], ['POST', PASSKEYS], ['POST', `${PASSKEYS}/options`], ['PATCH', `${PASSKEYS}/x`], ['DELETE', `${PASSKEYS}/x`], ['POST', `${STEP_UP}/passkey/options`]]) {
    const res = await client.request(method, path, method === 'GET' ? {} : { json: {} });
    assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
  }
});

test('bad credentials and names are refused with 4xx field errors, never a 500', async () => {
  const { client, passkey } = await withPasskey();
  const good = passkey.get({ challenge: 'AAAA', rpId: '127.0.0.1' });
  const cases = [
    ['no credential', {}],
    ['a credential that is a string', { credential: 'abc' }],
    ['a credential of another type', { credential: { ...good, type: 'password' } }],
    ['client data that is not base64url', { credential: { ...good, response: { ...good.response, clientDataJSON: '%%%' } } }],
    ['client data that is not JSON', { credential: { ...good, response: { ...good.response, clientDataJSON: b64('nope') } } }],
    ['no authenticator data', { credential: { ...good, response: { ...good.response, authenticatorData: undefined } } }],
    ['an oversized signature', { credential: { ...good, response: { ...good.response, signature: 'A'.repeat(5000) } } }],
    ['an empty raw id', { credential: { ...good, rawId: '' } }],
  ];
  for (const [why, body] of cases) {
    for (const path of [SIGN_IN, '/api/session/mfa']) {
      const res = await freshClient().post(path, path === SIGN_IN ? body : { challenge_id: 'x', ...body });
      assert.equal(res.status, 422, `${path}, ${why}: ${res.text}`);
      const field = path === SIGN_IN || body.credential ? 'credential' : 'code';
      assert.ok(res.body.error.fields?.[field], `${path}, ${why}: ${res.text}`);
    }
  }
  const both = await freshClient().answerChallenge({ challenge_id: 'x', code: '123456', credential: good });
  assert.equal(both.status, 422, 'one proof at a time');

  const creation = await client.passkeyCreationOptions();
  const credential = new SoftPasskey(app.baseUrl).create(creation.body);
  for (const [why, name] of [['an empty name', '   '], ['a name of 61 characters', 'a'.repeat(61)], ['a control character', 'a\u0007b'], ['a number', 12]]) {
    const res = await client.addPasskey({ credential, name });
    assert.equal(res.status, 422, `${why}: ${res.text}`);
    assert.ok(res.body.error.fields.name, why);
  }
  const rs256 = await client.passkeyCreationOptions();
  const refused = await client.addPasskey({ credential: new SoftPasskey(app.baseUrl).create(rs256.body, { alg: -257 }), name: 'RSA' });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.body.error.code, 'passkey_rejected', 'only ES256 keys');
  const malformed = await client.request('POST', PASSKEYS, { body: '{', headers: { 'content-type': 'application/json' } });
  assert.equal(malformed.status, 400);
  const unknownChallenge = await client.passkeyChallengeOptions({ challenge_id: 'unknown' });
  assert.equal(unknownChallenge.status, 404, unknownChallenge.text);
});

test('a burst of 40 wrong passkey sign-ins from one address evaluates no more than its sign-in budget', async () => {
  const { passkey } = await withPasskey();
  const ip = '192.0.2.77';
  const client = app.client({ ip });
  const options = await client.passkeySignInOptions();
  const wrong = passkey.get(options.body, { origin: 'https://evil.example' });
  const answers = answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => client.passkeySignIn({ credential: wrong }))));
  assert.ok(answers.some((res) => res.status === 429), 'the address is throttled within the burst');
  for (const res of answers) assert.ok([422, 429].includes(res.status), res.text);
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.failed' AND ip = ${quote(ip)}`);
  assert.ok(n <= 21, `at most the 20 free failures (and one after its wait) are evaluated, not ${n}`);
});

test('a burst of sign-in challenges from one address stores no more than its budget of 60', async () => {
  const ip = '192.0.2.88';
  const client = app.client({ ip });
  const [{ before }] = await sql(app, 'SELECT COUNT(*) AS before FROM passkey_challenges');
  const answers = [];
  for (let burst = 0; burst < 2; burst += 1) {
    answers.push(...answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => client.passkeySignInOptions()))));
  }
  assert.ok(answers.some((res) => res.status === 429), 'the address waits within the bursts');
  for (const res of answers) assert.ok([200, 429].includes(res.status), res.text);
  const [{ after }] = await sql(app, 'SELECT COUNT(*) AS after FROM passkey_challenges');
  assert.ok(after - before <= 61, `at most the 60 free challenges (and one after its wait) are stored, not ${after - before}`);
});

test('the cleanup job purges passkey challenges a day after they expired', async () => {
  const options = await freshClient().passkeySignInOptions();
  assert.equal(options.status, 200, options.text);
  await app.advanceClock(24 * 60 * MINUTE + 10 * MINUTE);
  const runs = await runJobs(app);
  assert.ok(countsOf(runs, 'cleanup').passkey_challenges >= 1, JSON.stringify(countsOf(runs, 'cleanup')));
  assert.deepEqual(await sql(app, `SELECT challenge FROM passkey_challenges WHERE challenge = ${quote(options.body.challenge)}`), []);
});
