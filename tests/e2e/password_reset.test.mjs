// "Mot de passe oublié?" end to end: a reset code emailed only to existing accounts (same answer
// for unknown ones), the code rules, the new-password policy, revocation of every session, the
// "password changed" notice, and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, TestApp, uniqueEmail } from '../support/app.mjs';
import { sql } from '../support/db.mjs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const NEW_PASSWORD = 'Quatre hiboux veillent tard';

const SUBJECT = {
  resetCode: 'Votre code de réinitialisation SEL',
  changed: 'Votre mot de passe SEL a été modifié',
};
const isResetCode = (email) => email.subject === SUBJECT.resetCode;
const isChangedNotice = (email) => email.subject === SUBJECT.changed;

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

// Each client has its own IP address so that failed logins never add up across tests.
let hosts = 0;
function clientFromOwnIp() {
  hosts += 1;
  return app.client({ ip: `192.0.2.${hosts}` });
}

function otherCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** An active account and a fresh reset request for it, with the emailed code. */
async function accountWithReset(label = 'reset') {
  const account = await app.signedUpUser({ email: uniqueEmail(label) });
  const client = app.client();
  const forgot = await client.forgotPassword(account.email);
  assert.equal(forgot.status, 202, `forgot should be accepted: ${forgot.text}`);
  const code = TestApp.codeOf(await app.waitForEmail(account.email, isResetCode));
  return { ...account, client, resetId: forgot.body.reset_id, code };
}

test('forgot answers 202 with a reset id alike for known and unknown emails, and emails a code only to the known one', async () => {
  const { email: known } = await app.signedUpUser({ email: uniqueEmail('known') });
  const unknown = uniqueEmail('unknown');

  const forUnknown = await app.client().forgotPassword(unknown);
  const forKnown = await app.client().forgotPassword(known);

  assert.equal(forKnown.status, 202, forKnown.text);
  assert.equal(forUnknown.status, forKnown.status, 'the status must not reveal whether the account exists');
  assert.deepEqual(Object.keys(forUnknown.body).sort(), Object.keys(forKnown.body).sort(), 'the same shape');
  assert.equal(typeof forUnknown.body.reset_id, 'string');
  assert.equal(forUnknown.body.reset_id.length, forKnown.body.reset_id.length, 'ids look alike');
  assert.equal(forUnknown.body.resend_after, forKnown.body.resend_after);
  const sent = await app.waitForEmail(known, isResetCode);
  assert.match(sent.text, /^Bonjour Marie,/);
  assert.match(TestApp.codeOf(sent), /^\d{6}$/);
  // The known address's email was queued after the unknown request: once it is in, nothing else is coming.
  assert.deepEqual(await app.mailbox(unknown), [], 'no email to an address without an account');
});

test('the emailed code sets a new password: the old one fails, the new one works, and a notice is emailed', async () => {
  const { email, password, client, resetId, code } = await accountWithReset();

  const res = await client.resetPassword(resetId, code, NEW_PASSWORD);

  assert.equal(res.status, 200, res.text);
  const withOld = await clientFromOwnIp().logIn(email, password);
  assert.equal(withOld.status, 401, `the old password no longer works: ${withOld.text}`);
  const withNew = await clientFromOwnIp().logIn(email, NEW_PASSWORD);
  assert.equal(withNew.status, 200, `the new password works: ${withNew.text}`);
  const notice = await app.waitForEmail(email, isChangedNotice);
  assert.match(notice.text, /toutes vos sessions ont été fermées/);
  assert.doesNotMatch(notice.text, /Quatre hiboux/, 'the notice never carries the password');
});

test('a reset signs the user out of every session', async () => {
  const { email, password, client: fromSignup } = await app.signedUpUser({ email: uniqueEmail('revoke') });
  const fromLogin = clientFromOwnIp();
  assert.equal((await fromLogin.logIn(email, password)).status, 200);
  assert.equal((await fromSignup.me()).status, 200);
  const forgot = await app.client().forgotPassword(email);
  const code = TestApp.codeOf(await app.waitForEmail(email, isResetCode));

  const res = await app.client().resetPassword(forgot.body.reset_id, code, NEW_PASSWORD);

  assert.equal(res.status, 200, res.text);
  for (const [name, client] of [['the signup session', fromSignup], ['the login session', fromLogin]]) {
    const me = await client.me();
    assert.equal(me.status, 401, `${name} was revoked: ${me.text}`);
  }
});

test('a new password that breaks the policy answers 422 on its field and costs no code attempt', async () => {
  const { email, client, resetId, code } = await accountWithReset('policy');
  const local = email.split('@')[0];
  const cases = [
    { reason: 'a password shorter than 12 characters', password: 'Court9!x', field: 'new_password', message: /au moins 12 caractères/ },
    { reason: 'a common password', password: 'motdepasse123', field: 'new_password', message: /trop courant/ },
    { reason: "a password containing the email's local part", password: `Xx-${local}-Yy`, field: 'new_password', message: /ne doit pas contenir votre adresse courriel/ },
    { reason: 'a confirmation that differs', password: NEW_PASSWORD, confirmation: `${NEW_PASSWORD}!`, field: 'new_password_confirmation', message: /ne correspondent pas/ },
  ];
  for (const { reason, password, confirmation = password, field, message } of cases) {
    const res = await client.resetPassword(resetId, code, password, confirmation);

    assert.equal(res.status, 422, `${reason} should be rejected: ${res.text}`);
    assert.equal(res.body.error.code, 'validation_failed', reason);
    assert.deepEqual(Object.keys(res.body.error.fields), [field], `${reason} should be reported on ${field}`);
    assert.match(res.body.error.fields[field], message, reason);
  }

  const res = await client.resetPassword(resetId, code, NEW_PASSWORD);

  assert.equal(res.status, 200, `the code is still good after policy failures: ${res.text}`);
});

