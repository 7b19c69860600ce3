// Signing in and out end to end: uniform errors, unverified accounts, per-account and per-IP
// throttling, server-side revocation, idle and absolute timeouts, and fresh tokens at each login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, TestApp, uniqueEmail, GOOD_PASSWORD, sessionCookieOf } from '../support/app.mjs';
import { sql } from '../support/db.mjs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const COOKIE = '__Host-sel_session';
const WRONG_PASSWORD = 'Pas le bon mot de passe';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

// Failed logins count against the client's IP address too (20 free an hour), so every test signs
// in from its own documentation address unless it is about that very throttle.
let hosts = 0;
function clientFromOwnIp(options = {}) {
  hosts += 1;
  return app.client({ ip: `198.51.100.${hosts}`, ...options });
}

/** An active account, signed in from its own IP address. */
async function signedIn() {
  const account = await app.signedUpUser({ email: uniqueEmail('session') });
  const client = clientFromOwnIp();
  const res = await client.logIn(account.email, account.password);
  assert.equal(res.status, 200, `login should succeed: ${res.text}`);
  return { ...account, client };
}

// --- Logging in -----------------------------------------------------------------------------------

test('the right password answers 200 with the user and sets a secure session cookie', async () => {
  const { email, password, user } = await app.signedUpUser({ email: uniqueEmail('login') });
  const client = clientFromOwnIp();

  const res = await client.logIn(email, password);

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, user);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  assert.ok(cookie, 'a session cookie is set');
  const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
  for (const attribute of ['httponly', 'secure', 'samesite=lax', 'path=/']) {
    assert.ok(attributes.includes(attribute), `the cookie has ${attribute}: ${cookie}`);
  }
  assert.ok(!attributes.some((a) => a.startsWith('domain=')), `no Domain on a __Host- cookie: ${cookie}`);
  const me = await client.me();
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.email, email);
});

test('the email address is matched whatever its case and surrounding spaces', async () => {
  const { email, password } = await app.signedUpUser({ email: uniqueEmail('casing') });

  const res = await clientFromOwnIp().logIn(`  ${email.toUpperCase()} `, password);

  assert.equal(res.status, 200, res.text);
});

test('an unknown email and a wrong password answer the same 401 invalid_credentials', async () => {
  const { email } = await app.signedUpUser({ email: uniqueEmail('uniform') });

  const wrongPassword = await clientFromOwnIp().logIn(email, WRONG_PASSWORD);
  const unknownEmail = await clientFromOwnIp().logIn(uniqueEmail('nobody'), WRONG_PASSWORD);

  assert.equal(wrongPassword.status, 401, wrongPassword.text);
  assert.equal(wrongPassword.body.error.code, 'invalid_credentials');
  assert.equal(unknownEmail.status, wrongPassword.status, 'the status must not reveal whether the account exists');
  assert.equal(unknownEmail.text, wrongPassword.text, 'the body must not reveal whether the account exists');
  assert.equal(sessionCookieOf(wrongPassword.headers.getSetCookie()), undefined, 'no session cookie on failure');
});

test('an unverified account answers 403 with its pending verification only to its right password', async () => {
  const email = uniqueEmail('unverified');
  const signup = await app.client().signUp({
    email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
    first_name: 'Marie', last_name: 'Tremblay', accept_terms: true,
  });
  assert.equal(signup.status, 202, signup.text);
  const code = TestApp.codeOf(await app.waitForEmail(email));
  const client = clientFromOwnIp();

  const wrong = await client.logIn(email, WRONG_PASSWORD);
  const right = await client.logIn(email, GOOD_PASSWORD);

  assert.equal(wrong.status, 401, `a wrong password reveals nothing about the account: ${wrong.text}`);
  assert.equal(wrong.body.error.code, 'invalid_credentials');
  assert.equal(right.status, 403, right.text);
  assert.equal(right.body.error.code, 'email_not_verified');
  assert.equal(right.body.error.verification_id, signup.body.verification_id,
    'inside a minute of the last code email, the pending verification answers (no second email: see limits.test.mjs)');
  assert.equal((await client.me()).status, 401, 'no session for an unverified account');
  const verified = await client.verify(right.body.error.verification_id, code);
  assert.equal(verified.status, 200, `the emailed code activates the account: ${verified.text}`);
});

test('after five wrong passwords the account waits, answered 429 with Retry-After, even for the right password', async () => {
  const { email, password } = await app.signedUpUser({ email: uniqueEmail('throttled') });
  const client = clientFromOwnIp();
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const res = await client.logIn(email, WRONG_PASSWORD);
    assert.equal(res.status, 401, `wrong password ${attempt} of the five free ones: ${res.text}`);
  }

  const blocked = await client.logIn(email, password);
  const fromElsewhere = await clientFromOwnIp().logIn(email, password);

  assert.equal(blocked.status, 429, blocked.text);
  assert.equal(blocked.body.error.code, 'too_many_attempts');
  const retryAfter = blocked.body.error.retry_after;
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `retry_after: ${retryAfter}`);
  assert.equal(blocked.headers.get('retry-after'), String(retryAfter));
  assert.equal(sessionCookieOf(blocked.headers.getSetCookie()), undefined, 'no session while throttled');
  assert.equal(fromElsewhere.status, 429, `the throttle is per account, whatever the IP: ${fromElsewhere.text}`);

  await app.advanceClock(retryAfter * SECOND);
  const later = await client.logIn(email, password);

  assert.equal(later.status, 200, `once the delay has passed the right password gets in: ${later.text}`);
});

