// "Mon compte" end to end: name and language, password, email address, sessions, security
// activity, the export of one's data and the closing of one's account. Each route refuses bad
// input with a 4xx JSON answer and writes nothing, answers only its own person, and every
// current-password check takes its slot of the account's login budget before hashing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, TestApp, isCodeEmail, answeredByWorker } from '../support/app.mjs';
import {
  linkedResponsible, linkedMember, emailTo, badInputCases, sendCase, cookieOf, assertRejected,
  invalid, LONG, quote,
} from '../support/orgs.mjs';
import { createToken, listTokens } from '../support/tokens.mjs';
import { runJobs } from '../support/jobs.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const NEW_PASSWORD = 'Quatre hiboux blancs veillent';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

let hosts = 0;
/** A client from its own documentation address, so login throttling per IP never interferes. */
function freshClient(options = {}) {
  hosts += 1;
  return app.client({ ip: `203.0.113.${hosts % 250}`, ...options });
}

/** A fresh active account with its signed-in client. */
const person = (overrides = {}) => app.signedUpUser({ email: uniqueEmail('compte'), ...overrides });

/** Another session of the same person, signed in with a given user agent. */
async function otherSession(account, userAgent = SAFARI_IPHONE) {
  const client = freshClient();
  client.userAgent = userAgent;
  const res = await client.logIn(account.email, account.password ?? GOOD_PASSWORD);
  assert.equal(res.status, 200, res.text);
  return client;
}

const userRow = (id) => app.sql(`SELECT email, password_hash, first_name, last_name, locale, status FROM users WHERE id = ${quote(id)}`)[0];
const liveSessions = (id) => app.sql(`SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${quote(id)} AND revoked_at IS NULL`)[0].n;
const eventsOf = (id, action) => app.sql(`SELECT * FROM audit_events WHERE user_id = ${quote(id)} AND action = ${quote(action)}`);
const emailsTo = (to) => app.sql(`SELECT template FROM email_outbox WHERE to_email = ${quote(to)}`).map((r) => r.template);

/** Runs a bad-input table against one route as `account`, asserting the answer of each case. */
async function runTable(method, path, account, cases) {
  const cookie = cookieOf(account.client);
  for (const c of cases) {
    const res = await sendCase(app, method, path, c, { cookie });
    assertRejected(res, c.expect, `${method} ${path} with ${c.name}`);
  }
}

/** Cases shared by every JSON route whatever its fields. */
const GENERIC = [
  { name: 'a truncated JSON object', body: () => '{"first_name": "Ma', expect: { status: 400, code: 'malformed_json', why: 'not JSON' } },
  { name: 'an array', body: () => '[]', expect: { status: 400, code: 'body_not_object', why: 'not an object' } },
  { name: 'an oversized body', body: () => JSON.stringify({ first_name: 'x'.repeat(20_000) }), expect: { status: 413, code: 'body_too_large', why: 'over 16 KiB' } },
  { name: 'text/plain', contentType: 'text/plain', body: () => '{}', expect: { status: 415, code: 'unsupported_media_type', why: 'JSON only' } },
];

// --- Name and language ---------------------------------------------------------------------------

test('PATCH /api/me changes the name and language it is sent and nothing else', async () => {
  const account = await person();

  const res = await account.client.updateMe({ first_name: '  Hélène ', locale: 'en' });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.first_name, 'Hélène');
  assert.equal(res.body.last_name, 'Tremblay', 'an absent member is kept');
  assert.equal(res.body.locale, 'en');
  const me = await account.client.me();
  assert.equal(me.body.first_name, 'Hélène');
  assert.equal(eventsOf(account.user.id, 'account.updated').length, 1);
});

