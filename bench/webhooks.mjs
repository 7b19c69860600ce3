// Webhook fan-out benchmark (part of `make bench`; alone: `SEL_SKIP_BUILD=1 node bench/webhooks.mjs`
// after a build). Not a test: it measures, on this machine, how fast domain events reach a local
// receiver through the whole path — the request that appends the event, the fan-out after it and
// the first attempt it makes itself (or the webhook queue's), the signed POST, the attempt log —
// with 1 and then 10 endpoints (the most an organisation may have) wanting every event.
//
// An employer grants a few authorizations, then changes them in parallel loops (each change is one
// `authorization.changed` event); the receiver answers 200, checks every signature (Node's crypto)
// and notes when each event arrived. Then many events from one request: migrated relations the
// employer revokes all at once (the product's review request), so events arrive faster than
// one request each. Then a backlog, to 1 and to 10 endpoints: the same with a
// receiver that answers 503, so every delivery waits for its 5-minute retry; the clock moves on,
// the receiver recovers, and the cron sweep hands the whole backlog to the queue: how fast it
// drains is the delivery capacity, apart from the requests that create events. Last, the floor: a
// bare JS worker (bench/floor/) on the same wrangler (1) answers a D1 `SELECT 1` to as many
// concurrent loops as the changes had, the floor of the requests that create events, and (2)
// queues as many messages as the larger backlog and only forwards each body to the same receiver,
// a batch's posts concurrently, the floor of delivery, (3) does the same from as many requests of
// ten bodies in as many loops as the live changes had, the floor of the live run at ten endpoints;
// (2) and (3) also give the floor's own latency from the request that queued a body to its
// arrival, what local Queues allow at all; every figure is reported as a ratio of its floor. Writes its own section of bench/RESULTS.md (between markers, the rest of the file
// untouched). Knobs: BENCH_WEBHOOK_EVENTS (events per run, default 300), BENCH_WEBHOOK_PARALLEL
// (concurrent change loops, each on its own authorization, default 16).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

process.env.SEL_SKIP_BUILD = '1';
const { spawnApp, ROOT, waitFor } = await import('../tests/support/app.mjs');
const { linkedResponsible, createOrganisation } = await import('../tests/support/orgs.mjs');
const { workerNow, nameKey, REVIEW } = await import('../tests/support/authz.mjs');
const { writable, quote } = await import('../tests/support/db.mjs');
const { startFloor } = await import('./floor.mjs');

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 300);
const PARALLEL = Number(process.env.BENCH_WEBHOOK_PARALLEL ?? 16);
const ENDPOINT_COUNTS = [1, 10];
const BACKLOG_ENDPOINTS = [1, 10];
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const START = '<!-- webhooks benchmark: start -->';
const END = '<!-- webhooks benchmark: end -->';

const log = (...args) => console.error('[bench:webhooks]', ...args);
const fmt = (x, digits = 1) => Number(x).toFixed(digits);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

let app;
let receiver;
let floor;
async function stopAll() {
  receiver?.server.close();
  if (floor) { const f = floor; floor = undefined; await f.stop(); }
  if (app) { const a = app; app = undefined; await a.stop(); }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { stopAll().finally(() => process.exit(130)); });
process.on('exit', () => { if (app) { try { process.kill(-app.child.pid, 'SIGKILL'); } catch {} } });

