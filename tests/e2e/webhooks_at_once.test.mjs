// Outgoing webhooks sent by the request that made the event, right after its answer: the first
// attempt does not wait for the webhook queue (which waits up to a second for a batch to fill) and
// such a delivery gets no queue message at all (created leased, it is the cron sweep's once the
// lease ends, should that attempt never start; the sweep then finds it done and sends nothing); a
// failed first attempt is retried on the usual schedule through the queue; and a fan-out larger
// than what a request attempts itself is shared between both paths with every delivery sent once.
//
// The queue's message for a delivery is sent after the event was appended, and wrangler dev's local
// queue hands a batch of fewer than 100 messages to the consumer a full `max_batch_timeout` (1 s,
// wrangler.toml) after the first one arrived: an attempt the worker claimed within a second of the
// event's time (both on the worker's clock) was made by the request itself. The worker logs a line
// for each queue batch it handled (src/observability.rs), with its number of messages: once the
// webhook queue's batches hold all the messages of a test's deliveries, none is still to come.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, waitFor } from '../support/app.mjs';
import { createOrganisation, sql, quote } from '../support/orgs.mjs';
import { seedMigrated, REVIEW } from '../support/authz.mjs';
import {
  withReceiver, verify, SCHEDULE, createWebhook, employerWithWebhook, newFirm, grant, attemptRows,
} from '../support/webhooks.mjs';

/** The queue's wait for a batch to fill (`max_batch_timeout` of sel-webhooks in wrangler.toml). */
const QUEUE_WAIT_MS = 1000;
/** How long a delivery's lease lasts (`LEASE` in src/webhooks/mod.rs). */
const LEASE_MS = 60_000;
/** The most a test waits for the queue to hand out the messages it expects. */
const MESSAGES_MS = 60_000;
/** What a request attempts itself (`DIRECT_ATTEMPTS` in src/webhooks/mod.rs). */
const DIRECT_ATTEMPTS = 100;

/** How many messages the webhook queue's batches handled so far held, from the worker's log. */
function queuedMessages(app) {
  let total = 0;
  for (const line of app.log().split('\n')) {
    const json = line.match(/\{.*"queue_batch".*\}/)?.[0];
    if (!json) continue;
    try {
      const batch = JSON.parse(json);
      if (batch.queue === 'sel-webhooks') total += batch.messages;
    } catch { /* another line that mentions queue_batch */ }
  }
  return total;
}

/** Waits until the webhook queue has handled `count` messages more than `before`. */
function queueHandled(app, before, count) {
  return waitFor(`the webhook queue to hand out ${count} more message(s)`, () => queuedMessages(app) >= before + count,
    { timeoutMs: MESSAGES_MS, intervalMs: 500 });
}

/** The deliveries of `webhookIds`, with how many attempts each logged, once all are concluded. */
async function concluded(app, webhookIds, count) {
  const list = webhookIds.map(quote).join(', ');
  return waitFor(`${count} deliveries to be concluded`, async () => {
    const rows = await sql(app, `SELECT d.id, d.status, d.attempts, (SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_id = d.id) AS logged
      FROM webhook_deliveries d WHERE d.endpoint_id IN (${list})`);
    return rows.length === count && rows.every((r) => r.status !== 'pending') ? rows : undefined;
  });
}

