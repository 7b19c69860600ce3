// The monthly report ("rapport mensuel"): an employer's contact or a firm's contact authorized for
// the service drafts a month's report (typed or imported from CSV), sees every problem of every
// line at once, transmits it for a receipt once the month is over, and corrects it (a new version
// that supersedes the transmitted one; the history keeps both). Who may read and write is checked
// on every route; another's file answers 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, answeredByWorker, untilAnswered } from '../support/app.mjs';
import { withReceiver, createWebhook } from '../support/webhooks.mjs';
import {
  employer, firmWithMember, anotherMember, granted, grantBody, workerNow, FILES,
} from '../support/authz.mjs';

let app;
let boss; // the employer, acting for itself
let firm; // {responsable, member, organisation}: the member is authorized at level transmission
let reader; // a member of the same firm authorized at level consultation
let stranger; // a member of the same firm authorized on the same employer, without the monthly report
let outsider; // a member of another firm, with a file of another employer
let writerFile; // the member's authorized file (its id is the authorization's)
let readerFile;
let strangerFile;
let outsiderFile;
let now;

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
const monthOf = (ms) => MONTREAL.format(new Date(ms)).slice(0, 7);
function shift(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const fileReports = (file) => `${FILES}/${file.id}/monthly-reports`;
const OWN = '/api/employer/monthly-reports';
const put = (client, path, json) => client.request('PUT', path, { json });
const importCsv = (client, path, text, type = 'text/csv; charset=utf-8') =>
  client.request('POST', `${path}/import`, { body: text, headers: { 'content-type': type } });

const line = (overrides = {}) => ({
  worker_name: 'Marie Tremblay', worker_id: '1234567', trade: 'electricien', region: 'montreal',
  regular_hours: 37.5, overtime_hours: 2.25, gross_wages_cents: 154_321, ...overrides,
});

/** A month no other test touches: each test takes the next one back from two years ago. */
let spare = 0;
const freshMonth = () => shift(monthOf(now), -24 - (spare += 1));

before(async () => {
  app = await spawnApp();
  now = await workerNow(app);
  boss = await employer(app, { name: 'Construction Boréal inc.' });
  firm = await firmWithMember(app, { member: { first_name: 'Luc', last_name: 'Gagnon' } });
  reader = await anotherMember(app, firm.responsable.client, { first_name: 'Rita', last_name: 'Lecture' });
  stranger = await anotherMember(app, firm.responsable.client, { first_name: 'Sam', last_name: 'Autreservice' });
  writerFile = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'transmission' }));
  readerFile = await granted(boss.client, grantBody(firm.organisation, reader.email, { services: ['monthly_report', 'workforce'], level: 'consultation' }));
  strangerFile = await granted(boss.client, grantBody(firm.organisation, stranger.email, { services: ['workforce'], level: 'transmission' }));
  const otherFirm = await firmWithMember(app);
  const otherBoss = await employer(app);
  outsider = otherFirm.member;
  outsiderFile = await granted(otherBoss.client, grantBody(otherFirm.organisation, outsider.email, { services: ['monthly_report'], level: 'transmission' }));
});
after(async () => { await app?.stop(); });

test('the trades and construction regions come from the database with French and English labels', async () => {
  const fr = await boss.client.monthlyReportLists();
  assert.equal(fr.status, 200, fr.text);
  const electrician = fr.body.trades.find((t) => t.code === 'electricien');
  assert.deepEqual([electrician.label, electrician.label_en], ['Électricien', 'Electrician']);
  assert.ok(fr.body.regions.some((r) => r.code === 'montreal' && r.label === 'Montréal'));
  assert.equal(fr.body.regions.length, 11, 'the construction regions of Québec');
  assert.equal(fr.body.max_lines, 2000);
  const en = await app.client({ locale: 'en' }).monthlyReportLists();
  assert.equal(en.status, 401, 'the lists are for signed-in users');
});

