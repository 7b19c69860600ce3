// Creating an account end to end: screen 1 validation, signup, the emailed code, its resend, and
// the rules around codes (lifetime, wrong tries, single use, per-email budget) and enumeration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, TestApp, uniqueEmail, GOOD_PASSWORD, sessionCookieOf } from '../support/app.mjs';
import { sql } from '../support/db.mjs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const SUBJECT = {
  codeFr: 'Votre code de validation SEL',
  codeEn: 'Your SEL verification code',
  accountExistsFr: 'Tentative de création de compte avec votre adresse',
};

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

function signupForm(email, overrides = {}) {
  return {
    email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
    first_name: 'Marie', last_name: 'Tremblay', accept_terms: true, ...overrides,
  };
}

/** A six-digit code that is surely not `code`. */
function otherCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

const isSignupCode = (email) => email.subject === SUBJECT.codeFr || email.subject === SUBJECT.codeEn;

/** The code of the `count`-th signup code email sent to `to`. */
async function nthCode(to, count) {
  return TestApp.codeOf(await app.waitForEmail(to, isSignupCode, { count }));
}

/** Starts a signup and reads the emailed code, without validating it. */
async function startSignup(email = uniqueEmail('signup'), overrides = {}) {
  const client = app.client();
  const started = await client.signUp(signupForm(email, overrides));
  assert.equal(started.status, 202, `signup should be accepted: ${started.text}`);
  const code = await nthCode(email, 1);
  return { client, email, verificationId: started.body.verification_id, code };
}

// --- Screen 1: /api/signup/validate -------------------------------------------------------------

test('valid screen-1 input answers 204 with no body', async () => {
  const res = await app.client().validateSignup({
    email: uniqueEmail('validate'), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
  });

  assert.equal(res.status, 204, res.text);
  assert.equal(res.text, '');
});

test('invalid screen-1 input answers 422 with the problem of each wrong field', async () => {
  const cases = [
    { reason: 'a password shorter than 12 characters', email: 'helene.cote@exemple.ca', password: 'Court9!x', field: 'password', message: /au moins 12 caractères/ },
    { reason: 'a common password', email: 'helene.cote@exemple.ca', password: 'motdepasse123', field: 'password', message: /trop courant/ },
    { reason: 'a common password with decorations', email: 'helene.cote@exemple.ca', password: 'qwerty123456', field: 'password', message: /trop courant/ },
    { reason: "a password containing the email's local part", email: 'helene.cote@exemple.ca', password: 'Xx-Helene.Cote-2024!', field: 'password', message: /ne doit pas contenir votre adresse courriel/ },
    { reason: 'a confirmation that differs from the password', email: 'helene.cote@exemple.ca', password: GOOD_PASSWORD, confirmation: `${GOOD_PASSWORD}!`, field: 'password_confirmation', message: /ne correspondent pas/ },
    { reason: 'an email without a domain', email: 'helene.cote@', password: GOOD_PASSWORD, field: 'email', message: /adresse courriel valide/ },
    { reason: 'an email without @', email: 'helene.cote.exemple.ca', password: GOOD_PASSWORD, field: 'email', message: /adresse courriel valide/ },
  ];
  for (const { reason, email, password, confirmation = password, field, message } of cases) {
    const res = await app.client().validateSignup({ email, password, password_confirmation: confirmation });

    assert.equal(res.status, 422, `${reason} should be rejected: ${res.text}`);
    assert.equal(res.body.error.code, 'validation_failed', reason);
    assert.deepEqual(Object.keys(res.body.error.fields), [field], `${reason} should be reported on ${field} only`);
    assert.match(res.body.error.fields[field], message, `${reason} should be explained`);
  }
});

test('several wrong fields are reported together in one answer', async () => {
  const res = await app.client().validateSignup({ email: 'pas-une-adresse', password: 'court', password_confirmation: 'court' });

  assert.equal(res.status, 422, res.text);
  assert.deepEqual(Object.keys(res.body.error.fields).sort(), ['email', 'password']);
});

test('screen-1 validation answers the same for a taken email as for a free one', async () => {
  const { email: taken } = await app.signedUpUser({ email: uniqueEmail('taken') });
  const free = uniqueEmail('free');

  for (const [password, confirmation, reason] of [
    [GOOD_PASSWORD, GOOD_PASSWORD, 'valid input'],
    ['Court9!x', 'Court9!x', 'a short password'],
  ]) {
    const forTaken = await app.client().validateSignup({ email: taken, password, password_confirmation: confirmation });
    const forFree = await app.client().validateSignup({ email: free, password, password_confirmation: confirmation });

    assert.equal(forTaken.status, forFree.status, `${reason}: the status must not reveal a taken email`);
    assert.equal(forTaken.text, forFree.text, `${reason}: the body must not reveal a taken email`);
  }
});

