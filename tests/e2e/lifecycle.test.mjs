// The lifecycle jobs of the scheduled runs: authorizations past their end date are ended (with
// their event and audit entries), reminders go to the employer and the contact 30 and 7 days
// before the end exactly once, and pending access requests expire after 21 days. Runs are
// triggered like Cron Triggers and the clock is moved forward to reach each date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import { DAY, HOUR, emailTo, linkedMember, linkedResponsible, quote, selectProfile } from '../support/orgs.mjs';
import { countsOf, insertRows, montrealDay, runJobs, times, workerNow } from '../support/jobs.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const count = (table, where) => app.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0].n;

/** An employer acting through its linked responsible, and a firm whose linked responsible is the contact to authorize. */
async function parties() {
  const employer = await linkedResponsible(app, { kind: 'employer' });
  const firm = await linkedResponsible(app);
  return { employer, firm };
}

/** The employer grants a contact of the firm (its responsible unless told) the monthly report until `ends_on`. */
async function grant({ employer, firm }, ends_on, contact_email = firm.email) {
  const res = await employer.client.grantAuthorization({
    firm_file_number: firm.organisation.file_number, contact_email,
    services: ['monthly_report'], level: 'consultation', ends_on,
  });
  assert.equal(res.status, 201, res.text);
  return res.body.authorization;
}

/** A fresh session of a linked account, acting for its organisation again (sessions die as the clock moves). */
async function signedInAgain(account) {
  const client = app.client();
  const res = await client.logIn(account.email, account.password);
  assert.equal(res.status, 200, res.text);
  assert.equal((await selectProfile(client, account.profile.id)).status, 200);
  return client;
}

/** Moves the worker's clock to `instant`. */
const advanceTo = async (instant) => app.advanceClock(instant - await workerNow(app));
/** The morning a reminder `daysBefore` the end of `authorization` is due. */
const morningOf = (authorization, daysBefore) => authorization.ends_at - daysBefore * DAY + 7 * HOUR;
const outbox = (to, template) => count('email_outbox', `to_email = ${quote(to)} AND template = ${quote(template)}`);
/** The days_before of each authorization.expiring event of an authorization, in order. */
const remindersOf = (authorization) => events('authorization.expiring', '$.authorization.id', authorization.id).map((e) => e.payload.details.days_before);

const events = (type, path, id) => app.sql(
  `SELECT type, employer_id, firm_id, payload FROM domain_events WHERE type = ${quote(type)} AND json_extract(payload, ${quote(path)}) = ${quote(id)} ORDER BY seq`,
).map((row) => ({ ...row, payload: JSON.parse(row.payload) }));

const audits = (action, detail, id) => app.sql(
  `SELECT organisation_id, counterpart_organisation_id, contact_id, user_id FROM audit_events WHERE action = ${quote(action)} AND json_extract(details, ${quote(detail)}) = ${quote(id)}`,
);

test('an authorization past its end date is ended once, leaves Mes dossiers autorisés and emits authorization.expired', async () => {
  // Arrange: an authorization whose last day is tomorrow, listed in the contact's files.
  const both = await parties();
  const { employer, firm } = both;
  const authorization = await grant(both, montrealDay(await workerNow(app), 1));
  const listed = async (client) => (await client.authorizedFiles()).body.items.map((file) => file.id);
  assert.ok((await listed(firm.client)).includes(authorization.id), 'listed while it lasts');
  const total = () => app.sql(`SELECT total FROM authorized_file_totals WHERE contact_id = ${quote(firm.contactId)}`)[0]?.total;
  assert.equal(total(), 1);

  // Act: three days later, two runs.
  await app.advanceClock(3 * DAY);
  const runs = [...await runJobs(app), ...await runJobs(app)];

  // Assert
  const [row] = app.sql(`SELECT status, ended_at FROM authorizations WHERE id = ${quote(authorization.id)}`);
  assert.equal(row.status, 'ended');
  assert.ok(row.ended_at > authorization.ends_at, 'ended_at records when the job ended it');
  assert.equal(total(), 0, 'the contact\'s totals no longer count it');
  const expired = events('authorization.expired', '$.authorization.id', authorization.id);
  assert.equal(expired.length, 1, 'one event, however many runs');
  assert.equal(expired[0].employer_id, employer.organisation.id);
  assert.equal(expired[0].firm_id, firm.organisation.id);
  assert.equal(expired[0].payload.authorization.status, 'ended');
  const audit = audits('authorization.expired', '$.authorization_id', authorization.id);
  assert.equal(audit.length, 1, 'one audit entry');
  assert.equal(audit[0].organisation_id, employer.organisation.id, 'in the employer\'s trail');
  assert.equal(audit[0].counterpart_organisation_id, firm.organisation.id, 'and in the firm\'s');
  assert.equal(audit[0].user_id, null, 'nobody acted: the job did');
  assert.ok(countsOf(runs, 'authorization_ends').ended >= 1);
  assert.ok(!(await listed(await signedInAgain(firm))).includes(authorization.id), 'no longer listed');
  const seen = await (await signedInAgain(employer)).authorization(authorization.id);
  assert.equal(seen.body.authorization.status, 'ended', 'the employer sees it ended');
});