test('an employer saves a draft whose lines are normalised and whose totals the server computes', async () => {
  const month = freshMonth();
  const res = await put(boss.client, `${OWN}/${month}`, {
    lines: [line(), line({ worker_name: '  Jean   Roy ', worker_id: '7654321', trade: 'Charpentier-menuisier', region: 'Québec', regular_hours: '40,25', overtime_hours: 0, gross_wages_cents: 200_000 })],
    totals: { lines: 99, gross_wages_cents: 1 },
  });
  assert.equal(res.status, 200, res.text);
  const r = res.body;
  assert.deepEqual([r.month, r.status, r.standing, r.may_write, r.transmitted], [month, 'draft', 'late', true, null]);
  assert.equal(r.due_on, `${shift(month, 1)}-15`, 'due the 15th of the following month');
  assert.deepEqual(r.draft.totals, { lines: 2, regular_hours: 77.75, overtime_hours: 2.25, gross_wages_cents: 354_321 }, 'totals sent by the client are ignored');
  assert.deepEqual(r.draft.lines[1], { line: 2, worker_name: 'Jean Roy', worker_id: '7654321', trade: 'charpentier_menuisier', region: 'quebec', regular_hours: 40.25, overtime_hours: 0, gross_wages_cents: 200_000 });
  assert.deepEqual(r.versions.map((v) => [v.number, v.status]), [[1, 'draft']]);
  const again = await boss.client.employerReport(month);
  assert.deepEqual(again.body.draft.lines, r.draft.lines, 'the draft reads back as saved');
  const replaced = await put(boss.client, `${OWN}/${month}`, { lines: [line()] });
  assert.equal(replaced.body.draft.totals.lines, 1, 'a PUT replaces the whole draft');
  assert.equal(replaced.body.draft.id, r.draft.id, 'the same version, still a draft');
});

test('every problem of every line is answered at once with its line and field, and nothing is saved', async () => {
  const month = freshMonth();
  await put(boss.client, `${OWN}/${month}`, { lines: [line()] });
  const res = await put(boss.client, `${OWN}/${month}`, {
    lines: [
      line(),
      line({ worker_name: '', worker_id: '12345', trade: 'astronaute', region: 'Mars', regular_hours: 300.25, overtime_hours: 1.1, gross_wages_cents: -5 }),
      'not a line',
      line({ worker_id: 1234567 }),
    ],
  });
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error.code, 'validation_failed');
  const problems = res.body.error.problems.map((p) => [p.line, p.field, p.code]);
  assert.deepEqual(problems, [[3, 'line', 'not_a_line']], 'a line that is not an object is answered before the fields');
  const fields = await put(boss.client, `${OWN}/${month}`, {
    lines: [
      line(),
      line({ worker_name: '', worker_id: '12345', trade: 'astronaute', region: 'Mars', regular_hours: 300.25, overtime_hours: 1.1, gross_wages_cents: -5 }),
      line({ worker_id: 1234567, trade: 'Électricien', region: 'MONTREAL' }),
    ],
  });
  assert.equal(fields.status, 422, fields.text);
  assert.deepEqual(fields.body.error.problems.map((p) => [p.line, p.field, p.code]), [
    [2, 'worker_name', 'required'], [2, 'worker_id', 'invalid_worker_id'], [2, 'trade', 'unknown_trade'], [2, 'region', 'unknown_region'],
    [2, 'regular_hours', 'too_many_hours'], [2, 'overtime_hours', 'not_quarter_hour'], [2, 'gross_wages_cents', 'invalid_wages'],
    [3, 'worker_id', 'duplicate_line'],
  ]);
  const duplicate = fields.body.error.problems.at(-1);
  assert.equal(duplicate.first_line, 1, 'a duplicate names the line it repeats');
  assert.match(duplicate.message, /ligne 1/);
  const kept = await boss.client.employerReport(month);
  assert.equal(kept.body.draft.totals.lines, 1, 'the draft is unchanged');
  const en = await app.client({ locale: 'en' });
  en.cookies = boss.client.cookies;
  const english = await put(en, `${OWN}/${month}`, { lines: [line({ worker_id: 'x' })] });
  assert.match(english.body.error.problems[0].message, /6 to 10 digits/);
});