test('PATCH /api/me refuses bad names, languages and bodies with 4xx JSON and changes nothing', async () => {
  const account = await person();
  const before = userRow(account.user.id);
  const names = ['Ma\u0000rie', 'Marie\u202E', 'Ma\u200Brie', '🎉🎉🎉', '\u0301\u0308\u0327', 'e'.repeat(101), '1234', '', '   '];
  const cases = [...GENERIC];
  for (const field of ['first_name', 'last_name']) {
    for (const value of names) cases.push({ name: `${JSON.stringify(value).slice(0, 30)} as ${field}`, body: () => JSON.stringify({ [field]: value }), expect: invalid(field) });
    for (const value of [42, true, ['x'], { x: 1 }]) cases.push({ name: `${JSON.stringify(value)} as ${field}`, body: () => JSON.stringify({ [field]: value }), expect: invalid(field) });
  }
  for (const value of ['de', 'fr\u0000', 'é'.repeat(500), 1]) cases.push({ name: `locale ${JSON.stringify(value).slice(0, 20)}`, body: () => JSON.stringify({ locale: value }), expect: invalid('locale') });
  cases.push({ name: 'one good and one bad field', body: () => JSON.stringify({ first_name: 'Hélène', last_name: '\u202E' }), expect: invalid('last_name') });

  await runTable('PATCH', '/api/me', account, cases);

  assert.deepEqual(userRow(account.user.id), before, 'nothing was written');
  assert.equal(eventsOf(account.user.id, 'account.updated').length, 0);
});