test('after twenty failures from one IP address, that address waits, whatever the account', async () => {
  const { email, password } = await app.signedUpUser({ email: uniqueEmail('same-ip') });
  const attacker = app.client({ ip: '203.0.113.7' });
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    const res = await attacker.logIn(uniqueEmail(`guess${attempt}`), WRONG_PASSWORD);
    assert.equal(res.status, 401, `failure ${attempt} of the twenty free ones: ${res.text}`);
  }

  const blocked = await attacker.logIn(email, password);
  const elsewhere = await clientFromOwnIp().logIn(email, password);

  assert.equal(blocked.status, 429, `a fresh account from the same IP waits too: ${blocked.text}`);
  assert.equal(blocked.body.error.code, 'too_many_attempts');
  assert.equal(blocked.headers.get('retry-after'), String(blocked.body.error.retry_after));
  assert.equal(elsewhere.status, 200, `the account itself is not throttled: ${elsewhere.text}`);
});

test('each login issues a new token, and every one of them works', async () => {
  const { email, password, client: fromSignup } = await app.signedUpUser({ email: uniqueEmail('tokens') });
  const first = clientFromOwnIp();
  const second = clientFromOwnIp();

  assert.equal((await first.logIn(email, password)).status, 200);
  assert.equal((await second.logIn(email, password)).status, 200);

  const tokens = [fromSignup, first, second].map((c) => c.cookies.get(COOKIE));
  assert.equal(new Set(tokens).size, 3, 'three sessions, three different tokens');
  for (const [name, client] of [['the first login', first], ['the second login', second], ['the signup', fromSignup]]) {
    assert.equal((await client.me()).status, 200, `the session of ${name} is valid`);
  }
});

test('a successful login is recorded in the audit log', async () => {
  const { client, user } = await signedIn();
  assert.equal((await client.me()).status, 200);

  const actions = (await sql(app, `SELECT action FROM audit_events WHERE user_id = '${user.id}' ORDER BY at`)).map((r) => r.action);

  assert.ok(actions.includes('login.succeeded'), `audit actions: ${actions}`);
});

// --- Logging out ----------------------------------------------------------------------------------

test('logging out answers 204, clears the cookie, and revokes the session on the server', async () => {
  const { client } = await signedIn();
  const token = client.cookies.get(COOKIE);

  const res = await client.logOut();

  assert.equal(res.status, 204, res.text);
  const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  assert.match(cleared ?? '', /max-age=0/i, 'the cookie is cleared');
  assert.equal((await client.me()).status, 401);
  const replay = app.client();
  replay.cookies.set(COOKIE, token);
  const me = await replay.me();
  assert.equal(me.status, 401, `the old token replayed elsewhere is refused: ${me.text}`);
  assert.equal(me.body.error.code, 'unauthenticated');
});

test('logging out ends only that session', async () => {
  const { email, password, client } = await signedIn();
  const other = clientFromOwnIp();
  assert.equal((await other.logIn(email, password)).status, 200);

  assert.equal((await client.logOut()).status, 204);

  assert.equal((await other.me()).status, 200, 'the other session lives on');
});

// --- Timeouts (they move the shared clock, so they run last) --------------------------------------

test('a session idle for more than 30 minutes answers 401', async () => {
  const { client } = await signedIn();

  await app.advanceClock(31 * MINUTE);
  const res = await client.me();

  assert.equal(res.status, 401, res.text);
  assert.equal(res.body.error.code, 'unauthenticated');
});

test('activity keeps a session alive past 30 minutes', async () => {
  const { client } = await signedIn();

  await app.advanceClock(20 * MINUTE);
  const midway = await client.me();
  await app.advanceClock(20 * MINUTE);
  const later = await client.me();

  assert.equal(midway.status, 200, midway.text);
  assert.equal(later.status, 200, `40 minutes after login but 20 after the last request: ${later.text}`);
});

test('an active session still ends 12 hours after login', async () => {
  const { client } = await signedIn();

  for (let elapsed = 20 * MINUTE; elapsed < 12 * HOUR; elapsed += 20 * MINUTE) {
    await app.advanceClock(20 * MINUTE);
    const res = await client.me();
    assert.equal(res.status, 200, `active ${elapsed / MINUTE} minutes after login: ${res.text}`);
  }
  await app.advanceClock(20 * MINUTE);
  const res = await client.me();

  assert.equal(res.status, 401, `12 hours after login, activity or not: ${res.text}`);
});
