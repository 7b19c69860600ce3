// The second factor end to end: TOTP enrolment (a pending secret, confirmed by a first code, never
// shown again, stored sealed), recovery codes (ten, single use, regenerated), sign-in through a
// challenge (5 tries reserved before comparing, 5 minutes), the replay of a code, and the policy
// that firm profiles, responsibles and administrators need a factor, and step-up before sensitive
// actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, answeredByWorker } from '../support/app.mjs';
import { tokenBody } from '../support/tokens.mjs';
import { runJobs, countsOf } from '../support/jobs.mjs';
import { FACTORS, enrolTotp, stepOf, totpCode, workerClock } from '../support/client.mjs';
import { createOrganisation, link, signedUp, sql, quote, badInputCases, sendCase, assertRejected, cookieOf, linkedResponsible } from '../support/orgs.mjs';

const MINUTE = 60 * 1000;
const MFA = '/api/me/mfa';
const TOTP = '/api/me/mfa/totp';
const CONFIRM = '/api/me/mfa/totp/confirm';
const RECOVERY = '/api/me/mfa/recovery-codes';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

let hosts = 0;
/** Each test signs in from its own address: failed sign-ins also count per IP. */
const freshClient = () => { hosts += 1; return app.client({ ip: `203.0.113.${hosts}` }); };

/** A signed-up, signed-in account with TOTP enrolled: {client, email, password, secret, recoveryCodes, factor}. */
async function enrolled() {
  const account = await signedUp(app, { email: uniqueEmail('mfa') });
  const { secret, recoveryCodes, factor } = await enrolTotp(account.client);
  return { ...account, secret, recoveryCodes, factor };
}

/** Signs in with the password only: the 202 challenge of an account with a factor. */
async function challenge(account, client = freshClient()) {
  const res = await client.post('/api/session', { email: account.email, password: account.password });
  assert.equal(res.status, 202, res.text);
  return { client, challengeId: res.body.challenge_id, res };
}

/** The code of the next step the account may still use (a step serves once). */
async function nextCode(account) {
  const step = Math.max(stepOf(await workerClock(app.baseUrl)), account.factor.lastStep + 1);
  account.factor.lastStep = step;
  return totpCode(account.secret, step);
}

test('enrolling TOTP gives a base-32 secret and its otpauth URI, pending until a first code confirms it', async () => {
  const account = await signedUp(app, { email: uniqueEmail('enrol') });
  assert.deepEqual((await account.client.mfa()).body, { totp: { enabled: false }, passkeys: 0, recovery_codes_left: 0, required: false });

  const started = await account.client.startTotp();
  assert.equal(started.status, 201, started.text);
  assert.match(started.body.secret, /^[A-Z2-7]{32}$/, '160 bits in base 32');
  assert.equal(started.body.otpauth_uri,
    `otpauth://totp/SEL%3A${encodeURIComponent(account.email)}?secret=${started.body.secret}&issuer=SEL&algorithm=SHA1&digits=6&period=30`);
  assert.equal((await account.client.mfa()).body.totp.enabled, false, 'pending is not enabled');
  const [stored] = await sql(app, `SELECT sealed_secret, confirmed_at FROM totp_factors WHERE user_id = ${quote(account.user.id)}`);
  assert.equal(stored.confirmed_at, null);
  assert.match(stored.sealed_secret, /^v1\./, 'sealed at rest');
  assert.ok(!stored.sealed_secret.includes(started.body.secret), 'the secret is not readable in the table');

  const step = stepOf(await workerClock(app.baseUrl));
  const wrong = await account.client.confirmTotp({ code: totpCode(started.body.secret, step + 5) });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.body.error.code, 'invalid_code');

  const confirmed = await account.client.confirmTotp({ code: totpCode(started.body.secret, step) });
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.equal(confirmed.body.recovery_codes.length, 10);
  for (const code of confirmed.body.recovery_codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  assert.equal(new Set(confirmed.body.recovery_codes).size, 10);
  assert.deepEqual((await account.client.mfa()).body, { totp: { enabled: true }, passkeys: 0, recovery_codes_left: 10, required: false });

  const again = await account.client.startTotp();
  assert.equal(again.status, 409, 'the secret is never handed out again once enabled');
  assert.equal(again.body.error.code, 'totp_already_enabled');
  assert.ok(!JSON.stringify((await account.client.mfa()).body).includes(started.body.secret));
  assert.equal((await account.client.confirmTotp({ code: totpCode(started.body.secret, step + 1) })).status, 409, 'nothing pending any more');
});