test('wrong codes answer 422 with the attempts left, and the fifth kills the code even for the right one', async () => {
  const { client, resetId, code } = await accountWithReset('wrong');

  for (const expectedLeft of [4, 3, 2, 1, 0]) {
    const res = await client.resetPassword(resetId, otherCode(code), NEW_PASSWORD);
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'invalid_code');
    assert.equal(res.body.error.attempts_left, expectedLeft, 'each wrong code uses one of five tries');
  }
  const res = await client.resetPassword(resetId, code, NEW_PASSWORD);

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'code_exhausted');
});

test('a reset code that was already used answers 410 code_used', async () => {
  const { email, client, resetId, code } = await accountWithReset('used');
  assert.equal((await client.resetPassword(resetId, code, NEW_PASSWORD)).status, 200);

  const replay = await app.client().resetPassword(resetId, code, 'Encore un autre secret');

  assert.equal(replay.status, 410, replay.text);
  assert.equal(replay.body.error.code, 'code_used');
  const login = await clientFromOwnIp().logIn(email, NEW_PASSWORD);
  assert.equal(login.status, 200, `the replay changed nothing: ${login.text}`);
});

test('an unknown reset id answers 404, and the reset id of an unknown email accepts no code', async () => {
  const unknownId = await app.client().resetPassword('0123456789abcdef0123456789abcdef', '123456', NEW_PASSWORD);
  const decoy = await app.client().forgotPassword(uniqueEmail('decoy'));
  const forDecoy = await app.client().resetPassword(decoy.body.reset_id, '123456', NEW_PASSWORD);

  assert.equal(unknownId.status, 404, unknownId.text);
  assert.equal(unknownId.body.error.code, 'verification_not_found');
  assert.equal(forDecoy.status, 422, forDecoy.text);
  assert.equal(forDecoy.body.error.code, 'invalid_code');
});

test('asking again within 60 seconds answers the same reset id and sends no second email', async () => {
  const { email } = await app.signedUpUser({ email: uniqueEmail('again') });
  const client = app.client();

  const first = await client.forgotPassword(email);
  const again = await client.forgotPassword(email);
  await app.advanceClock(60 * SECOND);
  const later = await client.forgotPassword(email);

  assert.equal(again.status, 202, again.text);
  assert.equal(again.body.reset_id, first.body.reset_id, 'within the cooldown, the same reset');
  assert.notEqual(later.body.reset_id, first.body.reset_id, 'after the cooldown, a new reset');
  const newest = await app.waitForEmail(email, isResetCode, { count: 2 });
  const res = await client.resetPassword(later.body.reset_id, TestApp.codeOf(newest), NEW_PASSWORD);
  assert.equal(res.status, 200, `the newest email carries the new reset's code: ${res.text}`);
  const codes = (await app.mailbox(email)).filter(isResetCode);
  assert.equal(codes.length, 2, 'one email for the first request, none for the repeat, one after the cooldown');
});

test('a new reset after the cooldown ends the earlier code: only the newest one works', async () => {
  const { email } = await app.signedUpUser({ email: uniqueEmail('newest') });
  const client = app.client();
  const first = await client.forgotPassword(email);
  const firstCode = TestApp.codeOf(await app.waitForEmail(email, isResetCode));
  await app.advanceClock(60 * SECOND);

  await client.forgotPassword(email);
  const stale = await client.resetPassword(first.body.reset_id, firstCode, NEW_PASSWORD);

  assert.equal(stale.status, 410, stale.text);
  assert.equal(stale.body.error.code, 'code_expired', 'the earlier code died when a new one was sent');
});

test('a login and a password reset are recorded in the audit log', async () => {
  const { email, password, user } = await app.signedUpUser({ email: uniqueEmail('audit') });
  assert.equal((await clientFromOwnIp().logIn(email, password)).status, 200);
  const forgot = await app.client().forgotPassword(email);
  const code = TestApp.codeOf(await app.waitForEmail(email, isResetCode));
  assert.equal((await app.client().resetPassword(forgot.body.reset_id, code, NEW_PASSWORD)).status, 200);

  const actions = (await sql(app, `SELECT action FROM audit_events WHERE user_id = '${user.id}' ORDER BY at`)).map((r) => r.action);

  assert.ok(actions.includes('login.succeeded'), `audit actions: ${actions}`);
  assert.ok(actions.includes('password.reset'), `audit actions: ${actions}`);
  assert.ok(actions.indexOf('login.succeeded') < actions.indexOf('password.reset'), `in order: ${actions}`);
});

// Moves the shared clock ten minutes: kept last.
test('a reset code older than ten minutes answers 410 code_expired', async () => {
  const { client, resetId, code } = await accountWithReset('expired');

  await app.advanceClock(10 * MINUTE);
  const res = await client.resetPassword(resetId, code, NEW_PASSWORD);

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'code_expired');
});
