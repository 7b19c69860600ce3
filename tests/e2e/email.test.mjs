// Email delivery end to end: a request writes an outbox row and enqueues its id; the queue
// consumer renders the template and sends it through the provider (the development mailbox, or an
// HTTP email API played here by a recording server), retrying transient failures with backoff and
// parking what can never be delivered in the dead-letter queue (recorded at /dev/dead-letters).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnApp, uniqueEmail, waitFor, GOOD_PASSWORD, TestApp } from '../support/app.mjs';
import { startRecorder } from '../support/recorder.mjs';

const SIX_DIGITS = /\b\d{6}\b/;

/** Starts a signup (without verifying it); resolves to its client, address and verification id. */
async function startSignup(app, { email = uniqueEmail('email'), locale, client = app.client(), first_name = 'Marie' } = {}) {
  const res = await client.signUp({
    email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
    first_name, last_name: 'Tremblay', accept_terms: true, ...(locale ? { locale } : {}),
  });
  assert.equal(res.status, 202, `the signup should be accepted: ${res.text}`);
  return { client, email, verificationId: res.body.verification_id };
}

/** The outbox rows of one recipient (the addresses of uniqueEmail need no SQL escaping). */
function outboxOf(app, email) {
  assert.match(email, /^[a-z0-9.@-]+$/, 'the address is safe to inline in SQL');
  return app.sql(`SELECT id, template, locale, status, attempts, last_error FROM email_outbox WHERE to_email = '${email}' ORDER BY created_at`);
}

async function deadLetters(app) {
  const res = await app.client().devDeadLetters();
  assert.equal(res.status, 200, `/dev/dead-letters should answer: ${res.text}`);
  return res.body.map((letter) => {
    let parsed;
    try { parsed = JSON.parse(letter.body); } catch { parsed = undefined; }
    return { ...letter, parsed };
  });
}

/** Waits for a dead letter whose parsed body satisfies `predicate`. */
async function waitForDeadLetter(app, what, predicate, { timeoutMs = 20000 } = {}) {
  let seen = [];
  try {
    return await waitFor(`a dead letter for ${what}`, async () => {
      seen = await deadLetters(app);
      return seen.find((l) => l.parsed && predicate(l.parsed));
    }, { timeoutMs, intervalMs: 250 });
  } catch (error) {
    throw new Error(`${error.message}; the newest dead-letter bodies are ${JSON.stringify(seen.slice(0, 5).map((l) => l.body))}`);
  }
}

/** Runs `check`; if it throws, adds the tail of the worker's log to the error (for slow, timing-bound tests). */
async function withWorkerLog(app, check) {
  try {
    return await check();
  } catch (error) {
    error.message += `\n--- last lines of the wrangler log ---\n${app.log().split('\n').slice(-40).join('\n')}`;
    throw error;
  }
}

async function enqueue(app, message) {
  const res = await app.client().devEmailQueue(message);
  assert.equal(res.status, 202, `the development queue endpoint should accept the message: ${res.text}`);
}