test('a name in a right-to-left script is a name', async () => {
  const account = await person();
  const res = await account.client.updateMe({ last_name: 'مريم' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.last_name, 'مريم');
});

test('every route of the account console answers 401 without a session and 403 cross-site', async () => {
  const anonymous = freshClient();
  const routes = [
    ['PATCH', '/api/me', { first_name: 'X' }], ['DELETE', '/api/me', { current_password: GOOD_PASSWORD }],
    ['POST', '/api/me/password', { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD }],
    ['POST', '/api/me/email', { new_email: uniqueEmail(), current_password: GOOD_PASSWORD }],
    ['POST', '/api/me/email/confirm', { verification_id: 'abc', code: '123456' }],
    ['GET', '/api/me/sessions'], ['DELETE', '/api/me/sessions'], ['DELETE', '/api/me/sessions/abc'],
    ['GET', '/api/me/activity'], ['GET', '/api/me/export'],
  ];
  for (const [method, path, json] of routes) {
    const res = await anonymous.request(method, path, { json });
    assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
    assert.equal(res.body.error.code, 'unauthenticated');
  }
  const account = await person();
  for (const [method, path, json] of routes.filter(([method]) => method !== 'GET')) {
    const res = await account.client.request(method, path, { json, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    assert.equal(res.status, 403, `${method} ${path} cross-site: ${res.text}`);
  }
  assert.equal((await account.client.me()).status, 200, 'the session survived every refused request');
});

// --- Password -------------------------------------------------------------------------------------

test('changing the password ends the other sessions, rotates this one and emails the owner', async () => {
  const account = await person();
  const elsewhere = await otherSession(account);
  const oldCookie = cookieOf(account.client);
  const expiry = () => app.sql(`SELECT expires_at FROM sessions WHERE user_id = ${quote(account.user.id)} AND revoked_at IS NULL ORDER BY created_at LIMIT 1`)[0].expires_at;
  const firstExpiry = expiry();

  const res = await account.client.changePassword({
    current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD,
  });

  assert.equal(res.status, 204, res.text);
  assert.notEqual(cookieOf(account.client), oldCookie, 'a new session token');
  assert.equal((await account.client.me()).status, 200, 'this browser stays signed in');
  assert.equal(liveSessions(account.user.id), 1);
  assert.equal(expiry(), firstExpiry, 'the new token ends when the session it replaces would have: 12 h from sign-in');
  assert.equal((await elsewhere.me()).status, 401, 'the other session ended');
  const stale = await fetch(`${app.baseUrl}/api/me`, { headers: { cookie: oldCookie } });
  assert.equal(stale.status, 401, 'the old token of this browser no longer works');
  assert.equal((await freshClient().logIn(account.email, GOOD_PASSWORD)).status, 401);
  assert.equal((await freshClient().logIn(account.email, NEW_PASSWORD)).status, 200);
  const notice = await emailTo(app, account.email, (e) => /mot de passe SEL a été modifié/.test(e.subject));
  assert.doesNotMatch(notice.text, new RegExp(NEW_PASSWORD), 'the email never carries the password');
  assert.equal(eventsOf(account.user.id, 'password.changed').length, 1);
});

test('a wrong current password is refused on its field and changes nothing', async () => {
  const account = await person();
  const before = userRow(account.user.id);

  const res = await account.client.changePassword({
    current_password: 'Pas le bon mot de passe', new_password: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD,
  });

  assert.equal(res.status, 422, res.text);
  assert.equal(typeof res.body.error.fields.current_password, 'string');
  assert.deepEqual(userRow(account.user.id), before);
  assert.equal(eventsOf(account.user.id, 'password.check_failed').length, 1, 'the failure is in the activity');
});

test('the new password follows the policy of signup', async () => {
  const account = await person({ email: uniqueEmail('gaston') });
  const cases = [
    ['court', 'court', 'new_password', 'too short'],
    ['motdepasse123', 'motdepasse123', 'new_password', 'common'],
    ['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa', 'new_password', 'too few distinct characters'],
    [`gaston est ${account.email.split('@')[0]}`, `gaston est ${account.email.split('@')[0]}`, 'new_password', 'contains the address'],
    [NEW_PASSWORD, `${NEW_PASSWORD}!`, 'new_password_confirmation', 'the confirmation differs'],
  ];
  for (const [newPassword, confirmation, field, why] of cases) {
    const res = await account.client.changePassword({ current_password: GOOD_PASSWORD, new_password: newPassword, new_password_confirmation: confirmation });
    assert.equal(res.status, 422, `${why}: ${res.text}`);
    assert.equal(typeof res.body.error.fields[field], 'string', `${why}: ${res.text}`);
  }
  assert.equal(app.sql(`SELECT COUNT(*) AS n FROM rate_limits WHERE key = ${quote(`login-account:${account.email}`)}`)[0].n, 0,
    'a refused new password never spends the budget: the current one is checked last');
});

test('POST /api/me/password refuses bad bodies with 4xx JSON and writes nothing', async () => {
  const account = await person();
  const before = userRow(account.user.id);
  const sessions = liveSessions(account.user.id);
  const cases = badInputCases({
    base: () => ({ current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD }),
    fields: { current_password: 'password', new_password: 'password', new_password_confirmation: 'password' },
    // Odd characters are allowed in passwords: a current password with them is simply wrong
    // (checked only once everything else is valid, which spends the budget: not repeated here).
    odd: (field, index) => {
      if (field === 'current_password') return index === LONG ? invalid(field, 'longer than 128 characters') : null;
      if (field === 'new_password' && index === LONG) return invalid(field, 'longer than 128 characters');
      // The policy judges the odd new password (too short, say) or the confirmation no longer matches.
      return invalid(field === 'new_password' ? null : field, 'the new password or its confirmation is refused');
    },
  });

  await runTable('POST', '/api/me/password', account, cases);

  assert.deepEqual(userRow(account.user.id), before, 'the password is unchanged');
  assert.equal(liveSessions(account.user.id), sessions, 'no session was ended or started');
});

test('a burst of 40 wrong current passwords evaluates the 5 free attempts and those its waits allow; the rest wait', async () => {
  const account = await person();
  const body = { current_password: 'Pas le bon mot de passe', new_password: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD };

  const started = Date.now();
  const sent = await Promise.all(Array.from({ length: 40 }, () => account.client.changePassword(body)));
  const seconds = (Date.now() - started) / 1000;

  const answers = answeredByWorker(sent);
  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 422 || s === 429), `only 422 and 429: ${statuses}`);
  const evaluated = eventsOf(account.user.id, 'password.check_failed').length;
  // 5 free, then one more after waits of 1 s, 2 s, 4 s…: a burst that lasts longer (each check is an
  // Argon2 hash, one at a time) earns those too, and no more.
  const cap = 5 + Math.floor(Math.log2(seconds + 1));
  assert.ok(evaluated <= cap, `at most ${cap} passwords were hashed and compared in ${seconds} s, not ${evaluated}`);
  assert.ok(statuses.filter((s) => s === 422).length <= evaluated, 'every 422 was an evaluated password');
  const throttled = answers.find((r) => r.status === 429);
  assert.equal(throttled.body.error.code, 'too_many_attempts');
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1, 'Retry-After says how long to wait');
  const counter = app.sql(`SELECT count FROM rate_limits WHERE key = ${quote(`login-account:${account.email}`)}`)[0];
  assert.equal(counter.count, evaluated, 'the failures count against the account\'s login budget, the refused attempts do not');
});

// --- Email ----------------------------------------------------------------------------------------

const isChangeCode = (e) => isCodeEmail(e) && /changement d'adresse|address change/i.test(e.subject);