/** A receiver that answers 200 and verifies every signature against the endpoints' secrets. */
async function startReceiver() {
  // `refusing(path)`: answer 503 (a receiver that is down), recorded apart.
  const state = { secrets: new Map(), received: [], refused: 0, badSignatures: 0, refusing: () => false };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      if (state.refusing(req.url)) {
        state.refused += 1;
        res.writeHead(503).end('down');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url.startsWith('/floor')) {
        state.received.push({ at, path: req.url, queuedAt: Number(req.headers['x-queued-at']) });
        res.writeHead(200).end('ok');
        return;
      }
      state.sample = body;
      const secret = state.secrets.get(req.url);
      const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature = '' } = req.headers;
      const expected = secret && createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`${id}.${timestamp}.${body}`).digest('base64');
      if (!signature.split(' ').includes(`v1,${expected}`)) state.badSignatures += 1;
      state.received.push({ at, path: req.url, updatedAt: JSON.parse(body).data.authorization.updated_at });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${server.address().port}` });
}

async function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** An employer with `endpoints` endpoints under `prefix` wanting `events`. */
async function employerWithEndpoints(prefix, endpoints, events = ['authorization.changed'], employer = undefined) {
  employer ??= await linkedResponsible(app, { kind: 'employer' });
  for (let i = 0; i < endpoints; i += 1) {
    const path = `${prefix}${i}`;
    const created = await expect(await employer.client.post('/api/organisation/webhooks', {
      url: receiver.url + path, events,
    }), 201, 'creating an endpoint');
    receiver.secrets.set(path, created.secret);
  }
  return employer;
}

/** An employer with `endpoints` endpoints under `prefix` wanting authorization.changed, and PARALLEL authorizations. */
async function employerToChange(prefix, endpoints) {
  const employer = await employerWithEndpoints(prefix, endpoints);
  const authorizations = [];
  for (let i = 0; i < PARALLEL; i += 1) {
    const firm = await createOrganisation(app);
    const granted = await expect(await employer.client.post('/api/employer/authorizations', {
      firm_file_number: firm.form.file_number, contact_email: firm.responsible.email, services: ['workforce'], level: 'consultation',
    }), 201, 'granting');
    authorizations.push(granted.authorization.id);
  }
  return { client: employer.client, authorizations };
}

/**
 * One change, sent again if wrangler dev's proxy dropped it (a reset connection, or its 503
 * "worker restarted mid-request" under bursts): the same services twice is still one change each
 * time, so the count of events stays the count of changes answered 200.
 */
async function changeOnce(client, id, services) {
  const res = await sentAgainIfDropped(() => client.request('PATCH', `/api/employer/authorizations/${id}`, { json: { services } }));
  return expect(res, 200, 'changing');
}
let dropped = 0;

/** `send()`, again (up to 5 times in all) when the development proxy dropped it: a reset or its 503. */
async function sentAgainIfDropped(send) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await send();
      if (res.status === 503 && attempt < 5) { dropped += 1; continue; }
      return res;
    } catch (error) {
      if (attempt >= 5 || !String(error.cause?.code ?? error.message).match(/ECONNRESET|fetch failed|UND_ERR_SOCKET/)) throw error;
      dropped += 1;
    }
  }
}

/** EVENTS changes in PARALLEL loops; resolves to how many were made. */
async function change({ client, authorizations }) {
  let sent = 0;
  await Promise.all(authorizations.map(async (id, loop) => {
    for (let n = loop; n < EVENTS; n += PARALLEL) {
      const services = n % 2 === 0 ? ['workforce', 'monthly_report'] : ['workforce'];
      await changeOnce(client, id, services);
      sent += 1;
    }
  }));
  return sent;
}

/** Live: events delivered as they happen. */
async function run(endpoints) {
  const prefix = `/e${endpoints}-`;
  const employer = await employerToChange(prefix, endpoints);
  const mine = (r) => r.path.startsWith(prefix);
  const already = receiver.received.filter(mine).length;
  const started = Date.now();
  const sent = await change(employer);
  const requestsDone = Date.now();
  const expected = already + sent * endpoints;
  await waitFor(`${sent * endpoints} deliveries`, () => receiver.received.filter(mine).length >= expected,
    { timeoutMs: 600_000, intervalMs: 100 });
  const delivered = receiver.received.filter(mine).slice(already);
  const last = Math.max(...delivered.map((r) => r.at));
  const latencies = delivered.map((r) => r.at - r.updatedAt).sort((a, b) => a - b);
  const seconds = (last - started) / 1000;
  return {
    endpoints, events: sent, deliveries: delivered.length,
    requestSeconds: (requestsDone - started) / 1000, seconds,
    eventsPerSecond: sent / seconds, deliveriesPerSecond: delivered.length / seconds,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1),
  };
}

/**
 * Many events from one request: EVENTS migrated relations (seeded in SQL, as the legacy import
 * leaves them: one per contact of a firm) that the employer revokes all at once with the review
 * request the product has, each revocation one `authorization.revoked` event.
 */
async function bulk(endpoints) {
  const prefix = `/bulk${endpoints}-`;
  const employer = await linkedResponsible(app, { kind: 'employer' });
  const firm = (await createOrganisation(app)).organisation;
  const emp = { id: employer.organisation.id, name: employer.form.name, file_number: employer.form.file_number };
  // One transaction for all the rows (the columns of tests/support/authz.mjs's seedMigrated), so
  // the worker's own D1 finds the file locked for a moment only.
  const old = (await workerNow(app)) - 400 * 86_400_000;
  writable(app, (db) => {
    db.exec('BEGIN');
    for (let i = 0; i < EVENTS; i += 1) {
      const contact = randomUUID().replaceAll('-', '');
      db.prepare(`INSERT INTO contacts (id, organisation_id, first_name, last_name, email, search_text, role, created_at)
        VALUES (${quote(contact)}, ${quote(firm.id)}, 'Paul', ${quote(`Relation ${i}`)}, ${quote(`${contact}@bench.example`)}, ${quote(`paul relation ${i}`)}, 'membre', ${old})`).run();
      db.prepare(`INSERT INTO authorizations (id, employer_id, contact_id, firm_id, services, level, starts_at, ends_at, origin, status,
          confirmed_at, legacy_id, employer_name, name_key, file_number, granted_by, created_at, updated_at)
        VALUES (${quote(randomUUID().replaceAll('-', ''))}, ${quote(emp.id)}, ${quote(contact)}, ${quote(firm.id)}, 9, 'consultation', ${old},
          NULL, 'migrated', 'active', NULL, ${quote(`LEG-${contact}`)}, ${quote(emp.name)}, ${quote(nameKey(emp.name))},
          ${quote(emp.file_number)}, NULL, ${old}, ${old})`).run();
    }
    db.exec('COMMIT');
  });
  await employerWithEndpoints(prefix, endpoints, ['authorization.revoked'], employer);
  const mine = (r) => r.path.startsWith(prefix);
  const started = Date.now();
  const answer = await expect(await employer.client.post(REVIEW, { decision: 'revoke' }), 200, 'revoking the migrated relations');
  const requestsDone = Date.now();
  const events = answer.revoked;
  await waitFor(`${events * endpoints} deliveries`, () => receiver.received.filter(mine).length >= events * endpoints,
    { timeoutMs: 600_000, intervalMs: 100 });
  const delivered = receiver.received.filter(mine);
  const last = Math.max(...delivered.map((r) => r.at));
  const latencies = delivered.map((r) => r.at - r.updatedAt).sort((a, b) => a - b);
  const seconds = (last - started) / 1000;
  return {
    endpoints, events, deliveries: delivered.length, bulk: true,
    requestSeconds: (requestsDone - started) / 1000, seconds,
    eventsPerSecond: events / seconds, deliveriesPerSecond: delivered.length / seconds,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1),
  };
}

/** Backlog: every delivery waits for its retry, then the sweep releases them all at once. */
async function drain(endpoints) {
  const prefix = `/backlog${endpoints}-`;
  const mine = (r) => r.path.startsWith(prefix);
  receiver.refusing = (path) => path.startsWith(prefix);
  const employer = await employerToChange(prefix, endpoints);
  const sent = await change(employer);
  const total = sent * endpoints;
  // The first attempt and the 5-second retry fail: every delivery now waits 5 minutes or more.
  await waitFor(`${total} deliveries to fail twice`, () => app.sql(
    `SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
     WHERE w.url LIKE '%${prefix}%' AND d.attempts >= 2 AND d.next_attempt_at > d.last_attempt_at + 60000`,
  )[0].n >= total, { timeoutMs: 600_000, intervalMs: 1000 });
  await app.advanceClock(7 * 60 * 1000);
  receiver.refusing = () => false;
  const started = Date.now();
  let sweeps = 0;
  await waitFor(`${total} deliveries after the backlog`, async () => {
    if (receiver.received.filter(mine).length >= total) return true;
    sweeps += 1;
    await app.runScheduled();
    return false;
  }, { timeoutMs: 600_000, intervalMs: 1000 });
  const arrivals = receiver.received.filter(mine).map((r) => r.at);
  const seconds = (Math.max(...arrivals) - started) / 1000;
  return {
    endpoints, events: sent, deliveries: arrivals.length, seconds, sweeps,
    eventsPerSecond: sent / seconds, deliveriesPerSecond: arrivals.length / seconds,
  };
}

/** The floor of the requests: PARALLEL loops of the bare JS worker's `SELECT 1`, `EVENTS` requests in all. */
async function floorRequests() {
  let sent = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: PARALLEL }, async (_, loop) => {
    for (let n = loop; n < EVENTS; n += PARALLEL) {
      const res = await fetch(`${floor.baseUrl}/select1`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the floor worker answered ${res.status}`);
      sent += 1;
    }
  }));
  return { requests: sent, requestsPerSecond: sent / ((Date.now() - started) / 1000) };
}

