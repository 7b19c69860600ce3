// Webhook endpoints outside the development loopback use port 443 or 8443 only; the test event
// and the replay a responsible sends by hand are throttled per endpoint (the slot is taken before
// anything is sent) and audited; a delivery that got no answer is logged by kind, not by the
// platform's raw words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, waitFor, freePort, isDevProxyDrop, untilAnswered } from '../support/app.mjs';
import { linkedResponsible, sql, quote } from '../support/orgs.mjs';
import { withReceiver, createWebhook, deliveryRows } from '../support/webhooks.mjs';

const BURST = 40;
const MANUAL_SENDS_PER_HOUR = 10;
let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

test('a webhook URL on a port other than 443 or 8443 is refused 422, and 8443 is accepted', async () => {
  const { client } = await linkedResponsible(app);
  for (const port of [8080, 22, 444]) {
    const res = await createWebhook(client, `https://hooks.example.com:${port}/sel`);
    assert.equal(res.status, 422, `${port}: ${res.text}`);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.ok(res.body.error.fields.url, `${port}: the url is named`);
  }
  const accepted = await createWebhook(client, 'https://hooks.example.com:8443/sel');
  assert.equal(accepted.status, 201, accepted.text);
  const changed = await client.updateWebhook(accepted.body.webhook.id, { url: 'https://hooks.example.com:9443/sel' });
  assert.equal(changed.status, 422, changed.text);
});

test('40 concurrent test events for one endpoint send at most ten, each audited, and a replay then waits too', async () => {
  await withReceiver(async (receiver) => {
    const { client } = await linkedResponsible(app);
    const created = await createWebhook(client, `${receiver.url}/burst`);
    assert.equal(created.status, 201, created.text);
    const id = created.body.webhook.id;

    const answers = await Promise.all(Array.from({ length: BURST }, () => client.testWebhook(id, {})
      .catch((error) => ({ status: 0, body: { error: String(error) } }))));

    const rows = await deliveryRows(app, id);
    const [counter] = await sql(app, `SELECT count FROM rate_limits WHERE key = ${quote(`webhook-manual:${id}`)}`);
    const audited = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'webhook.test_sent' AND json_extract(details, '$.webhook_id') = ${quote(id)}`);
    const accepted = answers.filter((a) => a.status === 202).length;
    const throttled = answers.filter((a) => a.status === 429 && a.body?.error?.code === 'too_many_attempts').length;
    const dropped = answers.filter(isDevProxyDrop).length;
    assert.ok(rows.length <= MANUAL_SENDS_PER_HOUR, `at most ten test deliveries: ${rows.length}`);
    assert.ok(counter.count <= MANUAL_SENDS_PER_HOUR, `the counter stops at ten: ${counter.count}`);
    assert.ok(accepted <= MANUAL_SENDS_PER_HOUR, `at most ten accepted: ${accepted}`);
    assert.ok(throttled >= BURST - MANUAL_SENDS_PER_HOUR - dropped, `the rest wait: ${throttled} (${dropped} dropped by the proxy)`);
    assert.equal(audited[0].n, rows.length, 'every test event sent is in the audit trail');

    // Sent again if wrangler dev's proxy drops it: a replay that ran took a slot, and still waits.
    const replay = await untilAnswered(() => client.replayDelivery(rows[0].id, {}));
    assert.equal(replay.status, 429, `replays share the endpoint's budget: ${replay.text}`);
    assert.ok(Number(replay.headers.get('retry-after')) > 0, 'Retry-After says when');
  });
});

test('a replay takes a slot of the endpoint\'s budget and is audited', async () => {
  await withReceiver(async (receiver) => {
    const { client } = await linkedResponsible(app);
    const created = await createWebhook(client, `${receiver.url}/replayed`);
    const id = created.body.webhook.id;
    const sent = await client.testWebhook(id, {});
    assert.equal(sent.status, 202, sent.text);

    const replay = await client.replayDelivery(sent.body.delivery.id, {});

    assert.equal(replay.status, 202, replay.text);
    const [counter] = await sql(app, `SELECT count FROM rate_limits WHERE key = ${quote(`webhook-manual:${id}`)}`);
    assert.equal(counter.count, 2, 'the test event and the replay each took a slot');
    const [event] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'webhook.delivery_replayed' AND json_extract(details, '$.delivery_id') = ${quote(sent.body.delivery.id)}`);
    assert.equal(event.n, 1);
  });
});

test('a delivery to a closed port is logged as a connection failure, without the platform\'s words', async () => {
  const { client } = await linkedResponsible(app);
  const closed = await freePort();
  const created = await createWebhook(client, `http://127.0.0.1:${closed}/nobody`);
  assert.equal(created.status, 201, created.text);
  const sent = await client.testWebhook(created.body.webhook.id, {});
  assert.equal(sent.status, 202, sent.text);

  const attempt = await waitFor('the failed attempt', async () => {
    const res = await client.webhookDeliveries(created.body.webhook.id);
    return res.body.items?.[0]?.attempt_log?.[0];
  });

  assert.equal(attempt.error_kind, 'connect', `${JSON.stringify(attempt)}\n${app.log().split('\n').filter((l) => l.includes('not delivered')).join('\n')}`);
  assert.equal(attempt.error, 'no connection to the receiver');
});