test('recovery codes are stored hashed and a new set replaces the old one', async () => {
  const account = await enrolled();
  const rows = await sql(app, `SELECT code_hash FROM recovery_codes WHERE user_id = ${quote(account.user.id)}`);
  assert.equal(rows.length, 10);
  for (const { code_hash } of rows) {
    assert.match(code_hash, /^[0-9a-f]{64}$/);
    assert.ok(!account.recoveryCodes.some((code) => code_hash.includes(code.replace('-', ''))));
  }
  const regenerated = await account.client.renewRecoveryCodes();
  assert.equal(regenerated.status, 200, regenerated.text);
  assert.equal(regenerated.body.recovery_codes.length, 10);
  assert.ok(regenerated.body.recovery_codes.every((code) => !account.recoveryCodes.includes(code)));

  const { client, challengeId } = await challenge(account);
  const old = await client.answerChallenge({ challenge_id: challengeId, recovery_code: account.recoveryCodes[0] });
  assert.equal(old.status, 422, 'the old codes died');
  const fresh = await client.answerChallenge({ challenge_id: challengeId, recovery_code: regenerated.body.recovery_codes[0].toLowerCase() });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal((await client.mfa()).body.recovery_codes_left, 9);

  const withoutFactor = await signedUp(app, { email: uniqueEmail('nofactor') });
  const refused = await withoutFactor.client.renewRecoveryCodes();
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'mfa_not_enabled');
});

test('an account with a factor signs in in two steps: 202 without a session, then the code sets the cookie', async () => {
  const account = await enrolled();
  const { client, res } = await challenge(account);
  assert.equal(res.body.mfa_required, true);
  assert.deepEqual(res.body.methods, ['totp', 'recovery_code']);
  assert.match(res.body.challenge_id, /^[0-9a-f]{32}$/);
  assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith('__Host-sel_session=')), 'no session yet');
  assert.equal((await client.me()).status, 401);

  const signedIn = await client.answerChallenge({ challenge_id: res.body.challenge_id, code: await nextCode(account) });
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.equal(signedIn.body.email, account.email);
  assert.equal(signedIn.body.next, 'link');
  assert.ok(signedIn.headers.getSetCookie().some((c) => c.startsWith('__Host-sel_session=')));
  assert.equal((await client.me()).status, 200);

  const reused = await client.answerChallenge({ challenge_id: res.body.challenge_id, code: await nextCode(account) });
  assert.equal(reused.status, 410, 'a challenge serves once');
  assert.equal(reused.body.error.code, 'mfa_challenge_used');
});

test('a TOTP code accepted once is refused the second time, even in a new challenge', async () => {
  const account = await enrolled();
  const code = await nextCode(account);
  const first = await challenge(account);
  assert.equal((await first.client.answerChallenge({ challenge_id: first.challengeId, code })).status, 200);

  const second = await challenge(account);
  const replay = await second.client.answerChallenge({ challenge_id: second.challengeId, code });
  assert.equal(replay.status, 422, replay.text);
  assert.equal(replay.body.error.code, 'invalid_code');
  assert.equal(replay.body.error.attempts_left, 4);
});

test('a recovery code serves once', async () => {
  const account = await enrolled();
  const [code] = account.recoveryCodes;
  const first = await challenge(account);
  assert.equal((await first.client.answerChallenge({ challenge_id: first.challengeId, recovery_code: code })).status, 200);
  const second = await challenge(account);
  const again = await second.client.answerChallenge({ challenge_id: second.challengeId, recovery_code: code });
  assert.equal(again.status, 422);
  assert.equal(again.body.error.code, 'invalid_code');
});