// --- Signup: /api/signup -------------------------------------------------------------------------

test('a signup answers 202 with a verification id and emails a code in French by default', async () => {
  const email = uniqueEmail('fr');

  const res = await app.client().signUp(signupForm(email));

  assert.equal(res.status, 202, res.text);
  assert.equal(typeof res.body.verification_id, 'string');
  assert.ok(res.body.verification_id.length > 0);
  const sent = await app.waitForEmail(email, isSignupCode);
  assert.equal(sent.subject, SUBJECT.codeFr);
  assert.match(sent.text, /^Bonjour Marie,/);
  assert.match(TestApp.codeOf(sent), /^\d{6}$/);
});

test("a signup in English (locale 'en' or Accept-Language) emails the code in English", async () => {
  const cases = [
    { reason: "the form's locale field", client: app.client(), overrides: { locale: 'en' } },
    { reason: 'the Accept-Language header', client: app.client({ locale: 'en-CA,en;q=0.9' }), overrides: {} },
  ];
  for (const { reason, client, overrides } of cases) {
    const email = uniqueEmail('en');

    const res = await client.signUp(signupForm(email, overrides));

    assert.equal(res.status, 202, `${reason}: ${res.text}`);
    const sent = await app.waitForEmail(email, isSignupCode);
    assert.equal(sent.subject, SUBJECT.codeEn, `${reason} should choose English`);
    assert.match(sent.text, /^Hello Marie,/, reason);
  }
});

test('a signup with an active account email answers alike, emails the owner a warning and creates no user', async () => {
  const { email: taken, user: owner } = await app.signedUpUser({ email: uniqueEmail('owner') });
  const fresh = uniqueEmail('fresh');

  const real = await app.client().signUp(signupForm(fresh));
  const decoy = await app.client().signUp(signupForm(taken, { first_name: 'Intrus', last_name: 'Malveillant' }));

  assert.equal(decoy.status, real.status, 'the status must not reveal a taken email');
  assert.deepEqual(Object.keys(decoy.body).sort(), Object.keys(real.body).sort(), 'the body must have the same shape');
  assert.equal(typeof decoy.body.verification_id, 'string');
  assert.equal(decoy.body.resend_after, real.body.resend_after);
  const warning = await app.waitForEmail(taken, (e) => e.subject === SUBJECT.accountExistsFr);
  assert.match(warning.text, /Quelqu'un a tenté de créer un compte/);
  assert.doesNotMatch(warning.text, /\b\d{6}\b/, 'the warning carries no code');
  const codes = (await app.mailbox(taken)).filter(isSignupCode);
  assert.equal(codes.length, 1, 'only the original signup code, no new code for the taken address');
  const rows = await sql(app, `SELECT id, first_name, status FROM users WHERE email = '${taken}'`);
  assert.deepEqual(rows, [{ id: owner.id, first_name: 'Marie', status: 'active' }], 'the existing account is untouched and alone');
});

test('a signup without accepting the terms answers 422 on accept_terms and writes nothing', async () => {
  const email = uniqueEmail('terms');

  const res = await app.client().signUp(signupForm(email, { accept_terms: false }));

  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error.code, 'validation_failed');
  assert.deepEqual(Object.keys(res.body.error.fields), ['accept_terms']);
  assert.match(res.body.error.fields.accept_terms, /conditions d'utilisation/);
  assert.deepEqual(await sql(app, `SELECT id FROM users WHERE email = '${email}'`), [], 'no partial write');
});

test("a second signup for a pending email cannot choose the password that the first signer's code activates", async () => {
  // Pre-verification takeover: the owner of the address signs up, someone else signs up with the
  // same (still pending) address and a password of their own, then the owner types the code from
  // the first email. The account that wakes up must be the owner's, not the intruder's.
  const email = uniqueEmail('pending-owner');
  const intruderPassword = 'Mot de passe intrus 2026';
  const { client: owner, verificationId, code } = await startSignup(email, { first_name: 'Proprietaire' });
  const intruder = await app.client({ ip: '203.0.113.66' }).signUp(
    signupForm(email, { password: intruderPassword, password_confirmation: intruderPassword, first_name: 'Intrus' }));
  assert.equal(intruder.status, 202, 'the second signup answers like any other');

  const verified = await owner.verify(verificationId, code);

  assert.equal(verified.status, 200, verified.text);
  assert.equal(verified.body.first_name, 'Proprietaire', "the owner's code activates the owner's details");
  const asIntruder = await app.client({ ip: '203.0.113.67' }).logIn(email, intruderPassword);
  assert.equal(asIntruder.status, 401, `the intruder's password must not open the owner's account: ${asIntruder.text}`);
  const asOwner = await app.client({ ip: '203.0.113.68' }).logIn(email, GOOD_PASSWORD);
  assert.equal(asOwner.status, 200, `the owner's own password opens the account: ${asOwner.text}`);
});

// --- Verify: /api/signup/verify ------------------------------------------------------------------

test('the right code answers 200 with the user, sets a secure session cookie, and signs the user in', async () => {
  const email = uniqueEmail('verify');
  const { client, verificationId, code } = await startSignup(email);

  const res = await client.verify(verificationId, code);

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['active_profile', 'email', 'first_name', 'id', 'last_name', 'locale', 'next']);
  assert.equal(res.body.next, 'link', 'a new account is sent to link its file');
  assert.deepEqual(res.body.active_profile, { id: 'personal', kind: 'personal' });
  assert.equal(res.body.email, email);
  assert.equal(res.body.first_name, 'Marie');
  assert.equal(res.body.last_name, 'Tremblay');
  assert.equal(res.body.locale, 'fr');
  const cookie = sessionCookieOf(client.lastSetCookie);
  assert.ok(cookie, `a __Host-sel_session cookie is set: ${client.lastSetCookie}`);
  const [pair, ...rest] = cookie.split(';');
  const attributes = rest.map((a) => a.trim().toLowerCase());
  assert.match(pair, /^__Host-sel_session=[0-9a-f]{64}$/, 'a 256-bit token');
  for (const attribute of ['httponly', 'secure', 'samesite=lax', 'path=/']) {
    assert.ok(attributes.includes(attribute), `the cookie has ${attribute}: ${cookie}`);
  }
  assert.ok(!attributes.some((a) => a.startsWith('domain=')), `a __Host- cookie has no Domain: ${cookie}`);
  const me = await client.me();
  assert.equal(me.status, 200, me.text);
  const { next, ...user } = res.body;
  assert.deepEqual(me.body, { ...user, linked_profiles: 0 }, 'GET /api/me shows the same user, with no linked file yet');
  assert.deepEqual(await sql(app, `SELECT status FROM users WHERE email = '${email}'`), [{ status: 'active' }]);
});

