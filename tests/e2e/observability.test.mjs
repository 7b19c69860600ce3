// What operations sees: one JSON log line per request with the fields support searches on, the
// request id on every answer, and the D1 session's bookmark carried by browsers (cookie) and API
// clients (x-d1-bookmark) so a person reads their own writes, with bookmarks that are not ones
// ignored. Local D1 has no replicas: these tests check the plumbing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, waitFor } from '../support/app.mjs';

/** The worker's JSON log lines of `kind`, parsed. */
function logLines(app, kind) {
  return app.log().split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.includes(`"kind":"${kind}"`))
    .flatMap((line) => { try { return [JSON.parse(line)]; } catch { return []; } });
}

const requestLine = (app, id) => waitFor(`the log line of request ${id}`, () => logLines(app, 'request').find((l) => l.request_id === id));

describe('logs and D1 sessions', () => {
  let app;
  before(async () => { app = await spawnApp(); });
  after(async () => { await app?.stop(); });

  test('every request logs one JSON line with its id, route pattern, method, status, duration, D1 rows and wasm memory', async () => {
    const res = await fetch(`${app.baseUrl}/api/health`);
    const id = res.headers.get('x-request-id');
    assert.equal(res.status, 200);
    assert.match(id ?? '', /^[0-9a-f]{32}$/, 'the answer names its request');

    const line = await requestLine(app, id);

    assert.deepEqual(Object.keys(line).sort(),
      ['d1_queries', 'd1_rows_read', 'd1_rows_written', 'duration_ms', 'kind', 'memory_bytes', 'method', 'request_id', 'route', 'status'].sort());
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/api/health');
    assert.equal(line.status, 200);
    assert.ok(Number.isInteger(line.duration_ms) && line.duration_ms >= 0, `duration_ms: ${line.duration_ms}`);
    assert.ok(line.d1_queries >= 1, 'the health check queried D1');
    assert.ok(Number.isInteger(line.d1_rows_read) && Number.isInteger(line.d1_rows_written));
    assert.ok(line.memory_bytes > 0 && line.memory_bytes % 65536 === 0, `the instance's wasm memory, in 64 KiB pages: ${line.memory_bytes}`);
    assert.equal(logLines(app, 'request').filter((l) => l.request_id === id).length, 1, 'exactly one line');
  });

  test('a route with an id is logged by its pattern, and a write counts the rows it wrote', async () => {
    const { client } = await app.signedUpUser();
    const missing = await client.webhook('0123456789abcdef');
    const signedOut = await client.logOut();

    const read = await requestLine(app, missing.headers.get('x-request-id'));
    const write = await requestLine(app, signedOut.headers.get('x-request-id'));

    assert.equal(read.route, '/api/organisation/webhooks/{id}', 'the pattern, not the id');
    assert.equal(read.status, missing.status);
    assert.equal(write.method, 'DELETE');
    assert.ok(write.d1_rows_written >= 1, `signing out wrote the session's end: ${JSON.stringify(write)}`);
  });

  test('queue batches and cron runs log a line each', async () => {
    await app.runScheduled();
    const cron = await waitFor('a cron line', () => logLines(app, 'cron').at(-1));
    await app.signedUpUser();
    const batch = await waitFor('a queue batch line', () => logLines(app, 'queue_batch').find((l) => l.queue === 'sel-email'));

    assert.equal(cron.cron, '*/10 * * * *');
    assert.ok(cron.d1_queries > 0 && Number.isInteger(cron.duration_ms), JSON.stringify(cron));
    assert.ok(batch.messages >= 1 && batch.d1_rows_written >= 1, JSON.stringify(batch));
  });

  test('a write answers a D1 bookmark, which a browser keeps in a cookie and an API client sends back', async () => {
    const { client, email, password } = await app.signedUpUser();
    const wrote = await client.logIn(email, password);
    const bookmark = wrote.headers.get('x-d1-bookmark');
    assert.ok(bookmark, `a bookmark comes back (status ${wrote.status})`);
    assert.equal(client.cookies.get('__Host-sel_d1'), bookmark, 'the browser keeps it in a cookie');

    const byCookie = await client.me();
    const byHeader = await client.me(undefined, { headers: { 'x-d1-bookmark': bookmark, cookie: cookieWithout(client, '__Host-sel_d1') } });

    for (const [res, how] of [[byCookie, 'cookie'], [byHeader, 'header']]) {
      assert.equal(res.status, 200, `${how}: ${res.text}`);
      assert.ok(res.headers.get('x-d1-bookmark'), `${how}: the answer carries the session's bookmark on`);
    }
  });

  test('a bookmark that is not one, in the header or the cookie, is ignored and the request served', async () => {
    const { client } = await app.signedUpUser();
    const session = cookieWithout(client, '__Host-sel_d1');
    for (const [headers, why] of [
      [{ 'x-d1-bookmark': 'not a bookmark; DROP TABLE users' }, 'header with other characters'],
      [{ 'x-d1-bookmark': 'x'.repeat(5000) }, 'an oversized header'],
      [{ 'x-d1-bookmark': 'first-primary' }, 'a constraint name'],
      [{ cookie: `${session}; __Host-sel_d1=%00%FF` }, 'a cookie that is not one'],
    ]) {
      const res = await client.me(undefined, { headers: { cookie: session, ...headers } });
      assert.equal(res.status, 200, `${why}: ${res.status} ${res.text}`);
    }
  });
});

/** The client's cookies as a header, without `name`. */
function cookieWithout(client, name) {
  return [...client.cookies].filter(([key]) => key !== name).map(([key, value]) => `${key}=${value}`).join('; ');
}