test('a burst of 40 concurrent wrong codes evaluates at most 5 and the challenge is then spent', async () => {
  const account = await enrolled();
  const { client, challengeId } = await challenge(account);
  const right = totpCode(account.secret, stepOf(await workerClock(app.baseUrl)));
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
  const sent = await Promise.all(Array.from({ length: 40 }, () => client.answerChallenge({ challenge_id: challengeId, code: wrong })));
  const answers = answeredByWorker(sent);
  const statuses = answers.map((a) => a.status);
  const evaluated = answers.filter((a) => a.status === 422);
  assert.ok(evaluated.length <= 5, `at most 5 evaluated: ${statuses}`);
  if (answers.length === sent.length) assert.equal(evaluated.length, 5, `every try up to the cap was evaluated: ${statuses}`);
  assert.ok(answers.filter((a) => a.status !== 422).every((a) => a.status === 410 && a.body.error.code === 'mfa_challenge_exhausted'), statuses.join());
  assert.equal(new Set(evaluated.map((a) => a.body.error.attempts_left)).size, evaluated.length, 'each evaluated try had its own slot');
  const [row] = await sql(app, `SELECT attempts FROM mfa_challenges WHERE id = ${quote(challengeId)}`);
  assert.equal(row.attempts, 5, 'the database counted 5 tries');
  const failures = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.factor_failed' AND user_id = ${quote(account.user.id)}`);
  assert.equal(failures[0].n, 5);

  const late = await client.answerChallenge({ challenge_id: challengeId, code: await nextCode(account) });
  assert.equal(late.status, 410, 'even the right code is refused now');
  assert.equal((await client.me()).status, 401);
});

test('a challenge lives five minutes', async () => {
  const account = await enrolled();
  const { client, challengeId } = await challenge(account);
  await app.advanceClock(5 * MINUTE + 1000);
  const expired = await client.answerChallenge({ challenge_id: challengeId, code: await nextCode(account) });
  assert.equal(expired.status, 410, expired.text);
  assert.equal(expired.body.error.code, 'mfa_challenge_expired');
  const unknown = await client.answerChallenge({ challenge_id: 'a'.repeat(32), code: '123456' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'mfa_challenge_not_found');
});

test('removing TOTP brings back sign-in with the password alone', async () => {
  const account = await enrolled();
  const removed = await account.client.removeTotp();
  assert.equal(removed.status, 204);
  assert.deepEqual((await account.client.mfa()).body, { totp: { enabled: false }, passkeys: 0, recovery_codes_left: 0, required: false });
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ${quote(account.user.id)}`);
  assert.equal(n, 0);
  FACTORS.delete(account.email);
  const res = await freshClient().logIn(account.email, account.password);
  assert.equal(res.status, 200);
  assert.equal((await account.client.removeTotp()).status, 409);
});

test('the MFA routes need a session and answer bad input with 4xx JSON', async () => {
  const anonymous = app.client();
  for (const [method, path] of [['GET', MFA], ['POST', TOTP], ['DELETE', TOTP], ['POST', CONFIRM], ['POST', RECOVERY]]) {
    const res = await anonymous.request(method, path, method === 'POST' ? { json: {} } : {});
    assert.equal(res.status, 401, `${method} ${path}`);
  }
  const account = await enrolled();
  for (const c of badInputCases({ base: () => ({ code: '123456' }), fields: { code: 'code' } })) {
    assertRejected(await sendCase(app, 'POST', CONFIRM, c, { cookie: cookieOf(account.client) }), c.expect, `confirm with ${c.name}`);
  }
  const { client, challengeId } = await challenge(account);
  for (const [body, field] of [
    [{ challenge_id: challengeId }, 'code'],
    [{ challenge_id: challengeId, code: 'abc' }, 'code'],
    [{ challenge_id: challengeId, recovery_code: 'ABCDE' }, 'recovery_code'],
    [{ challenge_id: challengeId, code: '123456', recovery_code: 'ABCDE-FGHJK' }, 'recovery_code'],
    [{ challenge_id: 'not an id!', code: '123456' }, 'challenge_id'],
    [{ challenge_id: challengeId, code: 123456 }, 'code'],
  ]) {
    const res = await client.answerChallenge(body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.ok(res.body.error.fields[field], `${JSON.stringify(body)} names ${field}`);
  }
  const [row] = await sql(app, `SELECT attempts FROM mfa_challenges WHERE id = ${quote(challengeId)}`);
  assert.equal(row.attempts, 0, 'a malformed answer spends no try');
});

test('a firm profile needs a second factor: 403, then enrolment, then the profile is selected', async () => {
  const firm = await createOrganisation(app);
  const account = await signedUp(app, { email: firm.responsible.email, first_name: firm.responsible.first_name, last_name: firm.responsible.last_name });
  const linked = await link(account.client, firm.responsible);
  assert.equal(linked.status, 200, linked.text);
  assert.equal((await account.client.mfa()).body.required, true);

  const refused = await account.client.selectProfile(linked.body.profile.id);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'mfa_enrolment_required');
  assert.equal((await account.client.selectProfile('personal')).status, 200, 'the rest of the account is not blocked');

  const fresh = await freshClient().logIn(account.email, account.password);
  assert.equal(fresh.status, 200);
  assert.equal(fresh.body.next, 'enrol_factor', 'the only profile is not selected without a factor');
  assert.equal(fresh.body.active_profile.kind, 'personal');

  await enrolTotp(account.client);
  const selected = await account.client.selectProfile(linked.body.profile.id);
  assert.equal(selected.status, 200, selected.text);
  assert.equal(selected.body.active_profile.id, linked.body.profile.id);

  const again = await freshClient().logIn(account.email, account.password);
  assert.equal(again.status, 200, 'the test client answers the challenge');
  assert.equal(again.body.next, 'home');
  assert.equal(again.body.active_profile.id, linked.body.profile.id);
});

test('an employer responsible needs a factor too, and the shared helpers enrol one', async () => {
  const responsible = await linkedResponsible(app, { kind: 'employer' });
  assert.equal(responsible.profile.organisation.kind, 'employer');
  assert.ok(FACTORS.has(responsible.email), 'linkedResponsible enrolled TOTP on the way');
  assert.deepEqual((await responsible.client.mfa()).body.totp, { enabled: true });
  const employer = await createOrganisation(app, { kind: 'employer' });
  assert.ok(employer.organisation.id);
});

test('wrong second-factor codes count against the account like wrong passwords, so new challenges do not give new tries', async () => {
  const account = await enrolled();
  const res = await freshClient().post('/api/session', { email: account.email, password: `${GOOD_PASSWORD}!` });
  assert.equal(res.status, 401, 'a wrong password never reveals that a factor is set');
  const { client, challengeId } = await challenge(account);
  const right = totpCode(account.secret, stepOf(await workerClock(app.baseUrl)));
  const wrong = String((Number(right) + 7) % 1_000_000).padStart(6, '0');
  for (let i = 0; i < 5; i += 1) assert.equal((await client.answerChallenge({ challenge_id: challengeId, code: wrong })).status, 422);
  const throttled = await freshClient().post('/api/session', { email: account.email, password: account.password });
  assert.equal(throttled.status, 429, `1 wrong password and 5 wrong codes spent the free tries: ${throttled.text}`);
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM mfa_challenges WHERE user_id = ${quote(account.user.id)}`);
  assert.equal(n, 1, 'no new challenge while throttled');
});