/** Arrivals at the floor's `prefix` since `already`: rate and latency from the queuing request. */
function floorArrivals(prefix, already, total, started) {
  const delivered = receiver.received.filter((r) => r.path.startsWith(prefix)).slice(already);
  const seconds = (Math.max(...delivered.map((r) => r.at)) - started) / 1000;
  const latencies = delivered.map((r) => r.at - r.queuedAt).sort((a, b) => a - b);
  return {
    deliveries: delivered.length, seconds, deliveriesPerSecond: delivered.length / seconds,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1),
  };
}

/** The floor of delivery: the bare JS worker forwards `total` bodies like SEL's to the receiver, through its queue, from one request. */
async function floorDrain(total) {
  const prefix = '/floor-drain';
  const bodies = Array.from({ length: total }, () => receiver.sample);
  const started = Date.now();
  const res = await fetch(`${floor.baseUrl}/forward`, { method: 'POST', body: JSON.stringify({ target: `${receiver.url}${prefix}`, bodies }) });
  if (res.status !== 202) throw new Error(`the floor worker answered ${res.status}: ${await res.text()}`);
  await waitFor(`${total} forwards`, () => receiver.received.filter((r) => r.path.startsWith(prefix)).length >= total, { timeoutMs: 600_000, intervalMs: 100 });
  return floorArrivals(prefix, 0, total, started);
}