test('changing the email sends a code to the new address, then tells the old one', async () => {
  const account = await person();
  const newEmail = uniqueEmail('nouvelle');

  const started = await account.client.changeEmail({ new_email: newEmail, current_password: GOOD_PASSWORD });

  assert.equal(started.status, 202, started.text);
  assert.equal(typeof started.body.verification_id, 'string');
  assert.equal(userRow(account.user.id).email, account.email, 'nothing changes before the code');
  const code = TestApp.codeOf(await emailTo(app, newEmail, isChangeCode));
  const confirmed = await account.client.confirmEmail({ verification_id: started.body.verification_id, code });
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.equal(confirmed.body.email, newEmail);
  const notice = await emailTo(app, account.email, (e) => /adresse courriel de votre compte SEL a été changée/.test(e.subject));
  assert.match(notice.text, /n•••@exemple\.ca/, 'the old address sees the new one masked');
  assert.equal((await freshClient().logIn(newEmail, GOOD_PASSWORD)).status, 200);
  assert.equal((await freshClient().logIn(account.email, GOOD_PASSWORD)).status, 401);
  const again = await account.client.confirmEmail({ verification_id: started.body.verification_id, code });
  assert.equal(again.status, 410, 'a code is used once');
  assert.equal(eventsOf(account.user.id, 'email.changed').length, 1);
});

test('asking for an address another account holds answers alike; its owner is told and no code works', async () => {
  const owner = await person();
  const account = await person();
  const free = await account.client.changeEmail({ new_email: uniqueEmail('libre'), current_password: GOOD_PASSWORD });
  const taken = await account.client.changeEmail({ new_email: owner.email.toUpperCase(), current_password: GOOD_PASSWORD });

  assert.equal(taken.status, free.status, taken.text);
  assert.deepEqual(Object.keys(taken.body).sort(), Object.keys(free.body).sort());
  await emailTo(app, owner.email, (e) => /autre compte|another account/i.test(e.subject));
  assert.ok(!(await app.mailbox(owner.email)).some(isChangeCode), 'the owner never receives a code');
  const guessed = await account.client.confirmEmail({ verification_id: taken.body.verification_id, code: '123456' });
  assert.equal(guessed.status, 422, guessed.text);
  assert.equal(guessed.body.error.code, 'invalid_code');
  assert.equal(userRow(account.user.id).email, account.email);
});

test('the email change needs the current password, a different address, and the asker\'s own code', async () => {
  const account = await person();
  const wrong = await account.client.changeEmail({ new_email: uniqueEmail(), current_password: 'Pas le bon mot de passe' });
  assert.equal(wrong.status, 422, wrong.text);
  assert.equal(typeof wrong.body.error.fields.current_password, 'string');
  const same = await account.client.changeEmail({ new_email: account.email, current_password: GOOD_PASSWORD });
  assert.equal(same.status, 422, same.text);
  assert.equal(typeof same.body.error.fields.new_email, 'string');

  const intruder = await person();
  const newEmail = uniqueEmail('volee');
  const started = await account.client.changeEmail({ new_email: newEmail, current_password: GOOD_PASSWORD });
  const code = TestApp.codeOf(await emailTo(app, newEmail, isChangeCode));
  const stolen = await intruder.client.confirmEmail({ verification_id: started.body.verification_id, code });
  assert.equal(stolen.status, 404, 'another person\'s verification does not exist for them');
  assert.equal(userRow(intruder.user.id).email, intruder.email);
  assert.equal(userRow(account.user.id).email, account.email);
});

test('a burst of 40 email changes starts at most 5 an hour; the others wait and send nothing', async () => {
  const account = await person();
  const addresses = Array.from({ length: 40 }, () => uniqueEmail('rafale'));

  const answers = answeredByWorker(await Promise.all(addresses.map((new_email) => account.client.changeEmail({ new_email, current_password: GOOD_PASSWORD }))));

  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 202 || s === 429), `only 202 and 429: ${statuses}`);
  assert.ok(statuses.filter((s) => s === 202).length <= 5, `at most 5 started: ${statuses}`);
  assert.equal(answers.find((r) => r.status === 429).body.error.code, 'too_many_attempts');
  const issued = app.sql(`SELECT COUNT(*) AS n FROM verifications WHERE purpose = 'email' AND user_id = ${quote(account.user.id)}`)[0].n;
  assert.equal(issued, statuses.filter((s) => s === 202).length, 'a code only for each change started');
  const mailed = app.sql(`SELECT COUNT(*) AS n FROM email_outbox WHERE to_email IN (${addresses.map(quote).join(', ')})`)[0].n;
  assert.equal(mailed, issued, 'no email for the refused ones');
});

