// The tests' client names every operation of the API document, once: a route added to the
// document without its method in tests/support/api.mjs (or a method left behind by a removed
// route) fails here, before any worker starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/app.mjs';
import { Api, pathOf, query } from '../support/api.mjs';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

/** 'METHOD /path' of every operation of public/api/openapi.json. */
function documentOperations() {
  const doc = JSON.parse(readFileSync(join(ROOT, 'public', 'api', 'openapi.json'), 'utf8'));
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`));
}

/** The operation each named method of Api sends ('read' and 'write' send them). */
function clientOperations() {
  return Object.getOwnPropertyNames(Api.prototype)
    .filter((name) => !['constructor', 'read', 'write'].includes(name))
    .map((name) => {
      const declared = [...Api.prototype[name].toString().matchAll(/this\.(read|write)\('([A-Z]+) ([^']+)'/g)];
      assert.equal(declared.length, 1, `Api.${name} sends exactly one operation through this.read or this.write`);
      const [, kind, method, path] = declared[0];
      assert.equal(kind === 'read', method === 'GET', `Api.${name}: a GET goes through read(), any other method through write()`);
      return { name, operation: `${method} ${path}` };
    });
}

test('every operation of the API document has one named method in the test client, and every method one operation of the document', () => {
  const documented = documentOperations();
  const named = clientOperations();
  const byOperation = new Map();
  for (const { name, operation } of named) {
    assert.ok(!byOperation.has(operation), `${operation} has two methods: ${byOperation.get(operation)} and ${name}`);
    byOperation.set(operation, name);
  }
  const missing = documented.filter((operation) => !byOperation.has(operation));
  assert.deepEqual(missing, [], 'add a method to Api in tests/support/api.mjs for each of these operations');
  const stale = named.filter(({ operation }) => !documented.includes(operation)).map(({ name, operation }) => `${name}: ${operation}`);
  assert.deepEqual(stale, [], 'these methods of Api name operations the document does not have');
});

test('a method fills the path parameters in order, encoded, and leaves undefined query members out', () => {
  assert.equal(pathOf('POST /api/authorized-files/{id}/monthly-reports/{month}/transmit', ['ab12', '2026-03']),
    '/api/authorized-files/ab12/monthly-reports/2026-03/transmit');
  assert.equal(pathOf('GET /api/organisation/members/{id}', ['a/b?c']), '/api/organisation/members/a%2Fb%3Fc');
  assert.equal(query({ q: 'é t', page: 2, cursor: undefined, status: null }), '?q=%C3%A9+t&page=2');
  assert.equal(query({}), '');
  assert.equal(query(undefined), '');
});

test('a method sends its operation with the body as JSON, or the query string', async () => {
  const sent = [];
  const api = new (class extends Api {
    request(method, path, options) { sent.push({ method, path, json: options.json, headers: options.headers }); }
  })();
  await api.updateMember('c1', { role: 'membre' }, { headers: { 'x-a': '1' } });
  await api.authorizedFiles({ q: 'Tremblay', page_size: 10 });
  await api.fileReport('f1', '2026-02');
  await api.logOut();
  assert.deepEqual(sent, [
    { method: 'PATCH', path: '/api/organisation/members/c1', json: { role: 'membre' }, headers: { 'x-a': '1' } },
    { method: 'GET', path: '/api/authorized-files?q=Tremblay&page_size=10', json: undefined, headers: undefined },
    { method: 'GET', path: '/api/authorized-files/f1/monthly-reports/2026-02', json: undefined, headers: undefined },
    { method: 'DELETE', path: '/api/session', json: undefined, headers: undefined },
  ]);
});