test('a draft is transmitted once its month is over, with a receipt, and then no longer changes', async () => {
  const month = shift(monthOf(now), -1);
  const current = monthOf(now);
  await put(boss.client, `${OWN}/${current}`, { lines: [line()] });
  const early = await boss.client.transmitEmployerReport(current);
  assert.deepEqual([early.status, early.body.error.code], [409, 'monthly_report_month_not_over']);
  const ahead = await boss.client.employerReport(shift(current, 1));
  assert.deepEqual([ahead.status, Object.keys(ahead.body.error.fields)], [422, ['month']]);
  const none = await boss.client.transmitEmployerReport(month);
  assert.deepEqual([none.status, none.body.error.code], [409, 'monthly_report_no_draft']);

  await put(boss.client, `${OWN}/${month}`, { lines: [line(), line({ worker_id: '2222222', region: 'estrie' })] });
  const res = await boss.client.transmitEmployerReport(month);
  assert.equal(res.status, 200, res.text);
  const t = res.body.transmitted;
  assert.match(t.receipt_number, new RegExp(`^RM-${month.replace('-', '')}-[2-9A-HJKMNP-Z]{10}$`));
  assert.deepEqual([res.body.status, res.body.standing, res.body.draft, t.status, t.transmitted_by], ['transmitted', 'transmitted', null, 'transmitted', `${boss.user.first_name} ${boss.user.last_name}`]);
  assert.ok(Math.abs(t.transmitted_at - now) < 10 * 60 * 1000);
  assert.equal(t.totals.lines, 2);

  const edit = await put(boss.client, `${OWN}/${month}`, { lines: [line()] });
  assert.deepEqual([edit.status, edit.body.error.code], [409, 'monthly_report_transmitted']);
  const twice = await boss.client.transmitEmployerReport(month);
  assert.deepEqual([twice.status, twice.body.error.code], [409, 'monthly_report_transmitted']);
  const trail = await boss.client.audit({ action: 'monthly_report.transmitted' });
  assert.ok(JSON.stringify(trail.body).includes(t.receipt_number), 'the transmission is in the audit trail');
});

test('a correction opens the next version with the transmitted lines; its transmission supersedes the first and the history keeps both', async () => {
  const month = freshMonth();
  await put(firm.member.client, `${fileReports(writerFile)}/${month}`, { lines: [line()] });
  const first = (await firm.member.client.post(`${fileReports(writerFile)}/${month}/transmit`)).body.transmitted;
  const nothing = await boss.client.correctEmployerReport(freshMonth());
  assert.deepEqual([nothing.status, nothing.body.error.code], [409, 'monthly_report_nothing_to_correct']);

  const opened = await boss.client.correctEmployerReport(month);
  assert.equal(opened.status, 201, opened.text);
  assert.deepEqual([opened.body.status, opened.body.draft.number, opened.body.transmitted.receipt_number], ['correction', 2, first.receipt_number]);
  assert.deepEqual(opened.body.draft.lines, first.lines, 'the correction starts from the transmitted lines');
  const again = await boss.client.correctEmployerReport(month);
  assert.deepEqual([again.status, again.body.error.code], [409, 'monthly_report_correction_open']);

  await put(boss.client, `${OWN}/${month}`, { lines: [line({ regular_hours: 40 })] });
  const res = await boss.client.transmitEmployerReport(month);
  assert.equal(res.status, 200, res.text);
  assert.notEqual(res.body.transmitted.receipt_number, first.receipt_number, 'a new receipt');
  assert.equal(res.body.transmitted.totals.regular_hours, 40);
  assert.deepEqual(res.body.versions.map((v) => [v.number, v.status, v.receipt_number]), [
    [2, 'transmitted', res.body.transmitted.receipt_number], [1, 'superseded', first.receipt_number],
  ]);
  assert.ok(res.body.versions[1].superseded_at >= res.body.versions[0].transmitted_at - 1);
  const seen = await firm.member.client.get(`${fileReports(writerFile)}/${month}`);
  assert.equal(seen.body.transmitted.receipt_number, res.body.transmitted.receipt_number, 'the firm and the employer see the same report');
  const corrected = JSON.stringify((await boss.client.audit({ action: 'monthly_report.corrected' })).body);
  assert.ok(corrected.includes(res.body.transmitted.receipt_number) && corrected.includes(first.receipt_number), 'the correction and what it corrects are in the audit trail');
  const opening = JSON.stringify((await boss.client.audit({ action: 'monthly_report.correction_opened' })).body);
  assert.ok(opening.includes(first.receipt_number));
});

