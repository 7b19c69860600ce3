// The monthly report through organisation API tokens: a firm's platform lists, reads, drafts and
// transmits the reports of the files the firm's contacts are authorized on (writing only where the
// authorization's level is "consultation et transmission"), with an Idempotency-Key on
// transmission; an employer's platform does the same for its own reports. A missing scope answers
// 403 naming it, another's file 404, and what a token writes names the token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, answeredByWorker, untilAnswered } from '../support/app.mjs';
import { employer, firmWithMember, anotherMember, granted, grantBody, workerNow } from '../support/authz.mjs';
import { createToken, revokeToken } from '../support/tokens.mjs';

const READ = 'monthly_reports:read';
const WRITE = 'monthly_reports:write';

let app;
let now;
let firm; // {responsable, member, organisation}
let writerFile; // the member's file, level transmission
let readerFile; // another member's file of another employer, level consultation
let outsiderFile; // another firm's file
let boss; // the employer of writerFile
let tokens; // the firm's: full, readOnly, filesOnly

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
const monthOf = (ms) => MONTREAL.format(new Date(ms)).slice(0, 7);
function shift(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
let spare = 0;
const freshMonth = () => shift(monthOf(now), -30 - (spare += 1));

const reportsOf = (file) => `/api/authorized-files/${file.id}/monthly-reports`;
const OWN = '/api/employer/monthly-reports';

/** A request as a platform: no cookie, the token as bearer, an optional JSON body and headers. */
async function bearer(method, path, secret, { json, raw, headers = {} } = {}) {
  const all = { authorization: `Bearer ${secret}`, ...headers };
  if (json !== undefined) all['content-type'] = 'application/json';
  const res = await fetch(app.baseUrl + path, { method, headers: all, body: json === undefined ? raw : JSON.stringify(json) });
  const text = await res.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, body, text };
}

const line = (overrides = {}) => ({
  worker_name: 'Julie Paquette', worker_id: '7654321', trade: 'electricien', region: 'quebec',
  regular_hours: 40, overtime_hours: 0, gross_wages_cents: 180_000, ...overrides,
});

before(async () => {
  app = await spawnApp();
  now = await workerNow(app);
  firm = await firmWithMember(app, { member: { first_name: 'Paul', last_name: 'Plateforme' } });
  const reader = await anotherMember(app, firm.responsable.client, { first_name: 'Léa', last_name: 'Lecture' });
  boss = await employer(app, { name: 'Chantiers Jeton inc.' });
  const otherBoss = await employer(app, { name: 'Coffrages Lecture inc.' });
  writerFile = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'transmission' }));
  readerFile = await granted(otherBoss.client, grantBody(firm.organisation, reader.email, { services: ['monthly_report'], level: 'consultation' }));
  const otherFirm = await firmWithMember(app);
  const thirdBoss = await employer(app);
  outsiderFile = await granted(thirdBoss.client, grantBody(otherFirm.organisation, otherFirm.member.email, { services: ['monthly_report'], level: 'transmission' }));
  tokens = {
    full: await createToken(app, firm.responsable.client, { name: 'Synchro Paie', scopes: [READ, WRITE] }),
    readOnly: await createToken(app, firm.responsable.client, { name: 'Lecture seule', scopes: [READ] }),
    filesOnly: await createToken(app, firm.responsable.client, { name: 'Dossiers seulement', scopes: ['authorized_files:read'] }),
  };
});
after(async () => { await app?.stop(); });

test('a token is created with the monthly report scopes, and the list names them', async () => {
  assert.deepEqual(tokens.full.token.scopes, [READ, WRITE]);
  const list = await firm.responsable.client.tokens();
  assert.deepEqual(list.body.items.find((t) => t.id === tokens.readOnly.token.id).scopes, [READ]);
});