describe('with the mailbox provider (the default in development)', () => {
  let app;
  before(async () => { app = await spawnApp(); });
  after(async () => { await app?.stop(); });

  test("a signup's code email lands in /dev/mailbox with its recipient, subject, text, html and sending time", async () => {
    const { email } = await startSignup(app);

    const delivered = await app.waitForEmail(email);

    assert.deepEqual(Object.keys(delivered).sort(), ['html', 'sent_at', 'subject', 'text', 'to'], 'a mailbox entry has exactly these fields');
    assert.equal(delivered.to, email);
    assert.equal(delivered.subject, 'Votre code de validation SEL', 'French is the default language');
    const code = TestApp.codeOf(delivered);
    assert.ok(delivered.html.includes(code), 'the HTML version shows the same code as the text');
    assert.match(delivered.html, /^<!doctype html>/i, 'the html field is an HTML document');
    assert.equal(typeof delivered.sent_at, 'number', 'sent_at is epoch milliseconds');
    assert.ok(Math.abs(delivered.sent_at - Date.now()) < 60000, `sent_at ${delivered.sent_at} should be about now (${Date.now()})`);
  });

  test('the HTML mailbox page at /dev/mailbox/ lists a delivered email with its subject, recipient and code', async () => {
    const { email } = await startSignup(app);
    const code = TestApp.codeOf(await app.waitForEmail(email));

    for (const path of ['/dev/mailbox/', `/dev/mailbox/?to=${encodeURIComponent(email)}`]) {
      const res = await app.client().get(path);

      assert.equal(res.status, 200, `${path} should answer`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${path} is an HTML page`);
      assert.ok(res.text.includes(email), `${path} names the recipient`);
      assert.ok(res.text.includes('Votre code de validation SEL'), `${path} shows the subject`);
      assert.ok(res.text.includes(code), `${path} shows the text with the code`);
    }
  });

  test('the mailbox lists the newest email first', async () => {
    const older = await startSignup(app, { email: uniqueEmail('older') });
    await app.waitForEmail(older.email);
    const newer = await startSignup(app, { email: uniqueEmail('newer') });
    await app.waitForEmail(newer.email);

    const res = await app.client().devMailbox();

    assert.equal(res.status, 200);
    const recipients = res.body.map((entry) => entry.to);
    assert.ok(recipients.includes(older.email) && recipients.includes(newer.email), 'both emails are listed');
    assert.ok(recipients.indexOf(newer.email) < recipients.indexOf(older.email), 'the email sent later comes first');
    const times = res.body.map((entry) => entry.sent_at);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'sent_at never increases down the list');
  });

  test('a poison message is dead-lettered and does not stop a normal email sent right after it', async () => {
    const marker = randomUUID();

    await enqueue(app, { hello: 'world', marker });
    const { email } = await startSignup(app);

    const delivered = await app.waitForEmail(email);
    assert.match(delivered.text, SIX_DIGITS, 'the email after the poison message is delivered normally');
    const letter = await waitForDeadLetter(app, 'the poison message, with its original body', (body) => body.marker === marker);
    assert.deepEqual(letter.parsed, { hello: 'world', marker }, 'the dead letter keeps the original body for the operator');
    assert.match(letter.queue, /^sel-email/, 'the dead letter names its queue');
  });

  test('a message for an unknown outbox id is dead-lettered', async () => {
    const outboxId = `does-not-exist-${randomUUID()}`;

    await enqueue(app, { outbox_id: outboxId });

    const letter = await waitForDeadLetter(app, outboxId, (body) => body.outbox_id === outboxId);
    assert.deepEqual(letter.parsed, { outbox_id: outboxId });
  });

  const languages = [
    { label: "the signup form's locale 'en'", locale: 'en', headers: undefined, subject: 'Your SEL verification code', greeting: 'Hello Marie,', validity: 'This code is valid for 10 minutes', lang: 'en' },
    { label: 'an English Accept-Language header and no locale field', locale: undefined, headers: 'en-CA,en;q=0.9', subject: 'Your SEL verification code', greeting: 'Hello Marie,', validity: 'This code is valid for 10 minutes', lang: 'en' },
    { label: "the signup form's locale 'fr'", locale: 'fr', headers: 'en-CA', subject: 'Votre code de validation SEL', greeting: 'Bonjour Marie,', validity: 'Ce code est valide pendant 10 minutes', lang: 'fr' },
  ];
  test('the code email is written in the language chosen at signup (English with locale en)', async () => {
    for (const { label, locale, headers, subject, greeting, validity, lang } of languages) {
      const client = app.client(headers ? { locale: headers } : undefined);
      const { email } = await startSignup(app, { client, locale });

      const delivered = await app.waitForEmail(email);

      assert.equal(delivered.subject, subject, `${label}: subject`);
      assert.ok(delivered.text.startsWith(greeting), `${label}: the text greets in that language: ${delivered.text}`);
      assert.ok(delivered.text.includes(validity), `${label}: the text explains the code's lifetime in that language`);
      assert.match(delivered.html, new RegExp(`<html lang="${lang}">`), `${label}: the HTML declares its language`);
      assert.equal(outboxOf(app, email)[0]?.locale, lang, `${label}: the outbox row records the language`);
    }
  });
});

describe('with the HTTP provider', { concurrency: true }, () => {
  let app;
  let recorder;
  // Every test uses its own recipient, so each one programs the provider's answers for its own
  // address: the tests can then run side by side against one worker.
  const scripts = new Map();
  const answered = new Map();
  const toOf = (request) => request.body?.to;

  before(async () => {
    recorder = await startRecorder({
      script: (request) => {
        const to = toOf(request);
        const index = answered.get(to) ?? 0;
        answered.set(to, index + 1);
        const script = scripts.get(to) ?? [200];
        return script[Math.min(index, script.length - 1)];
      },
    });
    app = await spawnApp({ vars: { EMAIL_PROVIDER: 'http', EMAIL_API_URL: `${recorder.url}/send`, EMAIL_API_KEY: 'test-key' } });
  });
  after(async () => {
    await app?.stop();
    await recorder?.close();
  });

  const requestsTo = (email) => recorder.requests.filter((r) => toOf(r) === email);
  const waitForRequestsTo = (email, n, options) => recorder.waitForRequests(n, { filter: (r) => toOf(r) === email, ...options });

  test('a signup posts one JSON email with the bearer key and an idempotency key, whose code validates the account, and nothing lands in the mailbox', async () => {
    const { client, email, verificationId } = await startSignup(app);

    const [sent] = await waitForRequestsTo(email, 1);

    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, '/send', 'the email goes to EMAIL_API_URL');
    assert.equal(sent.headers.authorization, 'Bearer test-key', 'the API key is sent as a bearer token');
    assert.match(sent.headers['content-type'] ?? '', /^application\/json\b/);
    const [row] = outboxOf(app, email);
    assert.equal(sent.headers['idempotency-key'], row.id, 'the idempotency key is the outbox id');
    assert.deepEqual(Object.keys(sent.body).sort(), ['from', 'html', 'subject', 'text', 'to'], 'the body is {from, to, subject, text, html}');
    assert.equal(sent.body.from, 'SEL <no-reply@sel.example>', 'the sender is EMAIL_FROM');
    assert.equal(sent.body.to, email);
    assert.equal(sent.body.subject, 'Votre code de validation SEL');
    const code = sent.body.text.match(SIX_DIGITS)?.[0];
    assert.ok(code, `the text carries a six-digit code: ${sent.body.text}`);
    assert.ok(sent.body.html.includes(code), 'the HTML carries the same code');
    const verified = await client.verify(verificationId, code);
    assert.equal(verified.status, 200, `the emailed code validates the account: ${verified.text}`);
    await waitFor('the outbox row to be marked sent', () => outboxOf(app, email)[0]?.status === 'sent', { intervalMs: 1000 });
    assert.deepEqual(await app.mailbox(email), [], 'the HTTP provider does not write to the development mailbox');
    assert.equal(requestsTo(email).length, 1, 'the email is posted once');
  });

  test('transient provider failures (500, 500, then 200) are retried with backoff under the same idempotency key until delivered', async (t) => {
    const email = uniqueEmail('transient');
    scripts.set(email, [500, 500, 200]);
    const started = Date.now();

    await startSignup(app, { email });

    const attempts = await withWorkerLog(app, () => waitForRequestsTo(email, 3, { timeoutMs: 120000, intervalMs: 250 }));
    t.diagnostic(`3 attempts took ${((attempts[2].at - started) / 1000).toFixed(1)} s; gaps ${(attempts[1].at - attempts[0].at) / 1000} s and ${(attempts[2].at - attempts[1].at) / 1000} s`);
    assert.deepEqual(attempts.map((r) => r.status), [500, 500, 200], 'the recorder answered as scripted');
    const keys = new Set(attempts.map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1, `every attempt carries the same idempotency key: ${[...keys]}`);
    const firstGap = attempts[1].at - attempts[0].at;
    const secondGap = attempts[2].at - attempts[1].at;
    assert.ok(firstGap >= 9000, `the first retry waits about 10 s (waited ${firstGap} ms)`);
    assert.ok(secondGap >= 19000, `the second retry waits about 20 s, double the first (waited ${secondGap} ms)`);
    const row = await waitFor('the outbox row to be marked sent', () => {
      const [current] = outboxOf(app, email);
      return current?.status === 'sent' ? current : undefined;
    }, { intervalMs: 1000 });
    assert.equal(row.id, [...keys][0], 'the idempotency key is the outbox id');
    assert.equal(row.attempts, 3, 'the outbox counts the three attempts');
    assert.equal(row.last_error, null, 'a delivered email keeps no error');
    assert.equal(requestsTo(email).length, 3, 'no attempt after the success');
  });

  test('a permanent refusal (400) is not retried: one request, the outbox row fails and the message is dead-lettered', async () => {
    const email = uniqueEmail('refused');
    scripts.set(email, [400]);

    await startSignup(app, { email });

    await waitForRequestsTo(email, 1);
    const row = await waitFor('the outbox row to be marked failed', () => {
      const [current] = outboxOf(app, email);
      return current?.status === 'failed' ? current : undefined;
    }, { intervalMs: 1000 });
    assert.equal(row.attempts, 1, 'one attempt is recorded');
    assert.match(row.last_error ?? '', /400/, 'the error names the refusal');
    await waitForDeadLetter(app, row.id, (body) => body.outbox_id === row.id);
    // A retry would come after at least the first backoff delay (10 s): watch for a little longer.
    const retried = await waitForRequestsTo(email, 2, { timeoutMs: 13000, intervalMs: 250 }).then(() => true, () => false);
    assert.equal(retried, false, 'the refused email is never posted again');
    assert.equal(requestsTo(email).length, 1);
  });

  test('a redelivered message of an email already sent is not sent again', async () => {
    const { email } = await startSignup(app, { email: uniqueEmail('redelivered') });
    await waitForRequestsTo(email, 1);
    const [row] = await waitFor('the outbox row to be marked sent', () => {
      const rows = outboxOf(app, email);
      return rows[0]?.status === 'sent' ? rows : undefined;
    }, { intervalMs: 1000 });
    const sentinel = `sentinel-${randomUUID()}`;

    await enqueue(app, { outbox_id: row.id, code: '123456' });
    // Messages are consumed in order: once this later one is dead-lettered, the redelivery was handled.
    await enqueue(app, { outbox_id: sentinel });
    await waitForDeadLetter(app, 'the sentinel message', (body) => body.outbox_id === sentinel);

    assert.equal(requestsTo(email).length, 1, 'the provider still received exactly one copy');
    const [afterRow] = outboxOf(app, email);
    assert.equal(afterRow.status, 'sent');
    assert.equal(afterRow.attempts, 1, 'the redelivery is not counted as an attempt');
  });
});