test('"no activity" is an explicit declaration: a report with neither lines nor it cannot be transmitted', async () => {
  const month = freshMonth();
  const both = await put(boss.client, `${OWN}/${month}`, { no_activity: true, lines: [line()] });
  assert.deepEqual([both.status, both.body.error.code], [422, 'monthly_report_no_activity_with_lines']);
  await put(boss.client, `${OWN}/${month}`, {});
  const empty = await boss.client.transmitEmployerReport(month);
  assert.deepEqual([empty.status, empty.body.error.code], [422, 'monthly_report_empty']);
  const declared = await put(boss.client, `${OWN}/${month}`, { no_activity: true });
  assert.equal(declared.body.draft.no_activity, true);
  const res = await boss.client.transmitEmployerReport(month);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual([res.body.transmitted.no_activity, res.body.transmitted.totals.lines], [true, 0]);
});

test('the list shows the last months with their due date, standing and status', async () => {
  const month = freshMonth();
  const current = monthOf(now);
  const list = await boss.client.employerReports({ months: '36' });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.items.length, 36);
  assert.equal(list.body.items[0].month, current, 'newest first, from the current month');
  assert.equal(list.body.items[0].standing, 'to_produce');
  const previous = list.body.items[1];
  const dueEnd = Date.parse(`${previous.due_on}T00:00:00-05:00`) + 24 * 3600 * 1000;
  assert.ok(['transmitted', now >= dueEnd ? 'late' : 'to_produce'].includes(previous.standing));
  assert.equal(list.body.items[5].standing === 'transmitted' || list.body.items[5].standing === 'late', true, 'an old month not transmitted is late');
  const old = await boss.client.employerReports({ months: '60' });
  const entry = old.body.items.find((i) => i.month === month);
  assert.deepEqual([entry.status, entry.lines], ['not_started', 0]);
  for (const bad of ['0', '61', 'x']) {
    const res = await boss.client.employerReports({ months: bad });
    assert.deepEqual([res.status, Object.keys(res.body.error.fields)], [422, ['months']], bad);
  }
});

test('who may: the employer and a firm contact at level transmission write, at consultation read, others are refused', async () => {
  const month = freshMonth();
  const at = (file) => `${fileReports(file)}/${month}`;
  await put(boss.client, `${OWN}/${month}`, { lines: [line()] });
  const cases = [
    ['the transmission member reads', firm.member.client, 'GET', at(writerFile), 200],
    ['the transmission member writes', firm.member.client, 'PUT', at(writerFile), 200],
    ['the consultation member reads', reader.client, 'GET', at(readerFile), 200],
    ['the consultation member lists', reader.client, 'GET', fileReports(readerFile), 200],
    ['the consultation member cannot write', reader.client, 'PUT', at(readerFile), 403, 'transmission_not_authorized'],
    ['the consultation member cannot transmit', reader.client, 'POST', `${at(readerFile)}/transmit`, 403, 'transmission_not_authorized'],
    ['the consultation member cannot correct', reader.client, 'POST', `${at(readerFile)}/correct`, 403, 'transmission_not_authorized'],
    ['the consultation member cannot import', reader.client, 'POST', `${at(readerFile)}/import`, 403, 'transmission_not_authorized'],
    ['a member without the service cannot read', stranger.client, 'GET', at(strangerFile), 403, 'service_not_authorized'],
    ["another member's file is not found", reader.client, 'GET', at(writerFile), 404, 'not_found'],
    ["another firm's file is not found", firm.member.client, 'GET', at(outsiderFile), 404, 'not_found'],
    ["another firm's member cannot reach this file", outsider.client, 'PUT', at(writerFile), 404, 'not_found'],
    ['a firm profile has no reports of its own', firm.member.client, 'GET', `${OWN}/${month}`, 403, 'employer_profile_required'],
    ['an anonymous request is refused', app.client(), 'GET', at(writerFile), 401, 'unauthenticated'],
    ['an unknown file is not found', firm.member.client, 'GET', `${FILES}/nope/monthly-reports/${month}`, 404, 'not_found'],
  ];
  for (const [label, client, method, path, status, code] of cases) {
    const res = method === 'PUT'
      ? await put(client, path, { lines: [line()] })
      : path.endsWith('/import') ? await importCsv(client, path.slice(0, -'/import'.length), 'a\n') : await client.request(method, path, method === 'POST' ? { json: {} } : {});
    assert.equal(res.status, status, `${label}: ${res.text}`);
    if (code) assert.equal(res.body.error.code, code, label);
  }
  const read = await reader.client.get(at(readerFile));
  assert.equal(read.body.may_write, false);
  assert.equal(read.body.employer.id, boss.organisation.id);
  const other = await outsider.client.get(`${fileReports(outsiderFile)}/${month}`);
  assert.deepEqual([other.status, other.body.status], [200, 'not_started'], "another employer's report of the same month is its own");
});