test('sensitive actions need a factor proven in the last ten minutes: 403 step_up_required, then a step-up', async () => {
  const responsible = await linkedResponsible(app);
  const { client } = responsible;
  client.autoStepUp = false;
  const factor = FACTORS.get(responsible.email);
  const created = await client.createToken(await tokenBody(app));
  assert.equal(created.status, 201, `enrolling proved the factor: ${created.text}`);

  await app.advanceClock(11 * MINUTE);
  const refused = await client.createToken(await tokenBody(app));
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.error.code, 'step_up_required');
  assert.equal((await client.tokens()).status, 200, 'reading needs no step-up');
  assert.equal((await client.renewRecoveryCodes()).body.error.code, 'step_up_required', 'changing the factors is sensitive too');

  const step = Math.max(stepOf(await workerClock(app.baseUrl)), factor.lastStep + 1);
  const wrong = await client.stepUp({ code: totpCode(factor.secret, step + 5) });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.body.error.attempts_left, 4);
  factor.lastStep = step;
  const steppedUp = await client.stepUp({ code: totpCode(factor.secret, step) });
  assert.equal(steppedUp.status, 204, steppedUp.text);
  assert.equal((await client.createToken(await tokenBody(app))).status, 201);
  // Every session of the account (sign-in, then profile switches) ends 12 h after the first one began.
  const [row] = await sql(app, `SELECT (SELECT expires_at FROM sessions WHERE user_id = ${quote(responsible.user.id)} AND revoked_at IS NULL) - MIN(created_at) AS lifetime FROM sessions WHERE user_id = ${quote(responsible.user.id)}`);
  assert.equal(row.lifetime, 12 * 60 * MINUTE, 'the absolute expiry did not move');
});

