// The legacy migration import: the operator's `import-migration` command streams the
// messy sample export of tests/fixtures to a real worker; the report says exactly what was created,
// what was already there and why each refused line was refused; importing again changes nothing;
// unmigrated relations stay queryable and resolve once fixed; migrated contacts can be sent link
// credentials by their responsible.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, ROOT, freePort } from '../support/app.mjs';
import {
  operatorRequest, operatorClient, sql, quote, signedUp, selectProfile, credentialsSentTo, link, sendCase, assertRejected,
  MALFORMED, NOT_OBJECT, TOO_LARGE, NOT_JSON, invalid,
} from '../support/orgs.mjs';

const FIXTURE = join(ROOT, 'tests', 'fixtures', 'legacy-export.ndjson');
const CLI = join(ROOT, 'scripts', 'operator.mjs');
const LEGACY_PASSWORD = 'motdepasse-heritage';

let app;
let dir;
let first; // the first import of the fixture: {code, stdout, stderr, report}

before(async () => {
  app = await spawnApp();
  dir = mkdtempSync(join(tmpdir(), 'sel-migration-'));
  first = await importFile(copy('first.ndjson'));
});
after(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the fixture in this run's directory, optionally changed line by line. */
function copy(name, change = (lines) => lines) {
  const path = join(dir, name);
  copyFileSync(FIXTURE, path);
  writeFileSync(path, change(readFileSync(path, 'utf8').split('\n')).join('\n'));
  return path;
}

/** Runs `node scripts/operator.mjs import-migration FILE` against the app; reads FILE.report.json. */
function importFile(file, { url = app.baseUrl, token = 'dev-operator-token' } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'import-migration', file], { env: { ...process.env, SEL_URL: url, OPERATOR_TOKEN: token } }, (error, stdout, stderr) => {
      const reportFile = `${file}.report.json`;
      const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
      resolve({ code: error ? error.code : 0, stdout, stderr, report });
    });
  });
}

const rows = async (query) => (await sql(app, query)).map((row) => ({ ...row }));

/** Rows of every table the import writes. */
async function tableCounts() {
  const tables = ['organisations', 'contacts', 'legacy_credentials', 'link_credentials', 'authorizations', 'authorized_file_totals',
    'domain_events', 'audit_events', 'email_outbox', 'migrated_relations', 'unmigrated_relations', 'migration_runs', 'migration_outcomes'];
  const [row] = await rows(`SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(', ')}`);
  return row;
}

const KINDS = ['organisation', 'contact', 'legacy_credential', 'relation'];
const counts = (values) => Object.fromEntries(KINDS.map((kind, i) => [kind, values[i]]));

/** What the fixture's refused lines are refused for, by line. */
const REFUSED = [
  [6, 'organisation', '2000199', 'invalid_organisation', 'postal_code'],
  [14, 'contact', 'ghislain@nulle-part.example', 'unknown_file_number', 'file_number'],
  [15, 'contact', 'pas une adresse', 'invalid_contact', 'email'],
  [20, 'legacy_credential', 'ci200009', 'unsupported_hash', 'password_hash'],
  [28, 'relation', 'R-2001', 'unknown_employer', 'employer_file_number'],
  [29, 'relation', 'R-2002', 'unknown_contact', 'contact_email'],
  [30, 'relation', 'R-2003', 'ambiguous_contact', 'contact_email'],
  [31, 'relation', 'R-2004', 'ambiguous_contact', 'contact_username'],
  [32, 'relation', 'R-2005', 'missing_email', 'contact_email'],
  [33, 'relation', 'R-2006', 'unknown_service', 'services'],
  [34, 'relation', 'R-1001', 'duplicate', 'legacy_id'],
  [35, 'relation', 'R-2008', 'duplicate', 'contact_email'],
  [36, 'relation', 'R-2009', 'invalid_dates', 'ends_on'],
  [37, 'relation', 'R-2010', 'self_authorization', 'firm_file_number'],
  [38, 'relation', 'R-2011', 'invalid_relation', 'level'],
  [39, 'unknown', null, 'malformed_json', null],
  [40, 'unknown', null, 'invalid_record', 'type'],
].map(([line, kind, key, reason, field]) => ({ line, kind, key, reason, field }));