test('a name typed with combining accents is stored composed (NFC)', async () => {
  const { client, user } = await app.signedUpUser({ first_name: 'Ame\u0301lie', last_name: 'Ce\u0301ne\u0301cal' });

  const me = await client.me();

  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.first_name, 'Amélie', 'composed: one code point for é');
  assert.equal(me.body.first_name.length, 6);
  assert.equal(me.body.last_name, 'Cénécal');
  assert.equal(user.first_name, 'Amélie');
});

test('wrong codes answer 422 with the attempts left, and the fifth kills the code even for the right one', async () => {
  const { client, verificationId, code } = await startSignup();

  for (const expectedLeft of [4, 3, 2, 1, 0]) {
    const res = await client.verify(verificationId, otherCode(code));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'invalid_code');
    assert.equal(res.body.error.attempts_left, expectedLeft, 'each wrong code uses one of five tries');
  }
  const res = await client.verify(verificationId, code);

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'code_exhausted');
  assert.equal((await client.me()).status, 401, 'no session was started');
});

test('a code older than ten minutes answers 410 code_expired', async () => {
  const { client, verificationId, code } = await startSignup();

  await app.advanceClock(10 * MINUTE);
  const res = await client.verify(verificationId, code);

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'code_expired');
});

test('a code that was already used answers 410 code_used', async () => {
  const { client, verificationId, code } = await startSignup();
  assert.equal((await client.verify(verificationId, code)).status, 200);

  const replay = await app.client().verify(verificationId, code);

  assert.equal(replay.status, 410, replay.text);
  assert.equal(replay.body.error.code, 'code_used');
  assert.equal(sessionCookieOf(replay.headers.getSetCookie()), undefined, 'a replay starts no session');
});

test('a resend for a signup that was already validated answers 410 code_used', async () => {
  const { client, verificationId, code } = await startSignup();
  assert.equal((await client.verify(verificationId, code)).status, 200);
  await app.advanceClock(60 * SECOND);

  const res = await client.resend(verificationId);

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'code_used');
});

test('an unknown verification id answers 404', async () => {
  const res = await app.client().verify('0123456789abcdef0123456789abcdef', '123456');

  assert.equal(res.status, 404, res.text);
  assert.equal(res.body.error.code, 'verification_not_found');
});

