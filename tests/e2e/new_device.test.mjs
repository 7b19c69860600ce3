// New-device sign-in emails: every sign-in sets a long-lived random cookie __Host-sel_device
// (HttpOnly, Secure, SameSite=Lax), stored hashed per account. A sign-in from a browser never seen
// for the account emails its owner "Nouvelle connexion à votre compte" (in their language: the time
// in Montreal, the browser from the User-Agent, the coarse network, what to do if it was not them)
// and shows in their security activity. The browser that validated the signup is the account's
// first and sends nothing; at most three such emails go out an hour, however many sign-ins burst.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GOOD_PASSWORD, spawnApp, uniqueEmail } from '../support/app.mjs';
import { answeredByWorker, enrolTotp, workerClock } from '../support/client.mjs';
import { emailTo, quote, signedUp, sql } from '../support/orgs.mjs';
import { countsOf, runJobs } from '../support/jobs.mjs';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const DEVICE_COOKIE = /^__Host-sel_device=([0-9a-f]{64});/;

let app;

before(async () => {
  app = await spawnApp();
});

after(async () => {
  await app?.stop();
});

const newDeviceEmails = (to) =>
  sql(app, `SELECT id, locale, params FROM email_outbox WHERE to_email = ${quote(to)} AND template = 'new_device_sign_in'`);
const isNewDeviceEmail = (email) => /Nouvelle connexion à votre compte|New sign-in to your account/.test(email.subject);

/** A fresh browser (no cookie) at `ip`, saying it is Firefox on Linux. */
function browser(ip = '203.0.113.77') {
  const client = app.client({ ip });
  client.userAgent = FIREFOX;
  return client;
}

/** What Montreal's wall clock reads at `ms`, as the email writes it. */
function montrealMinute(ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Montreal', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

test('the signup browser and later sign-ins from it send nothing; a new browser gets one email with the time, browser and network', async () => {
  const person = await signedUp(app, { first_name: 'Rachel' });
  const cookie = person.client.lastSetCookie.find((c) => DEVICE_COOKIE.test(c));
  assert.ok(cookie, `validating the signup sets the device cookie: ${person.client.lastSetCookie}`);
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`);
  assert.match(cookie, /Max-Age=\d{8}/, 'a long-lived cookie');

  assert.equal((await person.client.logOut()).status, 204);
  assert.equal((await person.client.logIn(person.email, person.password)).status, 200);
  assert.deepEqual(await newDeviceEmails(person.email), [], 'the same browser signs in again silently');

  const elsewhere = browser();
  const signedIn = await elsewhere.logIn(person.email, person.password);
  const at = await workerClock(app.baseUrl);
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.ok(elsewhere.lastSetCookie.some((c) => DEVICE_COOKIE.test(c)), 'the new browser gets its own cookie');
  assert.equal((await newDeviceEmails(person.email)).length, 1, 'one email is queued with the session');

  const email = await emailTo(app, person.email, isNewDeviceEmail);
  assert.equal(email.subject, 'Nouvelle connexion à votre compte');
  assert.match(email.text, /Bonjour Rachel/);
  assert.ok(email.text.includes('Firefox · Linux'), email.text);
  assert.ok(email.text.includes('203.0.113.0/24'), `the coarse network, never the full address: ${email.text}`);
  assert.ok(!email.text.includes('203.0.113.77'), email.text);
  assert.ok([montrealMinute(at), montrealMinute(at - 60_000)].some((minute) => email.text.includes(minute)), `the Montreal time: ${email.text}`);
  assert.match(email.text, /Mot de passe oublié/);
  assert.match(email.text, /Sessions actives/);

  assert.equal((await elsewhere.logOut()).status, 204);
  assert.equal((await elsewhere.logIn(person.email, person.password)).status, 200);
  assert.equal((await newDeviceEmails(person.email)).length, 1, 'that browser is now known');

  const activity = await person.client.activity();
  assert.equal(activity.status, 200, activity.text);
  assert.equal(activity.body.items.filter((e) => e.action === 'login.new_device').length, 1, 'the new device shows in the security activity');
  const stored = await sql(app, `SELECT d.device_hash FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = ${quote(person.email)}`);
  assert.equal(stored.length, 2, 'two browsers are known');
  assert.ok(stored.every((d) => d.device_hash !== cookie.match(DEVICE_COOKIE)[1]), 'by a hash, never the cookie itself');
});

test('an English speaker gets the email in English, and a sign-in through the second factor counts too', async () => {
  const email = uniqueEmail('english');
  const person = await app.signedUpUser({ email, first_name: 'Ann', locale: 'en' });
  await enrolTotp(person.client);

  const elsewhere = browser('2001:db8:aa:bb::5');
  const signedIn = await elsewhere.logIn(email, GOOD_PASSWORD);
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.ok(elsewhere.lastSetCookie.some((c) => DEVICE_COOKIE.test(c)), 'the challenge\'s answer sets the device cookie');

  const sent = await emailTo(app, email, isNewDeviceEmail);
  assert.equal(sent.subject, 'New sign-in to your account');
  assert.ok(sent.text.includes('2001:db8:aa::/48'), sent.text);
  assert.match(sent.text, /Forgot your password/);
});

test('a malformed device cookie is no device: the sign-in works and the browser gets a fresh cookie', async () => {
  const person = await signedUp(app);
  const elsewhere = browser();
  elsewhere.cookies.set('__Host-sel_device', 'not-a-device');
  const signedIn = await elsewhere.logIn(person.email, person.password);
  assert.equal(signedIn.status, 200, signedIn.text);
  const fresh = elsewhere.lastSetCookie.find((c) => DEVICE_COOKIE.test(c));
  assert.ok(fresh, 'a well-formed cookie replaces it');
  assert.equal((await newDeviceEmails(person.email)).length, 1);
});

test('a burst of 40 sign-ins from 40 new browsers sends at most three new-device emails', async () => {
  const person = await signedUp(app);
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => browser(`198.51.100.${i + 1}`).post('/api/session', { email: person.email, password: person.password })));
  const answered = answeredByWorker(answers);
  for (const res of answered) assert.ok([200, 429].includes(res.status), `a sign-in or a throttle, never an error: ${res.status} ${res.text}`);
  const signedIn = answered.filter((res) => res.status === 200).length;
  assert.ok(signedIn >= 1, 'some sign-ins went through');

  const queued = await newDeviceEmails(person.email);
  assert.ok(queued.length >= 1 && queued.length <= 3, `at most three emails an hour (${queued.length} queued for ${signedIn} sign-ins)`);
  const [events] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events a JOIN users u ON u.id = a.user_id WHERE u.email = ${quote(person.email)} AND a.action = 'login.new_device'`);
  assert.ok(events.n >= queued.length, 'every new browser is still in the security activity');
});

// Last: it moves the worker's clock 401 days on.
test('a browser not seen for 400 days, past its cookie\'s life, is forgotten by the cleanup', async () => {
  const person = await signedUp(app);
  const devicesOf = () => sql(app, `SELECT d.id FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = ${quote(person.email)}`);
  assert.equal((await devicesOf()).length, 1);
  await app.advanceClock(401 * 24 * 60 * 60 * 1000);
  const runs = await runJobs(app);
  assert.ok(countsOf(runs, 'cleanup').known_devices >= 1, `the run counts it: ${JSON.stringify(countsOf(runs, 'cleanup'))}`);
  assert.deepEqual(await devicesOf(), []);
});