const REFUSED_BY_KIND = {
  organisation: { invalid_organisation: 1 },
  contact: { invalid_contact: 1, unknown_file_number: 1 },
  legacy_credential: { unsupported_hash: 1 },
  relation: { ambiguous_contact: 2, duplicate: 2, invalid_dates: 1, invalid_relation: 1, missing_email: 1, self_authorization: 1, unknown_contact: 1, unknown_employer: 1, unknown_service: 1 },
  unknown: { invalid_record: 1, malformed_json: 1 },
};

const sortedByLine = (list) => [...list].sort((a, b) => a.line - b.line);

// --- The first import ----------------------------------------------------------------------------

describe('importing the sample export', () => {
  test('the command succeeds and reports what was created, what was already there and every refused line with its reason', () => {
    const { code, stdout, stderr, report } = first;

    assert.equal(code, 0, `exit code\n${stdout}\n${stderr}`);
    assert.ok(report, 'the report was written next to the file');
    assert.equal(report.lines, 39, 'the 39 non-blank lines were read (the blank line is skipped)');
    assert.deepEqual(report.report.created, counts([5, 7, 4, 5]));
    assert.deepEqual(report.report.already_present, counts([0, 0, 0, 1]), 'the repeated line of R-1003 is already present');
    assert.deepEqual(report.report.rejected, REFUSED_BY_KIND);
    assert.deepEqual(report.report.totals, { created: 21, already_present: 1, rejected: 17 });
    assert.deepEqual(sortedByLine(report.rejected), REFUSED, 'each refused line with its kind, key, reason and field');
    for (const refused of REFUSED) {
      assert.match(stdout, new RegExp(`line ${refused.line}: .*${refused.reason}`), `the printed report lists line ${refused.line}`);
    }
  });

  test('the organisations, contacts and legacy credentials are created as the export says, the contacts invited without any email', async () => {
    const organisations = await rows('SELECT kind, name, file_number, postal_code, email_on_file FROM organisations ORDER BY file_number');
    assert.deepEqual(organisations.map((o) => o.file_number), ['1000101', '1000102', '2000101', '2000102', '2000103']);
    assert.deepEqual(organisations.find((o) => o.file_number === '2000103'),
      { kind: 'employer', name: 'Toitures Saint-Élie', file_number: '2000103', postal_code: 'J8P2K1', email_on_file: 'admin@toitures-st-elie.example' },
      'file numbers and postal codes are normalised, accents kept');

    const contacts = await rows(`SELECT c.email, c.first_name, c.role, c.status, o.file_number,
      (SELECT COUNT(*) FROM link_credentials l WHERE l.contact_id = c.id) AS credentials
      FROM contacts c JOIN organisations o ON o.id = c.organisation_id ORDER BY o.file_number, c.email`);
    assert.deepEqual(contacts.map((c) => `${c.file_number} ${c.email} ${c.role}`), [
      '1000101 francois@partage.example membre', '1000101 helene@levesque.example responsable', '1000101 marc-andre@levesque.example membre',
      '1000101 noemie@levesque.example membre', '1000102 francois@partage.example membre', '1000102 jf.pare@cote.example membre',
      '1000102 rejean@cote.example responsable', '2000101 sophie@boreal.example responsable',
    ], 'one contact per (organisation, email), emails lower-cased; the credential of ci200002 made Jean-François');
    assert.ok(contacts.every((c) => c.status === 'invited' && c.credentials === 0), 'migrated contacts are invited, with no link credentials yet');
    assert.equal(contacts.find((c) => c.email === 'marc-andre@levesque.example').first_name, 'Marc-André');
    assert.deepEqual(await rows('SELECT COUNT(*) AS n FROM email_outbox'), [{ n: 0 }], 'the import emails nobody');

    const logins = await rows(`SELECT l.username, c.email FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id ORDER BY l.username`);
    assert.deepEqual(logins, [
      { username: 'ci200001', email: 'marc-andre@levesque.example' }, { username: 'ci200002', email: 'jf.pare@cote.example' },
      { username: 'ci200003', email: 'helene@levesque.example' }, { username: 'er300001', email: 'sophie@boreal.example' },
    ], 'usernames lower-cased, each on the contact of its email');
  });

  test('the relations become migrated authorizations awaiting review, with their events and audit', async () => {
    const authorizations = await rows(`SELECT a.legacy_id, a.origin, a.status, a.confirmed_at, a.services, a.level, a.employer_name, a.name_key,
        a.file_number, c.email, a.firm_id = c.organisation_id AS firm_is_contacts, a.ends_at, a.ended_at, a.granted_by
      FROM authorizations a JOIN contacts c ON c.id = a.contact_id ORDER BY a.legacy_id`);
    assert.deepEqual(authorizations.map((a) => [a.legacy_id, a.status, a.services, a.level, a.file_number, a.email]), [
      ['1004', 'ended', 1, 'consultation', '2000103', 'jf.pare@cote.example'],
      ['R-1001', 'active', 9, 'consultation', '2000101', 'helene@levesque.example'],
      ['R-1002', 'active', 6, 'transmission', '2000101', 'marc-andre@levesque.example'],
      ['R-1003', 'active', 8, 'consultation', '2000102', 'noemie@levesque.example'],
      ['R-1005', 'active', 15, 'transmission', '2000102', 'helene@levesque.example'],
    ], 'legacy codes GMO/IDC/LES/RM became the service bits 1/2/4/8; a relation that ended in 2020 is kept as ended');
    for (const a of authorizations) {
      assert.equal(a.origin, 'migrated', a.legacy_id);
      assert.equal(a.confirmed_at, null, `${a.legacy_id} awaits the employer's review`);
      assert.equal(a.granted_by, null, a.legacy_id);
      assert.equal(a.firm_is_contacts, 1, `${a.legacy_id}: firm_id is the contact's organisation`);
      assert.equal(a.ended_at, a.status === 'ended' ? a.ends_at : null, a.legacy_id);
    }
    const beton = authorizations.find((a) => a.legacy_id === 'R-1003');
    assert.deepEqual([beton.employer_name, beton.name_key], ['Béton QUÉBEC ltée', ' beton quebec ltee'], 'the employer is copied for "Mes dossiers autorisés"');

    const totals = await rows(`SELECT c.email, t.total, t.workforce, t.monthly_report FROM authorized_file_totals t JOIN contacts c ON c.id = t.contact_id ORDER BY c.email`);
    assert.deepEqual(totals.find((t) => t.email === 'helene@levesque.example'), { email: 'helene@levesque.example', total: 2, workforce: 2, monthly_report: 2 });
    assert.equal(totals.find((t) => t.email === 'jf.pare@cote.example'), undefined, 'an ended relation is not counted');

    const events = await rows(`SELECT type, employer_id, firm_id, payload FROM domain_events ORDER BY seq`);
    assert.equal(events.length, 5);
    assert.ok(events.every((e) => e.type === 'authorization.migrated'));
    const { authorization, details } = JSON.parse(events.find((e) => JSON.parse(e.payload).details.legacy_id === 'R-1002').payload);
    assert.deepEqual(details, { legacy_id: 'R-1002', run_id: first.report.run_id });
    assert.deepEqual([authorization.services, authorization.level, authorization.starts_on, authorization.ends_on, authorization.origin,
      authorization.status, authorization.review], [['site_identification', 'status_letter'], 'transmission', '2018-01-01', '2030-12-31', 'migrated', 'active', 'pending'],
    'the payload is the authorization as the API shows it');
    assert.deepEqual([authorization.employer.file_number, authorization.firm.file_number, authorization.contact.email, authorization.contact.first_name],
      ['2000101', '1000101', 'marc-andre@levesque.example', 'Marc-André']);

    const audit = await rows(`SELECT e.organisation_id, e.counterpart_organisation_id, a.employer_id, a.firm_id
      FROM audit_events e JOIN authorizations a ON a.id = json_extract(e.details, '$.authorization_id') WHERE e.action = 'authorization.migrated'`);
    assert.equal(audit.length, 5, 'one audit event per migrated relation');
    assert.ok(audit.every((e) => e.organisation_id === e.employer_id && e.counterpart_organisation_id === e.firm_id),
      'the audit event is the employer\'s, with the firm as counterpart');
  });

  test('the run\'s report can be read again by its id, and an unknown run answers 404', async () => {
    const res = await operatorClient(app).operatorMigration(first.report.run_id);
    const unknown = await operatorClient(app).operatorMigration('run-that-never-was');

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, first.report.report);
    assert.equal(res.body.run.id, first.report.run_id);
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.error.code, 'migration_run_not_found');
  });
});