test('a malformed month or body is a 4xx JSON answer, never a 500', async () => {
  const month = freshMonth();
  for (const bad of ['2026-13', '2026-1', '1999-12', '202611']) {
    const res = await boss.client.employerReport(bad);
    assert.deepEqual([res.status, res.body.error.fields?.month ? 'month' : res.body.error.code], [422, 'month'], bad);
  }
  const cases = [
    [{ body: '{', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
    [{ body: '[]', headers: { 'content-type': 'application/json' } }, 400, 'body_not_object'],
    [{ body: 'x', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    [{ json: { lines: 'many' } }, 422, 'validation_failed'],
    [{ json: { no_activity: 'yes' } }, 422, 'validation_failed'],
    [{ json: { lines: Array.from({ length: 2001 }, (_, i) => line({ worker_id: String(1_000_000 + i) })) } }, 422, 'monthly_report_too_many_lines'],
    [{ json: { lines: [line({ worker_name: 'x'.repeat(101) })] } }, 422, 'validation_failed'],
    [{ json: { lines: [line({ worker_name: 'Ana\u202e' })] } }, 422, 'validation_failed'],
    [{ json: { lines: [line({ regular_hours: [1] })] } }, 422, 'validation_failed'],
    [{ json: { lines: [line({ gross_wages_cents: 1e300 })] } }, 422, 'validation_failed'],
  ];
  for (const [options, status, code] of cases) {
    const res = await boss.client.request('PUT', `${OWN}/${month}`, options);
    assert.deepEqual([res.status, res.body?.error?.code], [status, code], JSON.stringify(options).slice(0, 120));
  }
});

const FR_HEADER = 'nom_travailleur;identifiant_travailleur;metier;region;heures_regulieres;heures_supplementaires;salaire_brut';

test('a CSV file in French with a BOM and semicolons, or in English with commas, replaces the draft', async () => {
  const month = freshMonth();
  const path = `${fileReports(writerFile)}/${month}`;
  const fr = `\uFEFF${FR_HEADER}\r\n"Tremblay; Marie";1234567;Électricien;Montréal;37,5;2,25;1 543,21\r\nJean Roy;7654321;couvreur;estrie;40;0;2000\r\n\r\n`;
  const res = await importCsv(firm.member.client, path, fr);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.draft.lines.map((l) => [l.worker_name, l.trade, l.region, l.regular_hours, l.gross_wages_cents]), [
    ['Tremblay; Marie', 'electricien', 'montreal', 37.5, 154_321], ['Jean Roy', 'couvreur', 'estrie', 40, 200_000],
  ]);
  const en = 'Worker ID,Worker name,Trade,Region,Regular hours,Overtime hours,Gross wages\n1111111,Ana Lopez,Roofer,Estrie,8.75,0,300.5\n';
  const english = await importCsv(firm.member.client, path, en, 'text/csv');
  assert.equal(english.status, 200, english.text);
  assert.deepEqual(english.body.draft.lines, [{ line: 1, worker_name: 'Ana Lopez', worker_id: '1111111', trade: 'couvreur', region: 'estrie', regular_hours: 8.75, overtime_hours: 0, gross_wages_cents: 30_050 }]);
});

test('an imported file with problems is refused whole, with every rejected line, field and reason', async () => {
  const month = freshMonth();
  const path = `${OWN}/${month}`;
  await put(boss.client, path, { lines: [line()] });
  const bad = [FR_HEADER, 'Ana;123;electricien;montreal;1;0;10', 'Bob;2345678;plombier;montreal;1,3;0;10', 'Ana;2345678;plombier;montreal', 'Cy;3456789;electricien;montreal;1;0;-4'].join('\n');
  const res = await importCsv(boss.client, path, bad);
  assert.equal(res.status, 422, res.text);
  assert.deepEqual(res.body.error.problems.map((p) => [p.line, p.field, p.code]), [[4, 'line', 'wrong_cell_count']], 'the shape of the file first');
  const fields = [FR_HEADER, 'Ana;123;electricien;montreal;1;0;10', 'Bob;2345678;plombier;montreal;1,3;0;10', 'Cy;3456789;electricien;montreal;1;0;-4'].join('\n');
  const again = await importCsv(boss.client, path, fields);
  assert.deepEqual(again.body.error.problems.map((p) => [p.line, p.field, p.code]), [
    [2, 'worker_id', 'invalid_worker_id'], [3, 'trade', 'unknown_trade'], [3, 'regular_hours', 'not_quarter_hour'], [4, 'gross_wages_cents', 'invalid_wages'],
  ], 'lines are numbered as in the file (the header is line 1)');
  const header = await importCsv(boss.client, path, 'nom;worker_id;worker_id\n');
  assert.deepEqual(header.body.error.problems.map((p) => [p.code, p.column]).slice(0, 2), [['unknown_column', 'nom'], ['duplicate_column', 'worker_id']]);
  const quote = await importCsv(boss.client, path, `${FR_HEADER}\n"Ana;1234567;electricien;montreal;1;0;1\n`);
  assert.deepEqual(quote.body.error.problems.map((p) => [p.line, p.code]), [[2, 'unclosed_quote']]);
  const latin1 = await boss.client.request('POST', `${path}/import`, { body: Buffer.from([0x6e, 0x6f, 0x6d, 0xe9, 0x0a]), headers: { 'content-type': 'text/csv' } });
  assert.deepEqual([latin1.status, latin1.body.error.code], [422, 'csv_not_utf8']);
  const json = await boss.client.request('POST', `${path}/import`, { json: {} });
  assert.deepEqual([json.status, json.body.error.code], [415, 'csv_required']);
  const kept = await boss.client.get(path);
  assert.deepEqual(kept.body.draft.lines.map((l) => l.worker_id), ['1234567'], 'nothing of a refused file is saved');
});

test('a 2,000-line file is saved and transmitted whole; 2,001 lines are refused', async () => {
  const month = shift(monthOf(now), -2);
  const path = `${OWN}/${month}`;
  const rows = (n) => [FR_HEADER, ...Array.from({ length: n }, (_, i) => `Travailleur ${i};${1_000_000 + i};electricien;montreal;7,75;0,5;123,45`)].join('\n');
  const tooMany = await importCsv(boss.client, path, rows(2001));
  assert.deepEqual([tooMany.status, tooMany.body.error.code, tooMany.body.error.max], [422, 'monthly_report_too_many_lines', 2000]);
  const res = await importCsv(boss.client, path, rows(2000));
  assert.equal(res.status, 200, res.text.slice(0, 500));
  assert.deepEqual(res.body.draft.totals, { lines: 2000, regular_hours: 15_500, overtime_hours: 1000, gross_wages_cents: 24_690_000 });
  const sent = await boss.client.post(`${path}/transmit`);
  assert.equal(sent.status, 200, sent.text.slice(0, 500));
  assert.equal(sent.body.transmitted.lines.length, 2000);
  assert.equal(sent.body.transmitted.totals.gross_wages_cents, 24_690_000, 'totals recomputed from the stored lines');
});

test('forty concurrent transmissions give one receipt, forty concurrent corrections open one draft', async () => {
  const month = freshMonth();
  const path = `${OWN}/${month}`;
  await put(boss.client, path, { lines: [line()] });
  const sends = answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => boss.client.post(`${path}/transmit`))));
  assert.ok(sends.filter((r) => r.status === 200).length <= 1, sends.map((r) => r.status).join(','));
  assert.ok(sends.filter((r) => r.status !== 200).every((r) => r.status === 409));
  const receipts = app.sql(`SELECT receipt_number FROM monthly_report_versions v JOIN monthly_reports r ON r.id = v.report_id WHERE r.employer_id = '${boss.organisation.id}' AND r.month = '${month}'`);
  assert.equal(receipts.length, 1);
  const corrections = answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => firm.member.client.post(`${fileReports(writerFile)}/${month}/correct`))));
  assert.ok(corrections.filter((r) => r.status === 201).length <= 1, corrections.map((r) => r.status).join(','));
  assert.ok(corrections.filter((r) => r.status !== 201).every((r) => r.status === 409));
  const versions = app.sql(`SELECT COUNT(*) AS n FROM monthly_report_versions v JOIN monthly_reports r ON r.id = v.report_id WHERE r.employer_id = '${boss.organisation.id}' AND r.month = '${month}'`)[0].n;
  assert.equal(versions, 2, 'the transmitted version and one correction');
  const drafts = answeredByWorker(await Promise.all(Array.from({ length: 40 }, (_, i) => put(boss.client, path, { lines: [line({ worker_id: String(2_000_000 + i) })] }))));
  assert.ok(drafts.every((r) => r.status === 200), drafts.map((r) => r.status).join(','));
  const final = await boss.client.get(path);
  assert.equal(final.body.draft.lines.length, 1, 'each replacement is whole: one line, never a mix');
});