/**
 * The floor of the live run at `endpoints` endpoints: PARALLEL loops of requests that each queue
 * `endpoints` bodies, EVENTS requests in all, as the changes and their fan-out do.
 */
async function floorLive(endpoints) {
  const prefix = '/floor-live';
  const bodies = Array.from({ length: endpoints }, () => receiver.sample);
  const body = JSON.stringify({ target: `${receiver.url}${prefix}`, bodies });
  const started = Date.now();
  await Promise.all(Array.from({ length: PARALLEL }, async (_, loop) => {
    for (let n = loop; n < EVENTS; n += PARALLEL) {
      // A request the proxy dropped is sent again, as SEL's changes are (its bodies may then
      // arrive twice: the count below waits for at least as many).
      const res = await sentAgainIfDropped(() => fetch(`${floor.baseUrl}/forward`, { method: 'POST', body }));
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`the floor worker answered ${res.status}`);
    }
  }));
  const total = EVENTS * endpoints;
  await waitFor(`${total} live forwards`, () => receiver.received.filter((r) => r.path.startsWith(prefix)).length >= total, { timeoutMs: 600_000, intervalMs: 100 });
  return { endpoints, ...floorArrivals(prefix, 0, total, started) };
}

function commit() {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return '?'; }
}

function section(results, bulks, backlogs, floorReq, floorRun, floorLiveRun, startedAt, loadBefore, loadAfter) {
  const ratio = (x, floorValue) => `${fmt(x / floorValue, 2)}×`;
  const times = (x, floorValue) => `${fmt(x / floorValue, 1)}×`;
  // The floor's latency beside SEL's where the floor made the same deliveries the same way.
  const versusFloor = (r, floorValue) => (floorValue.deliveries === r.deliveries ? `${times(r.p50, floorValue.p50)} (${floorValue.p50} ms)` : '—');
  const rows = results.map((r) => `| ${r.endpoints} | ${r.events} | ${r.deliveries} | ${fmt(r.requestSeconds)} s = ${fmt(r.events / r.requestSeconds)}/s (${ratio(r.events / r.requestSeconds, floorReq.requestsPerSecond)}) | ${fmt(r.seconds)} s | **${fmt(r.eventsPerSecond)}** | **${fmt(r.deliveriesPerSecond)}** (${ratio(r.deliveriesPerSecond, floorRun.deliveriesPerSecond)}) | ${r.p50} / ${r.p99} / ${r.max} ms | ${versusFloor(r, floorLiveRun)} |`);
  const bulkRows = bulks.map((r) => `| ${r.endpoints} | ${r.events} | ${r.deliveries} | ${fmt(r.requestSeconds)} s | ${fmt(r.seconds)} s | **${fmt(r.eventsPerSecond)}** | **${fmt(r.deliveriesPerSecond)}** (${ratio(r.deliveriesPerSecond, floorRun.deliveriesPerSecond)}) | ${r.p50} / ${r.p99} / ${r.max} ms | ${versusFloor(r, floorRun)} |`);
  const backlogRows = backlogs.map((b) => `| ${b.endpoints} | ${b.events} | ${b.deliveries} | ${fmt(b.seconds)} s | ${b.sweeps} | **${fmt(b.eventsPerSecond)}** | **${fmt(b.deliveriesPerSecond)}** | ${ratio(b.deliveriesPerSecond, floorRun.deliveriesPerSecond)} |`);
  const one = results.find((r) => r.endpoints === 1);
  const ten = results.find((r) => r.endpoints === 10);
  const oneBulk = bulks.find((r) => r.endpoints === 1);
  const tenBulk = bulks.find((r) => r.endpoints === 10);
  const oneBacklog = backlogs.find((b) => b.endpoints === 1);
  const tenBacklog = backlogs.find((b) => b.endpoints === 10);
  const verdict = (ok) => (ok ? 'met' : '**not met**');
  const loaded = loadBefore[0] > 1 || loadAfter[0] > 2.5;
  const signatures = [...results, ...bulks].reduce((n, r) => n + r.deliveries, 0) + backlogs.reduce((n, b) => n + b.deliveries, 0);
  return `${START}
## Webhook fan-out (bench/webhooks.mjs)

- **Command:** \`make bench\` (runs \`node bench/webhooks.mjs\` after the main benchmark; alone, after a
  build: \`SEL_SKIP_BUILD=1 node bench/webhooks.mjs\`), \`BENCH_WEBHOOK_EVENTS=${EVENTS}\`, \`BENCH_WEBHOOK_PARALLEL=${PARALLEL}\`
- **Date:** ${startedAt} → ${new Date().toISOString()}; commit ${commit()}; load average (1/5/15 min) before ${loadBefore.map((l) => fmt(l, 2)).join(' / ')}, after ${loadAfter.map((l) => fmt(l, 2)).join(' / ')}${loaded ? `
- **Machine load:** other work shared the 2 cores during this run (load average above 1): every figure is
  lower than on a quiet machine, the ratios to the floor (measured in the same run) less so; a
  quiet-machine re-run is pending before these numbers are compared with earlier runs.` : ''}
- **What:** one employer, ${PARALLEL} authorizations changed in ${PARALLEL} parallel loops (\`PATCH /api/employer/authorizations/{id}\`),
  each change one \`authorization.changed\` event, fanned out after the request to every endpoint of the
  employer, its first attempt made by the request itself once answered (up to 100 new deliveries per
  request; the rest, and every retry, through the webhook queue) to a local receiver (node:http on 127.0.0.1, answers 200,
  checks every signature). Same \`wrangler dev\` setup as above (local workerd, D1, Queues), but with the
  controllable clock on (\`CLOCK_CONTROL=enabled\`, one more D1 read per request and batch) for the backlog.
  The clock starts at the first change and stops when the last delivery arrives; latency is from the
  event's time to its arrival at the receiver. A change the development proxy dropped (reset, 503) is
  sent again: ${dropped} this run.
- **Signatures:** ${signatures} checked, ${receiver.badSignatures} bad.
- **Floors (bare JS worker of \`bench/floor/\`, same wrangler, in this run):** ${PARALLEL} loops of a D1
  \`SELECT 1\` request: **${fmt(floorReq.requestsPerSecond)} requests/s**; ${floorRun.deliveries} queued bodies forwarded to the same
  receiver (local Queues, same batching as SEL's webhook queue; no claim, no signature, no log):
  **${fmt(floorRun.deliveriesPerSecond)} deliveries/s** (${fmt(floorRun.seconds)} s), latency from the request that queued them to
  their arrival **p50 ${floorRun.p50} / p99 ${floorRun.p99} ms** (max ${floorRun.max}); the same ${floorLiveRun.deliveries} bodies queued ${floorLiveRun.endpoints} at a time by
  ${EVENTS} requests in ${PARALLEL} loops, as the live run at ${floorLiveRun.endpoints} endpoints makes them: ${fmt(floorLiveRun.deliveriesPerSecond)} deliveries/s,
  **p50 ${floorLiveRun.p50} / p99 ${floorLiveRun.p99} ms** (max ${floorLiveRun.max}). Local Queues hand out one batch at a time, so a burst of
  ${floorRun.deliveries} waits ${fmt(floorRun.deliveries / 100, 0)} batches even with nothing else to do: these latencies are what the runtime allows at all.

| goal | measured | verdict |
|---|---|---|
| ≥ 200 events/s delivered to one endpoint | one change per request: ${fmt(one.eventsPerSecond)}/s, bounded by the changes sent at ${fmt(one.events / one.requestSeconds)}/s; ${oneBulk.events} events from one request: ${fmt(oneBulk.eventsPerSecond)}/s; backlog ${fmt(oneBacklog.eventsPerSecond)}/s (${ratio(oneBacklog.deliveriesPerSecond, floorRun.deliveriesPerSecond)} the delivery floor) | ${verdict(one.eventsPerSecond >= 200)} / ${verdict(oneBulk.eventsPerSecond >= 200)} / ${verdict(oneBacklog.eventsPerSecond >= 200)} |
| ≥ 600 deliveries/s over ten endpoints | one change per request: ${fmt(ten.deliveriesPerSecond)}/s; from one request: ${fmt(tenBulk.deliveriesPerSecond)}/s; backlog ${fmt(tenBacklog.deliveriesPerSecond)}/s (${ratio(tenBacklog.deliveriesPerSecond, floorRun.deliveriesPerSecond)} the delivery floor) | ${verdict(ten.deliveriesPerSecond >= 600)} / ${verdict(tenBulk.deliveriesPerSecond >= 600)} / ${verdict(tenBacklog.deliveriesPerSecond >= 600)} |
| p50 change → receiver < 1 s at ten endpoints | one change per request: ${ten.p50} ms (p99 ${ten.p99} ms; the floor's ${floorLiveRun.p50} ms: ${times(ten.p50, floorLiveRun.p50)}); from one request: ${tenBulk.p50} ms (p99 ${tenBulk.p99} ms; the floor's ${floorRun.p50} ms for the same ${floorRun.deliveries} bodies from one request: ${times(tenBulk.p50, floorRun.p50)}) | ${verdict(ten.p50 < 1000)} / ${verdict(tenBulk.p50 < 1000)} |

Live (events delivered as they happen; the changes' rate is also given as a ratio of the \`SELECT 1\`
floor, the deliveries' as a ratio of the forwarding floor):

| endpoints | events | deliveries | changes sent in (rate, × floor) | all delivered in | events/s delivered | deliveries/s (× floor) | latency p50 / p99 / max | p50 × the floor's (its p50) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Many events from one request: ${EVENTS} migrated relations (seeded in SQL as the legacy import leaves
them) revoked at once by the employer's review request (\`POST ${REVIEW}\`, \`{"decision":"revoke"}\`),
each revocation one \`authorization.revoked\` event, fanned out after the answer; latency from the event's
time (the request's) to its arrival:

| endpoints | events | deliveries | request answered in | all delivered in | events/s delivered | deliveries/s (× floor) | latency p50 / p99 / max | p50 × the floor's (its p50) |
|---|---|---|---|---|---|---|---|---|
${bulkRows.join('\n')}

Backlog: ${EVENTS} events whose deliveries all waited for their retry (the receiver answered 503 twice),
released by moving the clock 7 minutes and running the cron sweep every second until all had
arrived (one sweep hands up to 10,000 due deliveries to the queue, 500 per statement), with no
request competing: the delivery capacity.

| endpoints | events | deliveries | drained in | sweeps | events/s | deliveries/s | × floor |
|---|---|---|---|---|---|---|---|
${backlogRows.join('\n')}

Reading: the live runs are bounded by the requests that make the events (each a session check, the
authorization's read, the change with its audit entry and event in one D1 batch, then after the
answer the fan-out: one D1 batch that reads the position, creates the deliveries and advances, one
queue send, and meanwhile the first attempt of those deliveries, at most 100: one D1 round trip to
claim them, their signed POSTs concurrently, one D1 batch to log and conclude them), which share the
two cores, the one D1 database and the worker's one isolate. The queue message of a delivery so
attempted is sent to arrive when its lease ends (a minute later: it takes over only if that attempt
never started), finds it claimed and sends nothing; here those messages reach the consumer during the
later runs. The queue carries the retries, the deliveries of a large fan-out beyond the first 100
(the bulk runs) and what the sweep re-enqueues. Local Queues hand the consumer one batch
at a time (miniflare's broker waits for a batch's answer before the next), up to 100 messages, waiting
at most a second for a batch to fill (\`max_batch_timeout = 1\`); when a batch comes back with fewer
than 100 messages waiting, the broker waits that second again unless 100 gather first, so a burst's
tail waits a second even with nothing else to do. A queue batch costs one D1 round trip to claim all
its deliveries (reading each event once), their signed POSTs run concurrently under one timeout, and
one D1 batch of two set-based statements logs and concludes them all (retries go back in one queue
send). At the edge, consumers run concurrently
(\`max_concurrency\` unset: Queues scales them), so these are lower bounds, useful to compare runs on
this machine.
${END}
`;
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg();
try {
  receiver = await startReceiver();
  app = await spawnApp();
  log(`worker at ${app.baseUrl}, receiver at ${receiver.url}`);
  const results = [];
  for (const endpoints of ENDPOINT_COUNTS) {
    log(`${EVENTS} events to ${endpoints} endpoint(s)…`);
    const result = await run(endpoints);
    log(`changes ${fmt(result.events / result.requestSeconds)}/s; ${fmt(result.eventsPerSecond)} events/s, ${fmt(result.deliveriesPerSecond)} deliveries/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
    results.push(result);
  }
  const bulks = [];
  for (const endpoints of ENDPOINT_COUNTS) {
    log(`${EVENTS} events from one request to ${endpoints} endpoint(s)…`);
    const result = await bulk(endpoints);
    log(`request ${fmt(result.requestSeconds)} s; ${fmt(result.eventsPerSecond)} events/s, ${fmt(result.deliveriesPerSecond)} deliveries/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
    bulks.push(result);
  }
  const backlogs = [];
  for (const endpoints of BACKLOG_ENDPOINTS) {
    log(`backlog of ${EVENTS} events to ${endpoints} endpoint(s)…`);
    const backlog = await drain(endpoints);
    log(`${backlog.deliveries} deliveries drained in ${fmt(backlog.seconds)} s: ${fmt(backlog.deliveriesPerSecond)} deliveries/s`);
    backlogs.push(backlog);
  }
  await app.stop();
  app = undefined;
  floor = await startFloor();
  const floorReq = await floorRequests();
  log(`floor: ${PARALLEL} loops of SELECT 1: ${fmt(floorReq.requestsPerSecond)} requests/s`);
  const total = Math.max(...backlogs.map((b) => b.deliveries));
  log(`floor: the bare JS worker forwards ${total} bodies…`);
  const floorRun = await floorDrain(total);
  log(`floor: ${fmt(floorRun.deliveriesPerSecond)} deliveries/s, p50 ${floorRun.p50} ms, p99 ${floorRun.p99} ms`);
  const endpoints = Math.max(...ENDPOINT_COUNTS);
  log(`floor: ${EVENTS} requests of ${endpoints} bodies in ${PARALLEL} loops…`);
  const floorLiveRun = await floorLive(endpoints);
  log(`floor: ${fmt(floorLiveRun.deliveriesPerSecond)} deliveries/s, p50 ${floorLiveRun.p50} ms, p99 ${floorLiveRun.p99} ms`);
  const text = section(results, bulks, backlogs, floorReq, floorRun, floorLiveRun, startedAt, loadBefore, loadavg());
  const existing = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const pattern = new RegExp(`${START}[\\s\\S]*?${END}\\n?`);
  writeFileSync(RESULTS, pattern.test(existing) ? existing.replace(pattern, text) : `${existing.trimEnd()}\n\n${text}`);
  log(`wrote its section of ${RESULTS}`);
} finally {
  await stopAll();
}
