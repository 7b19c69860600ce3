// "Mes dossiers autorisés" filtered on where each file's report of the last month over stands
// (report_standing=to_produce|late|transmitted): only files authorized for the monthly report, the
// exact total, keyset pages through exactly the matches, the CSV export filtered the same way, bad
// values refused, and a plan that probes an index per file instead of reading reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnApp } from '../support/app.mjs';
import {
  employer, firmWithMember, granted, grantBody, filesPage, listFiles, crawl, manyFiles, workerNow, parseCsv, query,
  sqlWrite, quote, FILES_CSV,
} from '../support/authz.mjs';

let app;
let firm;
let transmitter; // an employer that transmitted the last month over through the API
let drafter; // an employer with only a draft of that month
let silent; // an employer with nothing for that month, and an older month transmitted
let noService; // an employer that transmitted, but did not authorize the monthly report
let seeded; // twelve files, the even ones with the month transmitted
let previous; // the last month over, YYYY-MM
let pending; // the standing of a report not transmitted: to_produce until the 15th, late after
let impossible; // the other one, which no file can have now

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
const monthOf = (ms) => MONTREAL.format(new Date(ms)).slice(0, 7);
function shift(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

async function transmit(client, month) {
  const draft = await client.saveEmployerReport(month, { no_activity: true });
  assert.equal(draft.status, 200, draft.text);
  const sent = await client.transmitEmployerReport(month);
  assert.equal(sent.status, 200, sent.text);
}

const employerIds = (pages) => pages.flatMap((page) => page.items.map((f) => f.employer.id)).sort();

before(async () => {
  app = await spawnApp();
  const now = await workerNow(app);
  previous = shift(monthOf(now), -1);
  const dueEnd = Date.parse(`${monthOf(now)}-16T00:00:00-05:00`);
  [pending, impossible] = now >= dueEnd ? ['late', 'to_produce'] : ['to_produce', 'late'];
  firm = await firmWithMember(app, { member: { first_name: 'Fanny', last_name: 'Filtre' } });
  transmitter = await employer(app, { name: 'Transmis Alpha inc.' });
  drafter = await employer(app, { name: 'Brouillon Beta inc.' });
  silent = await employer(app, { name: 'Silence Gamma inc.' });
  noService = await employer(app, { name: 'Sans Service Delta inc.' });
  for (const [boss, services] of [[transmitter, ['monthly_report']], [drafter, ['monthly_report', 'workforce']], [silent, ['monthly_report']], [noService, ['workforce']]]) {
    boss.file = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services, level: 'transmission' }));
  }
  await transmit(transmitter.client, previous);
  await transmit(noService.client, previous);
  await transmit(silent.client, shift(previous, -1));
  const draft = await drafter.client.saveEmployerReport(previous, { no_activity: true });
  assert.equal(draft.status, 200, draft.text);
  const specs = Array.from({ length: 12 }, (_, i) => ({ name: `Filtre Lot ${String(i).padStart(2, '0')}`, services: ['monthly_report'], level: 'consultation' }));
  seeded = await manyFiles(app, firm.organisation, firm.member.email, specs);
  for (const [i, file] of seeded.entries()) {
    if (i % 2 === 0) {
      sqlWrite(app, `INSERT INTO monthly_reports (id, employer_id, month, created_at, transmitted_at)
        VALUES (${quote(randomUUID())}, ${quote(file.employer.id)}, ${quote(previous)}, 1, 2)`);
    }
  }
});
after(async () => { await app?.stop(); });

const evens = () => seeded.filter((_, i) => i % 2 === 0).map((f) => f.employer.id);
const odds = () => seeded.filter((_, i) => i % 2 === 1).map((f) => f.employer.id);

test('transmitted keeps only the files whose employer transmitted the last month over, with their exact total', async () => {
  const page = await filesPage(firm.member.client, { report_standing: 'transmitted', page_size: 100 });
  const expected = [transmitter.organisation.id, ...evens()].sort();
  assert.deepEqual(employerIds([page]), expected);
  assert.equal(page.total, expected.length);
  assert.ok(page.items.every((f) => f.monthly_report.standing === 'transmitted' && f.monthly_report.month === previous));
});