// --- Unmigrated relations ------------------------------------------------------------------------

describe('the relations that could not be migrated', () => {
  const list = (query = '') => operatorRequest(app, `/api/operator/unmigrated-relations${query}`, { method: 'GET' });

  test('are listed with their reason, line, run and record', async () => {
    const res = await list('?page_size=100');

    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.total, 11, 'the eleven refused relation lines (malformed lines are not known to be relations)');
    const expected = REFUSED.filter((r) => r.kind === 'relation');
    assert.deepEqual(sortedByLine(res.body.items).map((r) => ({ line: r.line, legacy_id: r.legacy_id, reason: r.reason })),
      expected.map((r) => ({ line: r.line, legacy_id: r.key, reason: r.reason })));
    const ambiguous = res.body.items.find((r) => r.legacy_id === 'R-2003');
    assert.equal(ambiguous.run_id, first.report.run_id);
    assert.equal(ambiguous.status, 'open');
    assert.equal(ambiguous.record.contact_email, 'francois@partage.example', 'the record is kept as exported');
  });

  test('can be filtered by reason and paged', async () => {
    const ambiguous = await list('?reason=ambiguous_contact');
    const pageTwo = await list('?page=2&page_size=4');

    assert.equal(ambiguous.status, 200, ambiguous.text);
    assert.deepEqual(ambiguous.body.items.map((r) => r.legacy_id).sort(), ['R-2003', 'R-2004']);
    assert.equal(ambiguous.body.total, 2);
    assert.equal(pageTwo.body.items.length, 4);
    assert.deepEqual([pageTwo.body.total, pageTwo.body.page, pageTwo.body.page_size], [11, 2, 4]);
  });

  for (const [label, query, field] of [['an unknown reason', '?reason=mystery', 'reason'], ['an unknown status', '?status=later', 'status'],
    ['page 0', '?page=0', 'page'], ['a page size of 1000', '?page_size=1000', 'page_size']]) {
    test(`are not listed for ${label}: 422 naming ${field}`, async () => {
      const res = await list(query);
      assertRejected(res, invalid(field), label);
    });
  }
});

