// Outgoing webhooks over time and in production: failed attempts retried on the Standard Webhooks
// schedule (the controllable clock and the cron sweep stand in for days) until the endpoint is
// disabled and its responsables emailed; a rotated secret signing alongside the new one for 24
// hours; the SSRF guard of a production configuration. Each suite has its own instance: moving the
// clock by days would end every other test's session.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, waitFor, GOOD_PASSWORD, TestApp } from '../support/app.mjs';
import { operatorRequest, organisationForm, linkCredentialsOf, emailTo, sql, quote, selectProfile, link, HOUR, MINUTE } from '../support/orgs.mjs';
import {
  startReceiver, withReceiver, verify, SCHEDULE, isDisabledEmail, createWebhook, employerWithWebhook, newFirm, grant, deliveryRows,
  attemptRows, endpointRow,
} from '../support/webhooks.mjs';

describe('webhooks over time', () => {
  let app;
  before(async () => { app = await spawnApp(); });
  after(async () => { await app?.stop(); });

  test('failed attempts are retried on the Standard Webhooks schedule, then the endpoint is disabled and its responsables emailed', async () => {
    await withReceiver(async (receiver) => {
      receiver.answer = () => 503;
      const employer = await employerWithWebhook(app, receiver);
      await grant(employer.client, await newFirm(app));
      const [first] = await receiver.waitFor(1);
      const deliveryId = first.headers['webhook-id'];

      for (let attempt = 1; attempt <= SCHEDULE.length; attempt += 1) {
        // One statement, so the delivery and its log are read as of the same moment.
        const row = await waitFor(`attempt ${attempt} to be recorded`, async () => {
          const [delivery] = await sql(app, `SELECT d.*, (SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_id = d.id) AS logged
            FROM webhook_deliveries d WHERE d.id = ${quote(deliveryId)}`);
          return delivery.attempts >= attempt && delivery.logged === delivery.attempts ? delivery : undefined;
        });
        if (row.attempts === attempt) {
          // Move to the next attempt's time; the cron sweep sends what is due.
          await app.advanceClock(row.next_attempt_at - row.last_attempt_at + 1000);
          await app.runScheduled();
        }
        await receiver.waitFor(attempt + 1);
      }
      const email = await emailTo(app, employer.email, isDisabledEmail);

      const attempts = await waitFor('the last attempt to be logged', async () => {
        const rows = await attemptRows(app, deliveryId);
        return rows.length === SCHEDULE.length + 1 ? rows : undefined;
      });
      const waits = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
      waits.forEach((wait, i) => {
        const base = SCHEDULE[i] * 1000;
        assert.ok(wait >= base && wait <= base * 1.2 + 60_000, `wait ${i + 1} is ${wait} ms: the schedule's ${base} ms plus at most 20 % jitter`);
      });
      for (let i = 1; i < waits.length; i += 1) assert.ok(waits[i] >= waits[i - 1] * 0.8, `waits grow: ${waits}`);
      assert.ok(attempts.every((a) => a.status_code === 503 && /503/.test(a.error) && a.error_kind === 'status'), 'each attempt logged its answer');
      const [delivery] = await deliveryRows(app, employer.webhook.id);
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.next_attempt_at, null);
      const endpoint = await endpointRow(app, employer.webhook.id);
      assert.equal(endpoint.status, 'disabled');
      assert.equal(endpoint.disabled_reason, 'failing');
      assert.match(email.text, /trois jours|three days/);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      assert.equal(receiver.requests.length, SCHEDULE.length + 1, 'twelve attempts in all: a late queued retry sends nothing again');
      const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      assert.deepEqual([...ids], [deliveryId], 'every attempt carries the same webhook-id');
      for (const request of receiver.requests) assert.equal(verify(employer.secret, request).valid, true);
    });
  });

  test('after a rotation both secrets sign for 24 hours, then only the new one', async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver);
      const id = employer.webhook.id;

      const rotated = await employer.client.rotateWebhookSecret(id, {});
      await grant(employer.client, await newFirm(app));
      const [during] = await receiver.waitFor(1);

      assert.equal(rotated.status, 200, rotated.text);
      assert.match(rotated.body.secret, /^whsec_/);
      assert.ok(rotated.body.webhook.previous_secret_expires_at > rotated.body.webhook.updated_at + 23 * HOUR);
      assert.equal(verify(rotated.body.secret, during).signatures, 2, 'two signatures during the grace period');
      assert.equal(verify(rotated.body.secret, during).valid, true, 'the new secret verifies');
      assert.equal(verify(employer.secret, during).valid, true, 'the previous secret still verifies');

      await app.advanceClock(24 * HOUR + MINUTE);
      const again = app.client();
      assert.equal((await again.logIn(employer.email, GOOD_PASSWORD)).status, 200);
      assert.equal((await selectProfile(again, employer.profile.id)).status, 200);
      await grant(again, await newFirm(app));
      const [, afterGrace] = await receiver.waitFor(2);

      assert.equal(verify(rotated.body.secret, afterGrace).signatures, 1, 'one signature after the grace period');
      assert.equal(verify(rotated.body.secret, afterGrace).valid, true);
      assert.equal(verify(employer.secret, afterGrace).valid, false, 'the previous secret no longer verifies');
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('webhooks in production', () => {
  let app;
  let emails;
  before(async () => {
    emails = await startReceiver();
    app = await spawnApp({
      vars: {
        ENVIRONMENT: 'production', EMAIL_PROVIDER: 'http', EMAIL_API_URL: `${emails.url}/send`, EMAIL_API_KEY: 'k',
        CODE_HASH_KEY: 'production-test-key', OPERATOR_TOKEN: 'production-operator-token',
      },
    });
  });
  after(async () => { await app?.stop(); await emails?.close(); });

  /** The newest email the provider received for `to` whose text matches `pattern`. */
  const emailFor = (to, pattern) => waitFor(`an email to ${to}`, () => emails.requests.filter((r) => r.body?.to === to && pattern.test(r.body.text)).at(-1)?.body, { timeoutMs: 30000 });

  /** A responsible of a new firm, signed up, linked and acting for it, through the production email provider. */
  async function productionResponsible() {
    const form = organisationForm();
    const created = await operatorRequest(app, '/api/operator/organisations', { json: form, token: 'production-operator-token' });
    assert.equal(created.status, 201, created.text);
    const credentials = linkCredentialsOf(await emailFor(form.responsible.email, /SEL-/));
    const client = app.client();
    const started = await client.signUp({ email: form.responsible.email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Rachel', last_name: 'Responsable', accept_terms: true });
    assert.equal(started.status, 202, started.text);
    const code = TestApp.codeOf(await emailFor(form.responsible.email, /\b\d{6}\b/));
    assert.equal((await client.verify(started.body.verification_id, code)).status, 200);
    const linked = await link(client, credentials);
    assert.equal(linked.status, 200, linked.text);
    assert.equal((await selectProfile(client, linked.body.profile.id)).status, 200);
    return client;
  }

  test('in production only https to public hosts is accepted: private, loopback, link-local and odd addresses are refused', async () => {
    const client = await productionResponsible();
    for (const [url, why] of [
      ['http://127.0.0.1:8080/hook', 'plain http, even to the loopback'],
      ['https://127.0.0.1/hook', 'the loopback'],
      ['https://localhost/hook', 'localhost'],
      ['https://[::1]/hook', 'the IPv6 loopback'],
      ['https://10.1.2.3/hook', 'a private address'],
      ['https://172.20.0.1/hook', 'a private address'],
      ['https://192.168.1.10/hook', 'a private address'],
      ['https://169.254.169.254/latest/meta-data/', 'the cloud metadata address (link-local)'],
      ['https://100.64.0.1/hook', 'shared address space (CGNAT)'],
      ['https://[fd00::1]/hook', 'a unique-local IPv6 address'],
      ['https://[fe80::1]/hook', 'a link-local IPv6 address'],
      ['https://[::ffff:10.0.0.1]/hook', 'an IPv4-mapped private address'],
      ['https://2130706433/hook', 'the loopback in decimal'],
      ['https://0x7f000001/hook', 'the loopback in hex'],
      ['https://0177.0.0.1/hook', 'the loopback in octal'],
      ['https://metadata.google.internal/computeMetadata/v1/', 'an internal name'],
      ['https://intranet/hook', 'a single-label name'],
    ]) {
      const res = await createWebhook(client, url);
      assert.equal(res.status, 422, `${url} (${why}) is refused: ${res.text}`);
      assert.equal(typeof res.body.error.fields?.url, 'string', `${why}: the url field says why`);
    }
    const publicHost = await createWebhook(client, 'https://hooks.example.com/sel');
    assert.equal(publicHost.status, 201, `a public https URL is accepted: ${publicHost.text}`);
    const toPrivate = await client.updateWebhook(publicHost.body.webhook.id, { url: 'https://10.0.0.1/' });
    assert.equal(toPrivate.status, 422, `changing the URL to a private address is refused too: ${toPrivate.text}`);
  });
});