test('the pending standing keeps the files without a transmitted report (a draft or an older month does not count), and never a file without the service', async () => {
  const page = await filesPage(firm.member.client, { report_standing: pending, page_size: 100 });
  const expected = [drafter.organisation.id, silent.organisation.id, ...odds()].sort();
  assert.deepEqual(employerIds([page]), expected);
  assert.equal(page.total, expected.length);
  assert.ok(page.items.every((f) => f.monthly_report.standing === pending));
  const all = await filesPage(firm.member.client, { page_size: 100 });
  assert.ok(all.items.some((f) => f.employer.id === noService.organisation.id), 'the file without the service is in the unfiltered list');
});

test('the standing no report can have on this side of the due date answers an empty list, 0 of 0', async () => {
  const page = await filesPage(firm.member.client, { report_standing: impossible });
  assert.deepEqual([page.items.length, page.total, page.next_cursor], [0, 0, null]);
});

test('the filter combines with the search and the service filter', async () => {
  const page = await filesPage(firm.member.client, { report_standing: pending, q: 'brouillon', service: 'workforce' });
  assert.deepEqual(employerIds([page]), [drafter.organisation.id]);
  assert.equal(page.total, 1);
});

test('cursor pages of two walk through exactly the filtered files, in both sorts', async () => {
  for (const sort of ['name', '-number']) {
    const pages = await crawl(firm.member.client, { report_standing: 'transmitted', page_size: 2, sort });
    assert.deepEqual(employerIds(pages), [transmitter.organisation.id, ...evens()].sort(), sort);
    assert.ok(pages.every((p) => p.total === 7));
  }
});

test('a cursor of the filtered list is refused on the unfiltered one with 422', async () => {
  const first = await filesPage(firm.member.client, { report_standing: 'transmitted', page_size: 2 });
  const res = await listFiles(firm.member.client, { page_size: 2, cursor: first.next_cursor });
  assert.equal(res.status, 422, res.text);
});

test('the CSV export holds only the filtered files', async () => {
  const res = await firm.member.client.authorizedFilesCsv({ report_standing: 'transmitted' });
  assert.equal(res.status, 200, res.text);
  const rows = parseCsv(res.text.replace(/^\uFEFF/, '')).slice(1).filter((row) => row.length > 1);
  const names = rows.map((row) => row[0]).sort();
  const expected = [transmitter, ...seeded.filter((_, i) => i % 2 === 0)].map((f) => f.organisation?.name ?? f.name).sort();
  assert.deepEqual(names, expected);
});

test('an unknown standing answers 422 naming report_standing on the list and on the export', async () => {
  for (const path of [`/api/authorized-files${query({ report_standing: 'TRANSMITTED' })}`, `${FILES_CSV}${query({ report_standing: 'sent' })}`]) {
    const res = await firm.member.client.get(path);
    assert.equal(res.status, 422, res.text);
    assert.ok(JSON.stringify(res.body.error).includes('report_standing'), res.text);
  }
});

test('forty filtered pages at once all answer the same rows', async () => {
  const answers = await Promise.all(Array.from({ length: 40 }, () => listFiles(firm.member.client, { report_standing: pending, page_size: 3 })));
  assert.ok(answers.every((r) => r.status === 200), answers.map((r) => r.status).join(','));
  assert.equal(new Set(answers.map((r) => JSON.stringify(r.body.items.map((f) => f.id)))).size, 1);
});