describe('webhooks sent at once by the request that made the event', () => {
  let app;
  before(async () => { app = await spawnApp(); });
  after(async () => { await app?.stop(); });

  // The tests count the queue's messages: each waits for all of its own before it ends.
  test("a change reaches every endpoint within the queue's wait, without a queue message, and the sweep after the lease sends nothing again", async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver, '/a');
      const others = [];
      for (const path of ['/b', '/c']) {
        const created = await createWebhook(employer.client, receiver.url + path);
        assert.equal(created.status, 201, created.text);
        others.push(created.body);
      }
      const firm = await newFirm(app);
      const ids = [employer.webhook.id, ...others.map((o) => o.webhook.id)];
      const before = queuedMessages(app);

      await grant(employer.client, firm);
      const arrived = await receiver.waitFor(3);
      await concluded(app, ids, 3);
      const firstAttempts = await sql(app, `SELECT a.at - e.at AS after_event FROM webhook_attempts a
        JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN domain_events e ON e.seq = d.event_seq
        WHERE d.endpoint_id IN (${ids.map(quote).join(', ')}) AND a.number = 1`);
      // Past the lease, the sweep takes what an attempt that never started left behind: here nothing.
      await app.advanceClock(LEASE_MS + 1000);
      await app.runScheduled();
      const rows = await concluded(app, ids, 3);
      assert.equal(queuedMessages(app), before, 'the queue handed out no message for them');

      assert.equal(firstAttempts.length, 3);
      for (const { after_event: after } of firstAttempts) {
        assert.ok(after < QUEUE_WAIT_MS, `the first attempt was claimed ${after} ms after the event: before the queue could hand it out`);
      }
      const secrets = { '/a': employer.secret, '/b': others[0].secret, '/c': others[1].secret };
      for (const request of arrived) assert.equal(verify(secrets[request.path], request).valid, true, `${request.path}: signed`);
      assert.equal(receiver.requests.length, 3, 'one request per endpoint, the queue sent none again');
      assert.equal(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size, 3, 'each delivery once');
      for (const row of rows) {
        assert.equal(row.status, 'succeeded');
        assert.equal(row.attempts, 1, 'one attempt claimed');
        assert.equal(row.logged, 1, 'one attempt logged');
      }
    });
  });

  test('a fan-out larger than what the request attempts itself goes out partly through the queue, each delivery once', { timeout: MESSAGES_MS + 120_000 }, async () => {
    await withReceiver(async (receiver) => {
      const events = ['authorization.revoked'];
      const employer = await employerWithWebhook(app, receiver, '/r0', events);
      const endpoints = [employer.webhook.id];
      for (let i = 1; i < 10; i += 1) {
        const created = await createWebhook(employer.client, `${receiver.url}/r${i}`, events);
        assert.equal(created.status, 201, created.text);
        endpoints.push(created.body.webhook.id);
      }
      // 110 deliveries from one request: more than the 100 it attempts itself.
      const relations = 11;
      for (let i = 0; i < relations; i += 1) {
        const firm = await createOrganisation(app);
        await seedMigrated(app, { employer: employer.organisation, firm: firm.organisation, contactId: firm.responsible.contact_id });
      }
      const before = queuedMessages(app);

      const review = await employer.client.post(REVIEW, { decision: 'revoke' });
      assert.equal(review.status, 200, review.text);
      assert.equal(review.body.revoked, relations);
      const total = relations * endpoints.length;
      await receiver.waitFor(total, { timeoutMs: 60000 });
      await queueHandled(app, before, total - DIRECT_ATTEMPTS);
      const rows = await concluded(app, endpoints, total);

      assert.equal(queuedMessages(app), before + total - DIRECT_ATTEMPTS, 'a message only for what the request left to the queue');
      assert.equal(receiver.requests.length, total, `${total} requests, none twice`);
      assert.equal(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size, total, 'each delivery once');
      assert.deepEqual(new Set(rows.map((r) => `${r.status} ${r.attempts} ${r.logged}`)), new Set(['succeeded 1 1']), 'one attempt each, logged once');
    });
  });

  test('a receiver that fails the attempt made at once gets the retry on the usual schedule, through the queue', async () => {
    await withReceiver(async (receiver) => {
      receiver.answer = (request, index) => (index > 0 ? 200 : 503);
      const employer = await employerWithWebhook(app, receiver);

      await grant(employer.client, await newFirm(app));
      const [first, second] = await receiver.waitFor(2, { timeoutMs: 30000 });
      const [row] = await concluded(app, [employer.webhook.id], 1);
      const attempts = await attemptRows(app, row.id);
      const [event] = await sql(app, `SELECT e.at FROM domain_events e JOIN webhook_deliveries d ON d.event_seq = e.seq WHERE d.id = ${quote(row.id)}`);

      assert.equal(first.status, 503);
      assert.equal(second.status, 200);
      assert.equal(first.headers['webhook-id'], row.id);
      assert.equal(second.headers['webhook-id'], row.id, 'the retry is the same delivery');
      assert.equal(row.status, 'succeeded');
      assert.equal(row.attempts, 2);
      assert.deepEqual(attempts.map((a) => [a.number, a.status_code]), [[1, 503], [2, 200]], 'two attempts logged, no more');
      assert.ok(attempts[0].at - event.at < QUEUE_WAIT_MS, `the failed attempt was made ${attempts[0].at - event.at} ms after the event, by the request`);
      const wait = attempts[1].at - attempts[0].at;
      const base = SCHEDULE[0] * 1000;
      assert.ok(wait >= base && wait <= base * 1.2 + QUEUE_WAIT_MS + 5000, `the retry came ${wait} ms later: the schedule's ${base} ms plus jitter`);
    });
  });
});