// --- Idempotency ---------------------------------------------------------------------------------

describe('importing the same export again', () => {
  let countsBefore;
  let again;
  let countsAfter;
  let refusals;
  before(async () => {
    refusals = await rows('SELECT id, fingerprint, reason FROM unmigrated_relations ORDER BY id');
    countsBefore = await tableCounts();
    again = await importFile(copy('again.ndjson'));
    countsAfter = await tableCounts();
  });

  test('creates nothing and finds everything already present', () => {
    assert.equal(again.code, 0, again.stderr);
    assert.notEqual(again.report.run_id, first.report.run_id, 'a new run');
    assert.deepEqual(again.report.report.created, counts([0, 0, 0, 0]));
    assert.deepEqual(again.report.report.already_present, counts([5, 7, 4, 6]));
    assert.deepEqual(again.report.report.rejected, REFUSED_BY_KIND, 'the same lines are refused for the same reasons');
    assert.deepEqual(sortedByLine(again.report.rejected), REFUSED);
  });

  test('changes no table but the run\'s own bookkeeping', async () => {
    const { migration_runs: runs, migration_outcomes: outcomes, ...rest } = countsAfter;
    const { migration_runs: runsBefore, migration_outcomes: outcomesBefore, ...restBefore } = countsBefore;
    assert.deepEqual(rest, restBefore);
    assert.equal(runs, runsBefore + 1, 'one more run is recorded');
    assert.ok(outcomes > outcomesBefore, 'with its counts');
    assert.deepEqual(await rows('SELECT id, fingerprint, reason FROM unmigrated_relations ORDER BY id'), refusals,
      'the refused relations are the same rows, not new ones');
    const latest = await rows(`SELECT DISTINCT run_id FROM unmigrated_relations`);
    assert.deepEqual(latest, [{ run_id: again.report.run_id }], 'each refused relation names the latest run that refused it');
  });
});