test('the filter reads the list index in order and probes the unique index of reports once per file, with no sort', () => {
  const plan = app.sql(`EXPLAIN QUERY PLAN
    SELECT a.id FROM authorizations a
     WHERE a.contact_id = 'c' AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > 0)
       AND (a.services & 8) != 0
       AND NOT EXISTS (SELECT 1 FROM monthly_reports r
                        WHERE r.month = '2026-11' AND r.employer_id = a.employer_id
                          AND r.transmitted_at IS NOT NULL)
     ORDER BY a.name_key ASC, a.id ASC LIMIT 26`).map((row) => row.detail);
  assert.ok(plan.some((d) => /SEARCH a USING (COVERING )?INDEX authorizations_contact_name \(contact_id=\?\)/.test(d)), plan.join('\n'));
  assert.ok(plan.some((d) => /SEARCH r USING INDEX sqlite_autoindex_monthly_reports_\d \(employer_id=\? AND month=\?\)/.test(d)), plan.join('\n'));
  assert.ok(!plan.some((d) => /TEMP B-TREE|SCAN r\b|SCAN monthly_reports/.test(d)), plan.join('\n'));
});

test('a file given the monthly report after its employer transmitted stands transmitted at once, and leaves when the service or the file goes', async () => {
  const transmitted = async () => filesPage(firm.member.client, { report_standing: 'transmitted', page_size: 100 });
  const before = await transmitted();
  assert.ok(!employerIds([before]).includes(noService.organisation.id));
  const keys = () => app.sql(`SELECT term FROM authorized_file_keys WHERE authorization_id = ${quote(noService.file.id)} ORDER BY term`)
    .map((row) => row.term);
  const wordKeys = keys();

  sqlWrite(app, `UPDATE authorizations SET services = 9 WHERE id = ${quote(noService.file.id)}`);
  const given = await transmitted();
  assert.deepEqual(employerIds([given]), [...employerIds([before]), noService.organisation.id].sort());
  assert.equal(given.total, before.total + 1, 'the kept count follows the service');
  assert.deepEqual(keys(), [`#${previous}`, ...wordKeys], 'the month key joins the word and number keys, which stay');

  sqlWrite(app, `UPDATE authorizations SET level = 'consultation', services = 9 WHERE id = ${quote(noService.file.id)}`);
  assert.deepEqual(keys(), [`#${previous}`, ...wordKeys], 'a change that keeps the service keeps every key');

  sqlWrite(app, `UPDATE authorizations SET services = 1 WHERE id = ${quote(noService.file.id)}`);
  const taken = await transmitted();
  assert.deepEqual([employerIds([taken]), taken.total], [employerIds([before]), before.total]);
  assert.deepEqual(keys(), wordKeys);
  const stillPending = await filesPage(firm.member.client, { report_standing: pending, page_size: 100 });
  assert.ok(!employerIds([stillPending]).includes(noService.organisation.id), 'without the service, never pending either');
});

test('transmitted reads the key of the month in name order, one range with no sort', () => {
  const plan = app.sql(`EXPLAIN QUERY PLAN
    SELECT a.id FROM authorized_file_keys t CROSS JOIN authorizations a
        ON t.contact_id = 'c' AND t.term = '#2026-11' AND a.id = t.authorization_id
     WHERE a.contact_id = 'c' AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > 0)
       AND (a.services & 8) != 0
       AND EXISTS (SELECT 1 FROM monthly_reports r
                    WHERE r.month = '2026-11' AND r.employer_id = a.employer_id
                      AND r.transmitted_at IS NOT NULL)
       AND (t.name_key, t.authorization_id) > (' x', 'y')
     ORDER BY t.name_key ASC, t.authorization_id ASC LIMIT 26`).map((row) => row.detail);
  assert.ok(plan.some((d) => /SEARCH t USING PRIMARY KEY \(contact_id=\? AND term=\? AND \(name_key,authorization_id\)>\(\?,\?\)\)/.test(d)), plan.join('\n'));
  assert.ok(plan.some((d) => /SEARCH a USING INDEX sqlite_autoindex_authorizations_1 \(id=\?\)/.test(d)), plan.join('\n'));
  assert.ok(!plan.some((d) => /TEMP B-TREE|SCAN/.test(d)), plan.join('\n'));
});