test('reminders go to the employer and the contact 30 and 7 days before the end, once each however many runs', async () => {
  // Arrange: an authorization whose last day is 45 days away.
  const both = await parties();
  const { employer, firm } = both;
  const authorization = await grant(both, montrealDay(await workerNow(app), 45));
  const morning = (daysBefore) => morningOf(authorization, daysBefore);
  const sent = () => remindersOf(authorization);
  const remindersTo = () => [outbox(employer.email, 'authorization_expiring_employer'), outbox(firm.email, 'authorization_expiring')];
  await runJobs(app);
  await advanceTo(morning(30) - HOUR);
  await runJobs(app);
  assert.deepEqual(sent(), [], 'nothing before the morning 30 days before the end');

  // Act and assert: the 30-day reminder, through two runs.
  await advanceTo(morning(30) + HOUR);
  const thirty = [...await runJobs(app), ...await runJobs(app)];
  assert.deepEqual(sent(), [30], 'one authorization.expiring event for the 30-day reminder');
  assert.deepEqual(remindersTo(), [1, 1], 'one email to the employer\'s responsible, one to the contact');
  assert.equal(countsOf(thirty, 'authorization_reminders').reminders, 1, 'the second run sends nothing more');
  const toEmployer = await emailTo(app, employer.email, (e) => /prend fin bientôt/.test(e.subject));
  assert.match(toEmployer.text, new RegExp(`${firm.form.responsible.first_name} ${firm.form.responsible.last_name}`), 'the employer is told whose authorization ends');
  assert.match(toEmployer.text, /dans 30 jours/);
  const toContact = await emailTo(app, firm.email, (e) => /prend fin bientôt/.test(e.subject));
  assert.match(toContact.text, new RegExp(employer.organisation.name), 'the contact is told which file');
  assert.match(toContact.text, new RegExp(authorization.ends_on), 'and its last day');

  // Between the two reminders, runs send nothing.
  await advanceTo(morning(7) - HOUR);
  await runJobs(app);
  assert.deepEqual(sent(), [30], 'nothing between the two reminders');

  // The 7-day reminder, through three runs.
  await advanceTo(morning(7) + HOUR);
  await runJobs(app, { times: 2 });
  await runJobs(app);
  assert.deepEqual(sent(), [30, 7], 'one event for the 7-day reminder, even with overlapping runs');
  assert.deepEqual(remindersTo(), [2, 2], 'one more email to each');
  assert.equal(count('authorization_reminders', `authorization_id = ${quote(authorization.id)}`), 2);
  await emailTo(app, firm.email, (e) => /dans 7 jours/.test(e.text));
});