// --- Fixing the data -----------------------------------------------------------------------------

describe('once the missing contact is added to the export', () => {
  let fixed;
  before(async () => {
    const missing = '{"type":"contact","file_number":"1000101","first_name":"Inès","last_name":"Connue","email":"inconnu@levesque.example","role":"membre"}';
    fixed = await importFile(copy('fixed.ndjson', (lines) => [...lines.slice(0, 6), missing, ...lines.slice(6)]));
  });

  test('the next import creates the contact and migrates the relation that named it', async () => {
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(fixed.report.report.created, counts([0, 1, 0, 1]));
    assert.ok(!fixed.report.rejected.some((r) => r.key === 'R-2002'), 'R-2002 is no longer refused');
    const [authorization] = await rows(`SELECT a.status, a.origin, c.email FROM authorizations a JOIN contacts c ON c.id = a.contact_id WHERE a.legacy_id = 'R-2002'`);
    assert.deepEqual(authorization, { status: 'active', origin: 'migrated', email: 'inconnu@levesque.example' });
  });

  test('its refusal is marked resolved by that run, and the open ones show their new lines', async () => {
    const resolved = await operatorClient(app).operatorUnmigratedRelations({ status: 'resolved' });
    const open = await operatorClient(app).operatorUnmigratedRelations({ page_size: 100 });

    assert.equal(resolved.status, 200, resolved.text);
    assert.deepEqual(resolved.body.items.map((r) => [r.legacy_id, r.reason, r.status, r.resolved_run_id]),
      [['R-2002', 'unknown_contact', 'resolved', fixed.report.run_id]]);
    assert.equal(typeof resolved.body.items[0].resolved_at, 'number');
    assert.equal(open.body.total, 10);
    assert.equal(open.body.items.find((r) => r.legacy_id === 'R-2003').line, 31, 'one line was inserted above it');
  });
});

// --- The migrated contacts' responsible ----------------------------------------------------------