test("a firm's read token lists and reads the reports of every file its contacts are authorized on, at either level", async () => {
  for (const file of [writerFile, readerFile]) {
    const list = await bearer('GET', reportsOf(file), tokens.readOnly.secret);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 12);
    const month = freshMonth();
    const one = await bearer('GET', `${reportsOf(file)}/${month}`, tokens.readOnly.secret);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual([one.body.month, one.body.status], [month, 'not_started']);
  }
  const fileToken = await bearer('GET', `${reportsOf(writerFile)}?months=1`, tokens.full.secret);
  assert.equal(fileToken.body.may_write, true);
  const readerToken = await bearer('GET', `${reportsOf(readerFile)}?months=1`, tokens.full.secret);
  assert.equal(readerToken.body.may_write, false, 'the authorization level, not the token, decides writing');
});

test('a token without the scope answers 403 token_scope_missing naming it, and writes nothing', async () => {
  const month = freshMonth();
  const read = await bearer('GET', reportsOf(writerFile), tokens.filesOnly.secret);
  assert.deepEqual([read.status, read.body.error.code, read.body.error.required_scope], [403, 'token_scope_missing', READ]);
  const draft = await bearer('PUT', `${reportsOf(writerFile)}/${month}`, tokens.readOnly.secret, { json: { no_activity: true } });
  assert.deepEqual([draft.status, draft.body.error.code, draft.body.error.required_scope], [403, 'token_scope_missing', WRITE]);
  const transmit = await bearer('POST', `${reportsOf(writerFile)}/${month}/transmit`, tokens.readOnly.secret);
  assert.deepEqual([transmit.status, transmit.body.error.code], [403, 'token_scope_missing']);
  const after = await bearer('GET', `${reportsOf(writerFile)}/${month}`, tokens.readOnly.secret);
  assert.equal(after.body.status, 'not_started');
});

test('a write token drafts and transmits; forty transmissions with the same Idempotency-Key answer one receipt', async () => {
  const month = freshMonth();
  const path = `${reportsOf(writerFile)}/${month}`;
  const draft = await bearer('PUT', path, tokens.full.secret, { json: { lines: [line(), line({ worker_id: '1111111', region: 'estrie' })] } });
  assert.equal(draft.status, 200, draft.text);
  assert.deepEqual([draft.body.status, draft.body.draft.totals.lines], ['draft', 2]);
  const key = `paie-${month}-1`;
  const answers = answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => bearer('POST', `${path}/transmit`, tokens.full.secret, { headers: { 'idempotency-key': key } }))));
  assert.ok(answers.every((r) => r.status === 200), answers.map((r) => `${r.status} ${r.body?.error?.code ?? ''}`).join(','));
  const receipts = new Set(answers.map((r) => r.body.receipt_number));
  assert.equal(receipts.size, 1, 'one receipt');
  const report = answers[0].body;
  assert.equal(report.transmitted.transmitted_by, 'Synchro Paie (API)', 'the report names the token that transmitted it');
  assert.equal(report.versions.length, 1, 'one version transmitted');
  const again = await untilAnswered(() => bearer('POST', `${path}/transmit`, tokens.full.secret, { headers: { 'idempotency-key': key } }));
  assert.deepEqual([again.status, again.body.receipt_number], [200, [...receipts][0]]);
  const other = await bearer('POST', `${path}/transmit`, tokens.full.secret, { headers: { 'idempotency-key': `${key}-other` } });
  assert.deepEqual([other.status, other.body.error.code], [409, 'monthly_report_transmitted']);
  const seen = await firm.member.client.get(path);
  assert.deepEqual([seen.status, seen.body.status, seen.body.transmitted.receipt_number], [200, 'transmitted', [...receipts][0]], 'the member sees what the platform transmitted');
  const own = await boss.client.employerReport(month);
  assert.equal(own.body.transmitted.receipt_number, [...receipts][0], 'and so does the employer');
});