test('a member authorized by several employers whose authorizations end together gets one reminder listing them all', async () => {
  // Arrange: three employers authorize the same firm member until the same day, 40 days away.
  const firm = await linkedResponsible(app);
  const employers = [];
  for (let i = 0; i < 3; i += 1) employers.push(await linkedResponsible(app, { kind: 'employer' }));
  const endsOn = montrealDay(await workerNow(app), 40);
  const authorizations = [];
  for (const employer of employers) authorizations.push(await grant({ employer, firm }, endsOn));

  // Act: the morning 30 days before the end, two runs.
  await advanceTo(morningOf(authorizations[0], 30) + HOUR);
  const runs = [...await runJobs(app), ...await runJobs(app)];

  // Assert
  assert.equal(outbox(firm.email, 'authorization_expiring'), 1, 'one email to the member, not one per file');
  const digest = await emailTo(app, firm.email, (e) => /3 dossiers/.test(e.subject));
  for (const employer of employers) {
    const line = digest.text.split('\n').find((l) => l.includes(employer.organisation.name));
    assert.ok(line, `the digest lists ${employer.organisation.name}: ${digest.text}`);
    assert.match(line, new RegExp(`${employer.organisation.file_number}.*${endsOn}.*dans 30 jours`), 'with its number, last day and delay');
  }
  for (const employer of employers) {
    assert.equal(outbox(employer.email, 'authorization_expiring_employer'), 1, 'each employer is told about its own file');
  }
  for (const authorization of authorizations) assert.deepEqual(remindersOf(authorization), [30], 'each authorization has its event, once');
  assert.equal(countsOf(runs, 'authorization_reminders').reminders, 3);
});

test('a pending access request expires after 21 days, once, with its event and audit entries', async () => {
  // Arrange: the firm's responsible asks the employer for access.
  const { employer, firm } = await parties();
  const asked = await firm.client.requestAccess({
    file_number: employer.organisation.file_number, postal_code: employer.form.postal_code, services: ['status_letter'],
  });
  assert.equal(asked.status, 201, asked.text);
  const id = asked.body.access_request.id;
  const status = () => app.sql(`SELECT status, answered_at FROM access_requests WHERE id = ${quote(id)}`)[0];
  await app.advanceClock(20 * DAY);
  await runJobs(app);
  assert.equal(status().status, 'pending', 'still pending after 20 days');

  // Act: 22 days after the request, two runs.
  await app.advanceClock(2 * DAY);
  const runs = [...await runJobs(app), ...await runJobs(app)];

  // Assert
  assert.equal(status().status, 'expired');
  assert.ok(status().answered_at, 'answered_at says when it closed');
  const expired = events('access_request.expired', '$.access_request.id', id);
  assert.equal(expired.length, 1, 'one event, however many runs');
  assert.equal(expired[0].employer_id, employer.organisation.id);
  assert.equal(expired[0].firm_id, firm.organisation.id);
  const audit = audits('access_request.expired', '$.access_request_id', id);
  assert.equal(audit.length, 1, 'one audit entry');
  assert.equal(audit[0].organisation_id, employer.organisation.id);
  assert.equal(audit[0].counterpart_organisation_id, firm.organisation.id);
  assert.ok(countsOf(runs, 'access_request_expiry').expired >= 1);
  const listed = await (await signedInAgain(employer)).employerAccessRequests({ status: 'expired' });
  assert.ok(listed.body.items.some((request) => request.id === id), 'the employer lists it as expired');
});

test('an authorization whose end date moves is reminded again about its new end', async () => {
  // Arrange: the 30-day reminder went out, then the employer pushes the end 20 days later.
  const both = await parties();
  const first = await grant(both, montrealDay(await workerNow(app), 35));
  await advanceTo(morningOf(first, 30) + HOUR);
  await runJobs(app);
  assert.deepEqual(remindersOf(first), [30]);
  const employer = await signedInAgain(both.employer);
  const moved = await employer.updateAuthorization(first.id, { ends_on: montrealDay(first.ends_at - 1, 20) });
  assert.equal(moved.status, 200, moved.text);
  const authorization = moved.body.authorization;
  await runJobs(app);
  assert.deepEqual(remindersOf(authorization), [30], 'the new end is more than 30 days away');

  // Act
  await advanceTo(morningOf(authorization, 30) + HOUR);
  await runJobs(app);

  // Assert
  assert.deepEqual(remindersOf(authorization), [30, 30], 'a 30-day reminder about the new end');
  assert.equal(outbox(both.firm.email, 'authorization_expiring'), 2);
  const newest = events('authorization.expiring', '$.authorization.id', authorization.id).at(-1);
  assert.equal(newest.payload.details.ends_on, authorization.ends_on, 'it names the new last day');
});