describe('a firm whose contacts were migrated', () => {
  let helene;
  let members;
  before(async () => {
    helene = await signedUp(app, { email: 'helene@levesque.example', first_name: 'Hélène', last_name: 'Lévesque' });
    const linked = await helene.client.linkWithLegacy({ username: 'ci200003', password: LEGACY_PASSWORD });
    assert.equal(linked.status, 200, linked.text);
    const selected = await selectProfile(helene.client, linked.body.profile.id);
    assert.equal(selected.status, 200, selected.text);
    members = await helene.client.members({ page_size: '100' });
  });

  test('shows them in the responsible\'s inventory, invited and without credentials', () => {
    assert.equal(members.status, 200, members.text);
    const byEmail = Object.fromEntries(members.body.items.map((c) => [c.email, c]));
    for (const email of ['marc-andre@levesque.example', 'noemie@levesque.example', 'francois@partage.example', 'inconnu@levesque.example']) {
      assert.equal(byEmail[email]?.status, 'invited', `${email} is in the inventory`);
      assert.deepEqual(byEmail[email].credential, { state: 'none' }, `${email} has no credentials until the responsible sends them`);
    }
    assert.equal(byEmail['helene@levesque.example'].status, 'linked', 'the responsible linked with her legacy login');
  });

  test('lets the responsible send a migrated contact link credentials that link their account', async () => {
    const noemie = members.body.items.find((c) => c.email === 'noemie@levesque.example');

    const sent = await helene.client.reissueLinkCredentials(noemie.id, {});

    assert.equal(sent.status, 201, sent.text);
    assert.equal(sent.body.contact.credential.state, 'sent');
    const credentials = await credentialsSentTo(app, 'noemie@levesque.example');
    const account = await signedUp(app, { email: 'noemie@levesque.example', first_name: 'Noémie', last_name: 'Gagnon' });
    const linked = await link(account.client, credentials);
    assert.equal(linked.status, 200, linked.text);
    assert.equal(linked.body.profile.organisation.file_number, '1000101');
    const [row] = await rows(`SELECT status FROM contacts WHERE id = ${quote(noemie.id)}`);
    assert.equal(row.status, 'linked');
  });

  test('lists the employer files migrated for the responsible in "Mes dossiers autorisés"', async () => {
    const res = await helene.client.authorizedFiles({ sort: 'name' });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((f) => [f.employer.name, f.employer.file_number, f.services, f.level, f.origin]), [
      ['Béton QUÉBEC ltée', '2000102', ['workforce', 'site_identification', 'status_letter', 'monthly_report'], 'transmission', 'migrated'],
      ['Construction Boréal inc.', '2000101', ['workforce', 'monthly_report'], 'consultation', 'migrated'],
    ]);
    assert.equal(res.body.total, 2);
    const search = await helene.client.authorizedFiles({ q: 'quebec' });
    assert.deepEqual(search.body.items.map((f) => f.employer.file_number), ['2000102'], 'the copied name is searchable without accents');
  });
});

describe('an employer whose relations were migrated', () => {
  test('sees them awaiting its review', async () => {
    const sophie = await signedUp(app, { email: 'sophie@boreal.example', first_name: 'Sophie', last_name: 'Bouchard' });
    const linked = await sophie.client.linkWithLegacy({ username: 'ER300001', password: LEGACY_PASSWORD });
    assert.equal(linked.status, 200, linked.text);
    assert.equal((await selectProfile(sophie.client, linked.body.profile.id)).status, 200);

    const res = await sophie.client.authorizations({ review: 'pending' });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((a) => [a.contact.email, a.origin, a.review, a.status]).sort(), [
      ['helene@levesque.example', 'migrated', 'pending', 'active'],
      ['marc-andre@levesque.example', 'migrated', 'pending', 'active'],
    ]);
    assert.ok(res.body.items.every((a) => a.firm.file_number === '1000101'));
  });
});

// --- The operator token and bad input ------------------------------------------------------------