test('"Mes dossiers autorisés" shows where each file\'s report of the last month over stands', async () => {
  const previous = shift(monthOf(now), -1);
  const dueEnd = Date.parse(`${previous.slice(0, 4)}-${monthOf(now).slice(5)}-16T00:00:00-05:00`);
  const pending = now >= dueEnd - 3600 * 1000 && now < dueEnd + 3600 * 1000 ? null : (now >= dueEnd ? 'late' : 'to_produce');
  const path = `${OWN}/${previous}`;
  const current = await boss.client.get(path);
  if (current.body.status !== 'transmitted') {
    await put(boss.client, path, { no_activity: true });
    assert.equal((await boss.client.post(`${path}/transmit`)).status, 200);
  }
  const mine = await firm.member.client.authorizedFiles();
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.find((f) => f.id === writerFile.id).monthly_report, { month: previous, due_on: `${monthOf(now)}-15`, standing: 'transmitted' });
  const theirs = await outsider.client.authorizedFiles();
  const standing = theirs.body.items.find((f) => f.id === outsiderFile.id).monthly_report.standing;
  if (pending) assert.equal(standing, pending, 'not transmitted: to produce until the 15th, late after');
  const without = await stranger.client.authorizedFiles();
  assert.equal(without.body.items.find((f) => f.id === strangerFile.id).monthly_report, null, 'no standing where the service is not authorized');
});