test('a contact revoked by their firm is not reminded, the employer still is', async () => {
  // Arrange: a member of the firm is authorized, then revoked by the firm's responsible.
  const both = await parties();
  const member = await linkedMember(app, both.firm.client);
  const authorization = await grant(both, montrealDay(await workerNow(app), 40), member.email);
  const revoked = await both.firm.client.revokeMember(member.contactId);
  assert.equal(revoked.status, 200, revoked.text);

  // Act
  await advanceTo(morningOf(authorization, 30) + HOUR);
  await runJobs(app);

  // Assert
  assert.deepEqual(remindersOf(authorization), [30], 'the reminder is recorded');
  assert.equal(outbox(both.employer.email, 'authorization_expiring_employer'), 1, 'the employer is told');
  assert.equal(outbox(member.email, 'authorization_expiring'), 0, 'the revoked contact is not');
});

test('a run ends at most 50 authorizations, and the next run the rest', async () => {
  // Arrange: 60 contacts of a firm, each with an authorization of the employer that ended yesterday,
  // seeded straight into D1.
  const { employer, firm } = await parties();
  await runJobs(app);
  const now = await workerNow(app);
  const seeded = 60;
  const contact = (i) => `lapsed-${now}-${i}`;
  insertRows(app, 'contacts', ['id', 'organisation_id', 'first_name', 'last_name', 'email', 'search_text', 'role', 'created_at'],
    times(seeded, (i) => [contact(i), firm.organisation.id, 'Ève', `Échue ${i}`, `echue${i}.${now}@exemple.ca`, ` eve echue ${i} echue${i} ${now} exemple ca`, 'membre', now - 40 * DAY]));
  insertRows(app, 'authorizations', ['id', 'employer_id', 'contact_id', 'firm_id', 'services', 'level', 'starts_at', 'ends_at', 'origin',
    'employer_name', 'name_key', 'file_number', 'created_at', 'updated_at'],
  times(seeded, (i) => [`auth-${contact(i)}`, employer.organisation.id, contact(i), firm.organisation.id, 8, 'consultation', now - 30 * DAY,
    now - DAY, 'granted', employer.organisation.name, ` ${employer.organisation.name.toLowerCase()}`, employer.organisation.file_number, now - 30 * DAY, now - 30 * DAY]));
  const stillActive = () => count('authorizations', `id LIKE 'auth-lapsed-${now}-%' AND status = 'active'`);
  assert.equal(stillActive(), seeded);

  // Act and assert
  const first = await runJobs(app);
  assert.equal(countsOf(first, 'authorization_ends').ended, 50, 'the first run ends 50');
  assert.equal(stillActive(), seeded - 50);
  const second = await runJobs(app);
  assert.equal(countsOf(second, 'authorization_ends').ended, seeded - 50, 'the next run the rest');
  assert.equal(stillActive(), 0);
  assert.equal(count('domain_events', `type = 'authorization.expired' AND json_extract(payload, '$.authorization.id') LIKE 'auth-lapsed-${now}-%'`), seeded, 'one event each');
  assert.equal(count('authorized_file_totals', `contact_id LIKE 'lapsed-${now}-%' AND total != 0`), 0, 'the totals follow');
});

test('granting again after the end date passed, before the job runs, ends the lapsed authorization with its event and lists the new one', async () => {
  // Arrange: an authorization whose last day is tomorrow, then two days later (no job run).
  const sides = await parties();
  const tomorrow = montrealDay(await workerNow(app) + DAY);
  const lapsed = await grant(sides, tomorrow);
  await advanceTo(lapsed.ends_at + HOUR);
  const employerClient = await signedInAgain(sides.employer);

  // Act: the employer grants the same contact again.
  const res = await employerClient.grantAuthorization({
    firm_file_number: sides.firm.organisation.file_number, contact_email: sides.firm.email,
    services: ['workforce'], level: 'transmission',
  });

  // Assert: the old one is ended with its records, the new one is active and listed.
  assert.equal(res.status, 201, res.text);
  const [old] = app.sql(`SELECT status, ended_at FROM authorizations WHERE id = ${quote(lapsed.id)}`);
  assert.equal(old.status, 'ended', 'the lapsed authorization is recorded as ended');
  assert.equal(events('authorization.expired', '$.authorization.id', lapsed.id).length, 1, 'its authorization.expired event is written once');
  assert.equal(audits('authorization.expired', '$.authorization_id', lapsed.id).length, 1, 'and its audit entry');
  const files = await (await signedInAgain(sides.firm)).authorizedFiles();
  assert.deepEqual(files.body.items.map((f) => f.id), [res.body.authorization.id], 'only the new authorization is listed');
  assert.equal(files.body.total, 1, 'the total counts it once');
});