test('the email routes refuse bad bodies with 4xx JSON and write nothing', async () => {
  const account = await person();
  const before = userRow(account.user.id);
  const verifications = () => app.sql(`SELECT COUNT(*) AS n FROM verifications WHERE purpose = 'email'`)[0].n;
  const pending = verifications();
  const requestCases = badInputCases({
    base: () => ({ new_email: uniqueEmail('mauvais'), current_password: GOOD_PASSWORD }),
    fields: { new_email: 'email', current_password: 'password' },
    odd: (field, index) => (field === 'new_email' || index === LONG ? invalid(field) : null),
  });
  const confirmCases = badInputCases({
    base: () => ({ verification_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', code: '123456' }),
    fields: { verification_id: 'id', code: 'code' },
  });

  await runTable('POST', '/api/me/email', account, requestCases);
  await runTable('POST', '/api/me/email/confirm', account, confirmCases);

  assert.deepEqual(userRow(account.user.id), before);
  assert.equal(verifications(), pending, 'no code was issued');
});

// --- Sessions -------------------------------------------------------------------------------------

test('the sessions list shows each live session with its device, the current one marked', async () => {
  const account = await person();
  await otherSession(account, FIREFOX);
  await otherSession(account, SAFARI_IPHONE);

  const res = await account.client.sessions();

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.items.length, 3);
  assert.equal(res.body.items.filter((s) => s.current).length, 1);
  const devices = res.body.items.map((s) => s.device);
  assert.ok(devices.includes('Firefox · Linux') && devices.includes('Safari · iOS'), `devices: ${devices}`);
  for (const session of res.body.items) {
    assert.match(session.id, /^[0-9a-f]{32}$/);
    assert.ok(session.created_at > 0 && session.last_seen_at >= session.created_at);
  }
  const hashes = app.sql(`SELECT token_hash FROM sessions WHERE user_id = ${quote(account.user.id)}`).map((r) => r.token_hash);
  assert.ok(res.body.items.every((s) => !hashes.some((h) => h.includes(s.id))), 'an id is not the stored hash');
});

test('a person ends one of their other sessions by id; another person\'s id is 404', async () => {
  const account = await person();
  const phone = await otherSession(account);
  const stranger = await person();
  const strangerSessions = (await stranger.client.sessions()).body.items;
  const listed = (await account.client.sessions()).body.items;
  const target = listed.find((s) => !s.current);

  const foreign = await account.client.endSession(strangerSessions[0].id);
  const ended = await account.client.endSession(target.id);

  assert.equal(foreign.status, 404, foreign.text);
  assert.equal(foreign.body.error.code, 'session_not_found');
  assert.equal((await stranger.client.me()).status, 200, 'the stranger is still signed in');
  assert.equal(ended.status, 204, ended.text);
  assert.equal((await phone.me()).status, 401);
  assert.equal((await account.client.me()).status, 200);
  const again = await account.client.endSession(target.id);
  assert.equal(again.status, 404, 'an ended session is gone from the list');
  for (const odd of ['x'.repeat(300), '%00', '%E2%80%AE', 'ab%20cd', encodeURIComponent('🎉')]) {
    const res = await account.client.endSession(odd);
    assert.ok(res.status === 404, `${odd.slice(0, 20)} answered ${res.status}: ${res.text}`);
    assert.equal(typeof res.body.error.code, 'string');
  }
});

test('"sign out everywhere else" ends every session but the current one', async () => {
  const account = await person();
  const others = [await otherSession(account), await otherSession(account, FIREFOX)];
  const stranger = await person();

  const res = await account.client.endOtherSessions();

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.revoked, 2);
  for (const other of others) assert.equal((await other.me()).status, 401);
  assert.equal((await account.client.me()).status, 200);
  assert.equal((await stranger.client.me()).status, 200);
  assert.equal((await account.client.sessions()).body.items.length, 1);
});