test('a transmission and a correction reach the webhooks of the employer and of the firm whose member transmitted', async () => {
  await withReceiver(async (receiver) => {
    const events = ['monthly_report.transmitted', 'monthly_report.corrected'];
    const employerHook = await createWebhook(boss.client, `${receiver.url}/employer`, events);
    assert.equal(employerHook.status, 201, employerHook.text);
    const firmHook = await createWebhook(firm.responsable.client, `${receiver.url}/firm`, events);
    assert.equal(firmHook.status, 201, firmHook.text);
    const month = freshMonth();
    await put(firm.member.client, `${fileReports(writerFile)}/${month}`, { lines: [line(), line({ worker_id: '3333333' })] });
    const sent = await firm.member.client.post(`${fileReports(writerFile)}/${month}/transmit`);
    assert.equal(sent.status, 200, sent.text);
    const receipt = sent.body.transmitted.receipt_number;
    const [toEmployer] = await receiver.waitFor(1, { filter: (r) => r.path === '/employer' });
    const [toFirm] = await receiver.waitFor(1, { filter: (r) => r.path === '/firm' });
    for (const request of [toEmployer, toFirm]) {
      assert.equal(request.body.type, 'monthly_report.transmitted');
      const report = request.body.data.monthly_report;
      assert.deepEqual([report.month, report.receipt_number, report.version, report.corrects, report.employer.id], [month, receipt, 1, null, boss.organisation.id]);
      assert.deepEqual(report.totals, { lines: 2, regular_hours: 75, overtime_hours: 4.5, gross_wages_cents: 308_642 });
    }
    await boss.client.correctEmployerReport(month);
    const corrected = await boss.client.transmitEmployerReport(month);
    assert.equal(corrected.status, 200, corrected.text);
    const [correction] = await receiver.waitFor(1, { filter: (r) => r.path === '/employer' && r.body?.type === 'monthly_report.corrected' });
    assert.deepEqual([correction.body.data.monthly_report.version, correction.body.data.monthly_report.corrects], [2, receipt]);
    assert.equal(receiver.at('/firm').length, 1, "the employer's own correction concerns no firm");
  });
});

