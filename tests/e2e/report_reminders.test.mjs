// Reminders that a monthly report is due: on the 10th (Montreal time), five days before the 15th,
// the scheduled runs send each firm contact authorized to transmit one email listing their files
// whose report of the last month over is not transmitted, and each employer responsable whose own
// report is not transmitted one email; once per month and person, however many runs overlap. The
// clock is moved to the 10th of the next month that has one ahead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnApp } from '../support/app.mjs';
import { employer, firmWithMember, anotherMember, granted, grantBody, sqlWrite, quote } from '../support/authz.mjs';
import { countsOf, runJobs, workerNow } from '../support/jobs.mjs';

let app;
let firm; // the member transmits for e1, e2 and e3; workforce only for e4
let reader; // a member at level consultation on e1: no reminder
let e1; let e2; let e3; let e4;
let month; // the month the reminders are about
let reminderDay; // YYYY-MM-10 of the following month

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit', day: '2-digit' });
function shift(ym, n) {
  const [y, m] = ym.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
const count = (table, where) => app.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0].n;
const outbox = (to, template) => count('email_outbox', `to_email = ${quote(to)} AND template = ${quote(template)}`);
const advanceTo = async (instant) => app.advanceClock(instant - await workerNow(app));

before(async () => {
  app = await spawnApp();
  const now = await workerNow(app);
  // The next 10th whose morning is at least three hours ahead.
  let ym = MONTREAL.format(new Date(now)).slice(0, 7);
  if (Date.parse(`${ym}-10T03:00:00Z`) < now + 3 * 3600 * 1000) ym = shift(ym, 1);
  reminderDay = `${ym}-10`;
  month = shift(ym, -1);
  firm = await firmWithMember(app, { member: { first_name: 'Rémi', last_name: 'Rappel' } });
  reader = await anotherMember(app, firm.responsable.client, { first_name: 'Lise', last_name: 'Lecture' });
  e1 = await employer(app, { name: 'Alpha Rappel inc.' });
  e2 = await employer(app, { name: 'Bêta Transmis inc.' });
  e3 = await employer(app, { name: 'Gamma Rappel inc.' });
  e4 = await employer(app, { name: 'Delta Main-d’œuvre inc.' });
  for (const boss of [e1, e2, e3]) {
    await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'transmission' }));
  }
  await granted(e4.client, grantBody(firm.organisation, firm.member.email, { services: ['workforce'], level: 'transmission' }));
  await granted(e1.client, grantBody(firm.organisation, reader.email, { services: ['monthly_report'], level: 'consultation' }));
  sqlWrite(app, `INSERT INTO monthly_reports (id, employer_id, month, created_at, transmitted_at)
    VALUES (${quote(randomUUID())}, ${quote(e2.organisation.id)}, ${quote(month)}, 1, 2)`);
});
after(async () => { await app?.stop(); });

test('nothing goes out before the 10th', async () => {
  await advanceTo(Date.parse(`${reminderDay}T03:00:00Z`));
  const runs = await runJobs(app);
  assert.equal(countsOf(runs, 'authorization_reminders').report_reminders, 0);
  assert.equal(count('monthly_report_reminders', '1 = 1'), 0);
});

test('on the 10th, the member gets one email listing the files to transmit, and each employer that has not transmitted one', async () => {
  await advanceTo(Date.parse(`${reminderDay}T12:00:00Z`));
  await runJobs(app, { times: 2 });
  await runJobs(app);

  assert.equal(outbox(firm.member.email, 'monthly_report_due'), 1, 'one digest for the member, even with overlapping runs');
  const digest = await app.waitForEmail(firm.member.email, (e) => /Rapports mensuels/.test(e.subject));
  assert.match(digest.subject, new RegExp(`${month} : 2 à transmettre d'ici le ${reminderDay.slice(0, 8)}15`));
  assert.match(digest.text, /Alpha Rappel inc\./);
  assert.match(digest.text, /Gamma Rappel inc\./);
  assert.doesNotMatch(digest.text, /Bêta Transmis/, 'a transmitted report is not listed');
  assert.doesNotMatch(digest.text, /Delta/, 'nor a file without the monthly report');
  assert.equal(outbox(reader.email, 'monthly_report_due'), 0, 'a contact at level consultation cannot transmit: no reminder');

  assert.deepEqual([e1, e2, e3].map((e) => outbox(e.email, 'monthly_report_due_employer')), [1, 0, 1]);
  const own = await app.waitForEmail(e1.email, (e) => /rapport mensuel/.test(e.subject));
  assert.match(own.text, /Alpha Rappel inc\./);
  assert.equal(outbox(e4.email, 'monthly_report_due_employer'), 1, 'every employer produces its own report');

  const rows = app.sql(`SELECT contact_id, month, files FROM monthly_report_reminders WHERE month = ${quote(month)}`);
  assert.equal(new Set(rows.map((r) => r.contact_id)).size, rows.length, 'a row per person');
  assert.ok(rows.some((r) => r.files === 2), 'the member\'s row counts their two files');
});

test('later runs of the window send nothing more, and a report transmitted meanwhile changes nothing', async () => {
  sqlWrite(app, `INSERT INTO monthly_reports (id, employer_id, month, created_at, transmitted_at)
    VALUES (${quote(randomUUID())}, ${quote(e3.organisation.id)}, ${quote(month)}, 1, 2)`);
  await advanceTo(Date.parse(`${reminderDay.slice(0, 8)}14T12:00:00Z`));
  const runs = await runJobs(app, { times: 2 });
  assert.equal(countsOf(runs, 'authorization_reminders').report_reminders, 0);
  assert.equal(outbox(firm.member.email, 'monthly_report_due'), 1);
  assert.equal(outbox(e1.email, 'monthly_report_due_employer'), 1);
});

test('after the due date passes, no reminder goes out for that month', async () => {
  const before = count('monthly_report_reminders', '1 = 1');
  const late = await employer(app, { name: 'Epsilon Tardif inc.' });
  await advanceTo(Date.parse(`${reminderDay.slice(0, 8)}16T12:00:00Z`));
  await runJobs(app);
  assert.equal(count('monthly_report_reminders', '1 = 1'), before);
  assert.equal(outbox(late.email, 'monthly_report_due_employer'), 0);
});