test('ten wrong codes an hour for one email answer 429 across resends, and the budget comes back after the wait', async () => {
  const { client, email, verificationId, code: first } = await startSignup();
  const expectWrong = async (code, attemptsLeft, why) => {
    const res = await client.verify(verificationId, otherCode(code));
    assert.equal(res.status, 422, `${why}: ${res.text}`);
    assert.equal(res.body.error.attempts_left, attemptsLeft, why);
  };
  for (const left of [4, 3, 2, 1]) await expectWrong(first, left, `first code, ${5 - left} wrong`);
  await app.advanceClock(60 * SECOND);
  assert.equal((await client.resend(verificationId)).status, 202);
  const second = await nthCode(email, 2);
  for (const left of [4, 3, 2, 1]) await expectWrong(second, left, `second code, ${5 - left} wrong (a new code has five tries)`);
  await app.advanceClock(60 * SECOND);
  assert.equal((await client.resend(verificationId)).status, 202);
  const third = await nthCode(email, 3);
  await expectWrong(third, 4, 'ninth failure of the hour');
  await expectWrong(third, 3, 'tenth failure of the hour');

  const blocked = await client.verify(verificationId, third);

  assert.equal(blocked.status, 429, `the budget survives resends, even the right code waits: ${blocked.text}`);
  assert.equal(blocked.body.error.code, 'too_many_attempts');
  const retryAfter = blocked.body.error.retry_after;
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `retry_after is within the hour: ${retryAfter}`);
  assert.equal(blocked.headers.get('retry-after'), String(retryAfter));

  await app.advanceClock(retryAfter * SECOND);
  assert.equal((await client.resend(verificationId)).status, 202, 'the third code has expired meanwhile');
  const fourth = await nthCode(email, 4);
  const res = await client.verify(verificationId, fourth);

  assert.equal(res.status, 200, `after the wait the budget is restored: ${res.text}`);
});

// --- Resend: /api/signup/resend ------------------------------------------------------------------

test('a resend within 60 seconds answers 429 resend_too_soon with the seconds to wait', async () => {
  const { client, verificationId } = await startSignup();

  const res = await client.resend(verificationId);

  assert.equal(res.status, 429, res.text);
  assert.equal(res.body.error.code, 'resend_too_soon');
  const retryAfter = res.body.error.retry_after;
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `retry_after: ${retryAfter}`);
  assert.equal(res.headers.get('retry-after'), String(retryAfter));
});

test('a resend after 60 seconds answers 202, emails a new code, and only the new code works', async () => {
  const { client, email, verificationId, code: old } = await startSignup();
  await app.advanceClock(60 * SECOND);

  const res = await client.resend(verificationId);

  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.body, { retry_after: 60 });
  const fresh = await nthCode(email, 2);
  if (fresh !== old) {
    const withOld = await client.verify(verificationId, old);
    assert.equal(withOld.status, 422, `the old code died with the resend: ${withOld.text}`);
    assert.equal(withOld.body.error.code, 'invalid_code');
  }
  const withNew = await client.verify(verificationId, fresh);
  assert.equal(withNew.status, 200, withNew.text);
});

test('a resend for a signup with a taken email answers like a real one and emails no code', async () => {
  const { email: taken } = await app.signedUpUser({ email: uniqueEmail('decoy-owner') });
  const { verificationId: realId } = await startSignup();
  const decoy = await app.client().signUp(signupForm(taken));
  assert.equal(decoy.status, 202);
  const decoyId = decoy.body.verification_id;

  const realTooSoon = await app.client().resend(realId);
  const decoyTooSoon = await app.client().resend(decoyId);
  await app.advanceClock(60 * SECOND);
  const realLater = await app.client().resend(realId);
  const decoyLater = await app.client().resend(decoyId);

  assert.equal(decoyTooSoon.status, realTooSoon.status, 'within the cooldown');
  assert.equal(decoyTooSoon.body.error.code, realTooSoon.body.error.code);
  assert.equal(decoyLater.status, 202, decoyLater.text);
  assert.equal(decoyLater.status, realLater.status, 'after the cooldown');
  assert.deepEqual(decoyLater.body, realLater.body);
  // Sentinel: a later email to the owner proves the queue has moved past the resend.
  assert.equal((await app.client().forgotPassword(taken)).status, 202);
  await app.waitForEmail(taken, (e) => e.subject === 'Votre code de réinitialisation SEL');
  assert.equal((await app.mailbox(taken)).filter(isSignupCode).length, 1, 'no code reached the owner for the decoy');
});