test('ending the current session by id signs this browser out', async () => {
  const account = await person();
  const current = (await account.client.sessions()).body.items.find((s) => s.current);
  const res = await account.client.endSession(current.id);
  assert.equal(res.status, 204, res.text);
  assert.equal((await account.client.me()).status, 401);
});

// --- Security activity ----------------------------------------------------------------------------

test('the activity lists the person\'s own sign-ins, failures and changes, newest first, in pages', async () => {
  const account = await person();
  const stranger = await person();
  await freshClient().logIn(account.email, 'Pas le bon mot de passe');
  await otherSession(account);
  for (let i = 0; i < 21; i += 1) await account.client.updateMe({ first_name: `Marie${'e'.repeat(i % 3)}` });

  const first = await account.client.activity();

  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.items.length, 20);
  assert.equal(typeof first.body.next_cursor, 'string');
  const second = await account.client.activity({ cursor: first.body.next_cursor });
  assert.equal(second.status, 200, second.text);
  const all = [...first.body.items, ...second.body.items];
  assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'pages do not overlap');
  const times = all.map((e) => e.at);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  const actions = all.map((e) => e.action);
  for (const action of ['signup.verified', 'login.failed', 'login.succeeded', 'account.updated']) {
    assert.ok(actions.includes(action), `${action} is in ${actions}`);
  }
  assert.equal(second.body.next_cursor, null, 'the last page says so');
  const strangers = app.sql(`SELECT id FROM audit_events WHERE user_id = ${quote(stranger.user.id)}`).map((r) => r.id);
  assert.ok(all.every((e) => !strangers.includes(e.id)), 'only the person\'s own events');
  for (const bad of ['x', '12_zz', '-1_ab', `${'9'.repeat(400)}_ab`, '%00', encodeURIComponent('\u202E')]) {
    const res = await account.client.activity({ cursor: bad });
    assert.equal(res.status, 422, `cursor ${bad.slice(0, 20)}: ${res.text}`);
  }
});

// --- My data and closing the account --------------------------------------------------------------

test('the export is a JSON download of the account, its profiles, authorizations and events, without secrets', async () => {
  const responsible = await linkedResponsible(app);

  const res = await responsible.client.exportMyData();

  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="sel-mes-donnees-\d{4}-\d{2}-\d{2}\.json"$/);
  assert.equal(res.body.account.email, responsible.email);
  assert.equal(res.body.profiles.length, 1);
  assert.equal(res.body.profiles[0].organisation_name, responsible.organisation.name);
  assert.ok(Array.isArray(res.body.authorizations) && Array.isArray(res.body.access_requests));
  assert.ok(res.body.events.some((e) => e.action === 'login.succeeded' || e.action === 'signup.verified'));
  assert.ok(res.body.sessions.length >= 1);
  assert.ok(Array.isArray(res.body.devices) && Array.isArray(res.body.passkeys));
  assert.doesNotMatch(res.text, /argon2|password_hash|token_hash|code_hash/, 'no secret or hash leaves');
});

test('the last responsible of an organisation cannot close their account; nothing changes', async () => {
  const responsible = await linkedResponsible(app);
  const before = userRow(responsible.user.id);

  const res = await responsible.client.closeAccount({ current_password: GOOD_PASSWORD });

  assert.equal(res.status, 409, res.text);
  assert.equal(res.body.error.code, 'last_responsable');
  assert.match(res.body.error.message, /dernier responsable/);
  assert.deepEqual(res.body.error.organisations, [responsible.organisation.name]);
  assert.deepEqual(userRow(responsible.user.id), before);
  assert.equal((await responsible.client.me()).status, 200);
});