test('a transmission retried with the same Idempotency-Key answers the same receipt, however many arrive at once', async () => {
  const month = freshMonth();
  const path = `${OWN}/${month}`;
  await put(boss.client, path, { lines: [line()] });
  // Sent again when wrangler's proxy drops it: the key makes a repetition harmless, which is the point.
  const send = (key) => untilAnswered(() => boss.client.request('POST', `${path}/transmit`, { json: {}, headers: key ? { 'idempotency-key': key } : {} }));
  const burst = answeredByWorker(await Promise.all(Array.from({ length: 40 }, () => send('paie-2026-11-001'))));
  assert.ok(burst.every((r) => r.status === 200), burst.map((r) => `${r.status} ${r.body?.error?.code ?? ''}`).join(','));
  const receipts = new Set(burst.map((r) => r.body.receipt_number));
  assert.equal(receipts.size, 1, 'one receipt for every retry');
  const [receipt] = receipts;
  assert.equal(burst[0].body.transmitted.receipt_number, receipt);
  const other = await send('paie-2026-11-002');
  assert.deepEqual([other.status, other.body.error.code], [409, 'monthly_report_transmitted'], 'another key is another transmission');
  const unkeyed = await send();
  assert.equal(unkeyed.status, 409);

  await boss.client.post(`${path}/correct`);
  const replay = await send('paie-2026-11-001');
  assert.deepEqual([replay.status, replay.body.receipt_number, replay.body.status], [200, receipt, 'correction'], 'the old key replays the old transmission: the correction stays a draft');
  const corrected = await send('paie-2026-11-003');
  assert.equal(corrected.status, 200, corrected.text);
  assert.notEqual(corrected.body.receipt_number, receipt);
  const count = app.sql(`SELECT COUNT(*) AS n FROM monthly_report_versions v JOIN monthly_reports r ON r.id = v.report_id WHERE r.employer_id = '${boss.organisation.id}' AND r.month = '${month}'`)[0].n;
  assert.equal(count, 2, 'two versions: the original and its correction');
  for (const bad of ['', ' '.repeat(3), 'é', 'x'.repeat(101)]) {
    const res = await boss.client.request('POST', `${path}/transmit`, { json: {}, headers: { 'idempotency-key': bad } });
    assert.deepEqual([res.status, Object.keys(res.body.error.fields ?? {})], [422, ['Idempotency-Key']], JSON.stringify(bad));
  }
});