test("changing one's password or email and closing the account need a recent factor too", async () => {
  const account = await enrolled();
  const { client } = account;
  client.autoStepUp = false;

  await app.advanceClock(11 * MINUTE);
  const newPassword = `${account.password} encore`;
  const attempts = {
    password: await client.changePassword({ current_password: account.password, new_password: newPassword, new_password_confirmation: newPassword }),
    email: await client.changeEmail({ new_email: uniqueEmail('moved'), current_password: account.password }),
    close: await client.closeAccount({ current_password: account.password }),
  };

  for (const [what, res] of Object.entries(attempts)) {
    assert.equal(res.status, 403, `${what}: ${res.text}`);
    assert.equal(res.body.error.code, 'step_up_required', what);
  }
  assert.equal((await client.me()).status, 200, 'the account is still open and signed in');
  const step = Math.max(stepOf(await workerClock(app.baseUrl)), account.factor.lastStep + 1);
  account.factor.lastStep = step;
  assert.equal((await client.stepUp({ code: totpCode(account.secret, step) })).status, 204);
  const changed = await client.changePassword({ current_password: account.password, new_password: newPassword, new_password_confirmation: newPassword });
  assert.equal(changed.status, 204, `after the step-up: ${changed.text}`);
});

test('a burst of 40 concurrent wrong step-up codes evaluates at most 5', async () => {
  const account = await enrolled();
  const step = stepOf(await workerClock(app.baseUrl));
  const wrong = String((Number(totpCode(account.secret, step)) + 1) % 1_000_000).padStart(6, '0');
  const sent = await Promise.all(Array.from({ length: 40 }, () => account.client.stepUp({ code: wrong })));
  const answers = answeredByWorker(sent);
  const statuses = answers.map((a) => a.status);
  assert.ok(statuses.filter((s) => s === 422).length <= 5, statuses.join());
  assert.ok(statuses.every((s) => s === 422 || s === 429), statuses.join());
  assert.ok(answers.find((a) => a.status === 429).headers.get('retry-after'));
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'session.step_up_failed' AND user_id = ${quote(account.user.id)}`);
  assert.equal(n, 5, 'only 5 codes were compared');
  const withoutFactor = await signedUp(app, { email: uniqueEmail('sansfacteur') });
  assert.equal((await withoutFactor.client.stepUp({ code: '123456' })).status, 409);
});

test('the cleanup job purges sign-in challenges a day after they expired', async () => {
  const account = await enrolled();
  const { challengeId } = await challenge(account);
  await app.advanceClock(24 * 60 * MINUTE + 10 * MINUTE);
  const runs = await runJobs(app);
  assert.ok(countsOf(runs, 'cleanup').mfa_challenges >= 1, JSON.stringify(countsOf(runs, 'cleanup')));
  assert.deepEqual(await sql(app, `SELECT id FROM mfa_challenges WHERE id = ${quote(challengeId)}`), []);
});

test('every change of the factors emails the owner, without any secret', async () => {
  const account = await enrolled();
  const isFactorEmail = (email) => /second facteur modifié/.test(email.subject);
  const enabled = await app.waitForEmail(account.email, isFactorEmail);
  assert.match(enabled.text, /application d'authentification vient d'être configurée/);
  const regenerated = await account.client.renewRecoveryCodes();
  assert.equal(regenerated.status, 200);
  const renewed = await app.waitForEmail(account.email, isFactorEmail, { count: 2 });
  assert.match(renewed.text, /nouveaux codes de récupération/);
  assert.equal((await account.client.removeTotp()).status, 204);
  const removed = await app.waitForEmail(account.email, isFactorEmail, { count: 3 });
  assert.match(removed.text, /vient d'être retirée/);
  for (const email of await app.mailbox(account.email)) {
    for (const secret of [account.secret, ...account.recoveryCodes, ...regenerated.body.recovery_codes]) {
      assert.ok(!email.text.includes(secret) && !(email.html ?? '').includes(secret), `${email.subject} reveals no secret`);
    }
  }
});