test('closing an account unlinks its contacts, ends its sessions, erases it and keeps a pseudonymous trail', async () => {
  const responsible = await linkedResponsible(app);
  const member = await linkedMember(app, responsible.client);
  const elsewhere = await otherSession(member);

  const wrong = await member.client.closeAccount({ current_password: 'Pas le bon mot de passe' });
  assert.equal(wrong.status, 422, wrong.text);
  const res = await member.client.closeAccount({ current_password: GOOD_PASSWORD });

  assert.equal(res.status, 204, res.text);
  assert.equal((await member.client.me()).status, 401);
  assert.equal((await elsewhere.me()).status, 401);
  assert.equal((await freshClient().logIn(member.email, GOOD_PASSWORD)).status, 401);
  const contact = app.sql(`SELECT status, user_id FROM contacts WHERE id = ${quote(member.contactId)}`)[0];
  assert.deepEqual({ ...contact }, { status: 'invited', user_id: null }, 'the contact is unlinked');
  assert.equal(app.sql(`SELECT COUNT(*) AS n FROM users WHERE id = ${quote(member.user.id)} OR email = ${quote(member.email)}`)[0].n, 0, 'the account is gone');
  const closed = eventsOf(member.user.id, 'account.closed');
  assert.equal(closed.length, 1, 'the trail keeps the closing under the account\'s random id');
  assert.equal(closed[0].details, '{}');
  assert.ok(emailsTo(member.email).includes('account_closed'), 'the owner is told');
  await app.advanceClock(61 * 1000); // past the address's one-code-email-a-minute budget
  const again = await freshClient().signUp({ email: member.email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
    first_name: 'Martin', last_name: 'Membre', accept_terms: true });
  assert.equal(again.status, 202, again.text);
  const codes = await emailTo(app, member.email, (e) => /code de validation/.test(e.subject), { count: 2 });
  const verified = await freshClient().verify(again.body.verification_id, TestApp.codeOf(codes));
  assert.equal(verified.status, 200, 'the address is free for a new account');
  assert.notEqual(verified.body.id, member.user.id);
});

test('a closed account that an organisation\'s records still name stays as an empty row nobody can sign in to', async () => {
  const first = await linkedResponsible(app);
  const second = await linkedMember(app, first.client, { role: 'responsable', first_name: 'Sonia', last_name: 'Seconde' });
  await createToken(app, second.client);
  assert.equal(app.sql(`SELECT COUNT(*) AS n FROM totp_factors WHERE user_id = ${quote(second.user.id)}`)[0].n, 1, 'a responsable has a factor');

  const res = await second.client.closeAccount({ current_password: GOOD_PASSWORD });

  assert.equal(res.status, 204, `another responsable remains, so the account closes: ${res.text}`);
  const row = userRow(second.user.id);
  assert.deepEqual({ ...row, email: row.email.replace(second.user.id, 'ID') },
    { email: 'closed-ID@closed.invalid', password_hash: '!', first_name: '', last_name: '', locale: row.locale, status: 'pending' },
    'the API token it created still names it: the row stays, emptied of personal data');
  assert.equal((await freshClient().logIn(second.email, GOOD_PASSWORD)).status, 401);
  assert.equal((await freshClient().logIn(row.email, GOOD_PASSWORD)).status, 401, 'nobody signs in to the empty row');
  assert.equal((await listTokens(first.client)).length, 1, 'the organisation keeps its token');
  for (const table of ['totp_factors', 'recovery_codes', 'passkeys']) {
    assert.equal(app.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ${quote(second.user.id)}`)[0].n, 0, `no ${table} row outlives the account`);
  }
});

test('DELETE /api/me refuses bad bodies with 4xx JSON and keeps the account', async () => {
  const account = await person();
  const before = userRow(account.user.id);
  const cases = badInputCases({
    base: () => ({ current_password: GOOD_PASSWORD }),
    fields: { current_password: 'password' },
    odd: (field, index) => (index === LONG ? invalid(field) : null),
  });

  await runTable('DELETE', '/api/me', account, cases);

  assert.deepEqual(userRow(account.user.id), before);
  assert.equal((await account.client.me()).status, 200);
});

// Last: it moves the worker's clock a week ahead, which ends every session of the tests above.
test('the cleanup job keeps the emptied row of a closed account while its API token names it', async () => {
  const first = await linkedResponsible(app);
  const second = await linkedMember(app, first.client, { role: 'responsable', first_name: 'Rémi', last_name: 'Retrait' });
  await createToken(app, second.client);
  const closed = await second.client.closeAccount({ current_password: GOOD_PASSWORD });
  assert.equal(closed.status, 204, closed.text);

  await app.advanceClock(8 * 24 * 60 * 60 * 1000);
  const runs = await runJobs(app);

  assert.deepEqual(runs.filter((run) => run.error), [], 'every job ran without error');
  assert.equal(userRow(second.user.id)?.status, 'pending', 'the row the token names is kept');
});