test('a write token imports a CSV file and opens a correction of what it transmitted; a read token may do neither', async () => {
  const month = freshMonth();
  const path = `${reportsOf(writerFile)}/${month}`;
  const csv = 'Worker ID,Worker name,Trade,Region,Regular hours,Overtime hours,Gross wages\n1111111,Ana Lopez,Roofer,Estrie,8.75,0,300.5\n';
  const csvHeaders = { 'content-type': 'text/csv; charset=utf-8' };
  const refused = await bearer('POST', `${path}/import`, tokens.readOnly.secret, { raw: csv, headers: csvHeaders });
  assert.deepEqual([refused.status, refused.body.error.code], [403, 'token_scope_missing']);
  const imported = await bearer('POST', `${path}/import`, tokens.full.secret, { raw: csv, headers: csvHeaders });
  assert.equal(imported.status, 200, imported.text);
  assert.deepEqual(imported.body.draft.lines.map((l) => [l.worker_name, l.trade, l.gross_wages_cents]), [['Ana Lopez', 'couvreur', 30_050]]);
  assert.equal((await bearer('POST', `${path}/transmit`, tokens.full.secret)).status, 200);
  const readCorrect = await bearer('POST', `${path}/correct`, tokens.readOnly.secret);
  assert.deepEqual([readCorrect.status, readCorrect.body.error.code], [403, 'token_scope_missing']);
  const corrected = await bearer('POST', `${path}/correct`, tokens.full.secret);
  assert.equal(corrected.status, 201, corrected.text);
  assert.deepEqual([corrected.body.status, corrected.body.draft.number], ['correction', 2]);
});

test('a write token on a file authorized at level consultation answers 403 transmission_not_authorized', async () => {
  const month = freshMonth();
  const res = await bearer('PUT', `${reportsOf(readerFile)}/${month}`, tokens.full.secret, { json: { no_activity: true } });
  assert.deepEqual([res.status, res.body.error.code], [403, 'transmission_not_authorized']);
});

test("another firm's file, an unknown id and the employer's own routes answer 404 or 403 to a firm's token", async () => {
  const month = freshMonth();
  for (const path of [reportsOf(outsiderFile), `${reportsOf(outsiderFile)}/${month}`, '/api/authorized-files/nope/monthly-reports']) {
    const res = await bearer('GET', path, tokens.full.secret);
    assert.deepEqual([res.status, res.body.error.code], [404, 'not_found'], path);
  }
  const put = await bearer('PUT', `${reportsOf(outsiderFile)}/${month}`, tokens.full.secret, { json: { no_activity: true } });
  assert.equal(put.status, 404, put.text);
  const own = await bearer('GET', OWN, tokens.full.secret);
  assert.deepEqual([own.status, own.body.error.code], [403, 'employer_profile_required']);
});

test("an employer's token reaches its own reports and none of a firm's files", async () => {
  const { secret } = await createToken(app, boss.client, { name: 'Paie maison', scopes: [READ, WRITE] });
  const month = freshMonth();
  const list = await bearer('GET', OWN, secret);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.employer.id, boss.organisation.id);
  assert.equal((await bearer('PUT', `${OWN}/${month}`, secret, { json: { no_activity: true } })).status, 200);
  const sent = await bearer('POST', `${OWN}/${month}/transmit`, secret, { headers: { 'idempotency-key': 'maison-1' } });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.transmitted.transmitted_by, 'Paie maison (API)');
  const file = await bearer('GET', reportsOf(writerFile), secret);
  assert.equal(file.status, 404, "the employer's token does not reach the firm's authorization");
});

test('bad input through a token answers 4xx JSON: a bad month, a bad Idempotency-Key, lines that are not objects', async () => {
  const bad = await bearer('GET', `${reportsOf(writerFile)}/2026-13`, tokens.full.secret);
  assert.equal(bad.status, 422, bad.text);
  const month = freshMonth();
  const key = await bearer('POST', `${reportsOf(writerFile)}/${month}/transmit`, tokens.full.secret, { headers: { 'idempotency-key': 'x'.repeat(101) } });
  assert.equal(key.status, 422, key.text);
  const lines = await bearer('PUT', `${reportsOf(writerFile)}/${month}`, tokens.full.secret, { json: { lines: [1, 'two'] } });
  assert.equal(lines.status, 422, lines.text);
});

test('a revoked token answers 401 token_revoked on the report routes', async () => {
  const { token, secret } = await createToken(app, firm.responsable.client, { name: 'Éphémère', scopes: [READ] });
  assert.equal((await bearer('GET', reportsOf(writerFile), secret)).status, 200);
  assert.equal((await revokeToken(firm.responsable.client, token.id)).status, 200);
  const res = await bearer('GET', reportsOf(writerFile), secret);
  assert.deepEqual([res.status, res.body.error.code], [401, 'token_revoked']);
});
