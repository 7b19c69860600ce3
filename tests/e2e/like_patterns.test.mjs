// Every search that becomes a LIKE pattern fits D1's 50 bytes: measured in bytes after folding and
// escaping, a search one byte too long is refused 422 (members, employer's authorizations, audit
// filter), or each of its words is cut (authorized files), never answered 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import { linkedResponsible } from '../support/orgs.mjs';

let app;
let firm;
let employer;
before(async () => {
  app = await spawnApp();
  firm = await linkedResponsible(app);
  employer = await linkedResponsible(app, { kind: 'employer' });
});
after(async () => { await app?.stop(); });

// 'ß' and '漢' take 2 and 3 bytes and lose nothing to folding; '_' takes 2 once escaped.
const FITS = [['ß'.repeat(24), '48 bytes'], ['漢'.repeat(16), '48 bytes'], ['_'.repeat(24), '48 escaped bytes']];
const TOO_LONG = [['ß'.repeat(25), '50 bytes'], ['漢'.repeat(17), '51 bytes'], ['_'.repeat(24) + 'a', '49 escaped bytes']];

const ask = (who, path, name, value) => who.client.get(`${path}?${name}=${encodeURIComponent(value)}`);

for (const [label, who, path] of [
  ['members', () => firm, '/api/organisation/members'],
  ['the employer\'s authorizations', () => employer, '/api/employer/authorizations'],
]) {
  test(`a search of ${label} up to 48 bytes is answered and one past it is refused 422`, async () => {
    for (const [q, why] of FITS) {
      const res = await ask(who(), path, 'q', q);
      assert.equal(res.status, 200, `${why}: ${res.text}`);
    }
    for (const [q, why] of TOO_LONG) {
      const res = await ask(who(), path, 'q', q);
      assert.equal(res.status, 422, `${why}: ${res.text}`);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.ok(res.body.error.fields.q, `${why}: the field is named`);
    }
  });
}

for (const path of ['/api/organisation/audit', '/api/organisation/audit.csv']) {
  test(`the action filter of ${path} takes 49 escaped bytes and refuses one more`, async () => {
    for (const action of ['a'.repeat(49), '_'.repeat(24) + 'a']) {
      const res = await ask(firm, path, 'action', action);
      assert.equal(res.status, 200, `${action}: ${res.text}`);
    }
    for (const action of ['a'.repeat(50), '_'.repeat(25)]) {
      const res = await ask(firm, path, 'action', action);
      assert.equal(res.status, 422, `${action}: ${res.text}`);
      assert.ok(res.body.error.fields.action);
    }
  });
}

for (const path of ['/api/authorized-files', '/api/authorized-files.csv']) {
  test(`a search of ${path} cuts each word to 40 bytes, however many bytes its letters take`, async () => {
    for (const q of ['ß'.repeat(25), '漢'.repeat(40), `${'é'.repeat(60)} 1234567890`, '9'.repeat(100)]) {
      const res = await ask(firm, path, 'q', q);
      assert.equal(res.status, 200, `${[...q].length} characters: ${res.text}`);
    }
  });
}
