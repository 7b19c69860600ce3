import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

test('the health check answers ok after a real database query', async () => {
  const res = await app.client().health();
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('unknown API paths answer 404 with a JSON error', async () => {
  const res = await app.client().get('/api/nope');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'not_found');
});

test('a known path with the wrong method answers 405 and lists the allowed methods', async () => {
  const res = await app.client().request('PUT', '/api/session', { json: {} });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST, DELETE');
});