describe('the migration routes', () => {
  const batch = () => ({ run_id: 'run-bad-input', items: [{ line: 1, record: { type: 'organisation', kind: 'employer', name: 'Nouvelle', file_number: '2000777', postal_code: 'H2X 1Y4', email: 'a@b.example' } }] });

  for (const [method, path, json] of [['POST', '/api/operator/migrations', batch()], ['GET', '/api/operator/migrations/run-1', undefined],
    ['GET', '/api/operator/unmigrated-relations', undefined]]) {
    for (const [label, options] of [['no token', { token: null }], ['a wrong token', { token: 'dev-operator-tokem' }]]) {
      test(`${method} ${path} with ${label} answers 401 operator_token_required and writes nothing`, async () => {
        const was = await tableCounts();
        const res = await operatorRequest(app, path, { method, json, ...options });
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.error.code, 'operator_token_required');
        assert.deepEqual(await tableCounts(), was);
      });
    }
  }

  const withItems = (items) => () => JSON.stringify({ run_id: 'run-bad-input', items });
  const item = batch().items[0];
  const cases = [
    { name: 'malformed JSON', body: () => '{"run_id": "run-bad-input", "items": [', expect: MALFORMED },
    { name: 'an array instead of an object', body: () => JSON.stringify([batch()]), expect: NOT_OBJECT },
    { name: 'a body over 1 MiB', body: () => JSON.stringify({ ...batch(), padding: 'x'.repeat(1024 * 1024 + 10) }), expect: TOO_LARGE },
    { name: 'a text/plain body', contentType: 'text/plain', body: () => JSON.stringify(batch()), expect: NOT_JSON },
    { name: 'an empty object', body: () => '{}', expect: { ...invalid('run_id'), fields: ['items'] } },
    { name: 'run_id as a number', body: () => JSON.stringify({ ...batch(), run_id: 42 }), expect: invalid('run_id') },
    { name: 'run_id with a slash', body: () => JSON.stringify({ ...batch(), run_id: 'run/1' }), expect: invalid('run_id') },
    { name: 'run_id of 65 characters', body: () => JSON.stringify({ ...batch(), run_id: 'r'.repeat(65) }), expect: invalid('run_id') },
    { name: 'items as an object', body: () => JSON.stringify({ ...batch(), items: item }), expect: invalid('items') },
    { name: 'items empty', body: withItems([]), expect: invalid('items') },
    { name: '201 items', body: withItems(Array.from({ length: 201 }, (_, i) => ({ ...item, line: i + 1 }))), expect: invalid('items') },
    { name: 'an item that is a bare record', body: withItems([item.record]), expect: invalid('items') },
    { name: 'an item without a line', body: withItems([{ record: item.record }]), expect: invalid('items') },
    { name: 'a line as a string', body: withItems([{ ...item, line: '1' }]), expect: invalid('items') },
    { name: 'lines out of order', body: withItems([{ ...item, line: 2 }, { ...item, line: 1 }]), expect: invalid('items') },
    { name: 'an unknown unreadable reason', body: withItems([{ line: 1, unreadable: 'tired' }]), expect: invalid('items') },
    { name: 'a valid item after a bad one', body: withItems([{ line: 1 }, { ...item, line: 2 }]), expect: invalid('items') },
  ];
  describe('with bad input', () => {
    let counts;
    before(async () => { counts = await tableCounts(); });
    for (const c of cases) {
      test(`POST /api/operator/migrations with ${c.name} answers ${c.expect.status} ${c.expect.code}`, async () => {
        const res = await sendCase(app, 'POST', '/api/operator/migrations', c, { headers: { authorization: 'Bearer dev-operator-token' } });
        assertRejected(res, { why: 'the batch is not {run_id, items: [{line, record}…]}', ...c.expect }, c.name);
      });
    }
    test('none of the bad requests wrote anything', async () => {
      assert.deepEqual(await tableCounts(), counts);
    });
  });

  test('records of the wrong shape inside a valid batch are refused line by line, never a 500', async () => {
    const items = [42, null, 'texte', [], { type: 'relation' }, { type: 'relation', legacy_id: { id: 1 }, services: 7 },
      { type: 'contact', file_number: 1000101, first_name: ['A'], email: true }, { type: 'organisation', name: 'é'.repeat(5000) }]
      .map((record, i) => ({ line: i + 1, record }));

    const res = await operatorClient(app).operatorMigrate({ run_id: 'run-odd-records', items });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.rejected.map((r) => [r.line, r.kind, r.reason]), [
      [1, 'unknown', 'invalid_record'], [2, 'unknown', 'invalid_record'], [3, 'unknown', 'invalid_record'], [4, 'unknown', 'invalid_record'],
      [5, 'relation', 'invalid_relation'], [6, 'relation', 'invalid_relation'], [7, 'contact', 'invalid_contact'], [8, 'unknown', 'record_too_large'],
    ]);
  });
});

// --- The command's failures ----------------------------------------------------------------------

describe('the import-migration command', () => {
  test('exits non-zero and says why when the portal cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;

    const result = await importFile(copy('unreachable.ndjson'), { url: closed });

    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /import-migration stopped/);
    assert.equal(result.report.lines, 0, 'the partial report says nothing was imported');
  });

  test('exits non-zero when the operator token is refused', async () => {
    const result = await importFile(copy('refused.ndjson'), { token: 'not-the-token' });

    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /401/);
  });
});
