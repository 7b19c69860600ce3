// The audit trail end to end: only responsables read their organisation's trail; filters by
// action prefix and by Montreal days (from/to, inclusive); the same trail as CSV (BOM, French or
// English header, quoting, formulas neutralised); an employer sees who acted on its file and a
// firm sees the employer's decisions about its contacts; and audit events are append-only — no
// API method changes or deletes one, and the database itself refuses to. The test that moves the
// clock by days comes last.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail } from '../support/app.mjs';
import { enrolTotpOnce } from '../support/client.mjs';
import { linkedResponsible, linkedMember, signedUp, cookieOf, assertRejected, invalid } from '../support/orgs.mjs';
import {
  employer, firmWithMember, granted, grantBody, setAdministrator, actAgain, today, addDays, parseCsv, sqlWrite, sql, quote,
  DAY,
} from '../support/authz.mjs';
import { AUDIT, AUDIT_CSV, createToken, revokeToken } from '../support/tokens.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

/** GET the trail with these filters, insisting on 200; resolves to the page. */
async function trail(client, params = {}) {
  const res = await client.audit({ page_size: '100', ...params });
  assert.equal(res.status, 200, `the trail ${JSON.stringify(params)} answered ${res.status}: ${res.text}`);
  return res.body;
}

const actions = (page) => page.items.map((e) => e.action);

/** GET the CSV export as raw bytes (a decoder would drop the BOM); resolves to {status, headers, bytes, text}. */
async function csvExport(client, params = {}, { locale } = {}) {
  const headers = { cookie: cookieOf(client) };
  if (locale) headers['accept-language'] = locale;
  const res = await fetch(`${app.baseUrl}${AUDIT_CSV}?${new URLSearchParams(params)}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

async function invite(client, { first_name = 'Inès', last_name = 'Invitée' } = {}) {
  const res = await client.inviteMember({ first_name, last_name, email: uniqueEmail('journal'), role: 'membre' });
  assert.equal(res.status, 201, res.text);
  return res.body.contact;
}

// --- Who reads the trail ------------------------------------------------------------------------

test('only responsables read the trail and its export: a membre gets 403 responsable_required', async () => {
  const responsable = await linkedResponsible(app);
  const membre = await linkedMember(app, responsable.client);

  for (const path of [AUDIT, AUDIT_CSV]) {
    const res = await membre.client.get(path);
    assert.equal(res.status, 403, `${path}: ${res.text}`);
    assert.equal(res.body.error.code, 'responsable_required', path);
    assert.equal((await responsable.client.get(path)).status, 200, `${path}: the responsable reads it`);
  }
});

test('without a session the trail answers 401, and without an organisation profile 403', async () => {
  const personal = await signedUp(app);

  for (const path of [AUDIT, AUDIT_CSV]) {
    const anonymous = await app.client().get(path);
    assert.equal(anonymous.status, 401, `${path}: ${anonymous.text}`);
    assert.equal(anonymous.body.error.code, 'unauthenticated');
    const noProfile = await personal.client.get(path);
    assert.equal(noProfile.status, 403, `${path}: ${noProfile.text}`);
    assert.equal(noProfile.body.error.code, 'organisation_profile_required');
  }
});

// --- Filters --------------------------------------------------------------------------------------

test('the action filter keeps the events whose action starts with it', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client);
  const { token } = await createToken(app, responsable.client);
  assert.equal((await revokeToken(responsable.client, token.id)).status, 200);
  const everything = await trail(responsable.client);

  const cases = [
    ['token.', ['token.revoked', 'token.created']],
    ['token', ['token.revoked', 'token.created']],
    ['token.revoked', ['token.revoked']],
    ['contact.invited', ['contact.invited']],
    ['nothing.', []],
  ];
  for (const [action, expected] of cases) {
    const page = await trail(responsable.client, { action });
    assert.deepEqual(actions(page), expected, `action=${action}`);
    assert.equal(page.total, expected.length, `action=${action}: the total counts the filtered events`);
  }
  assert.ok(everything.total > 3, 'without a filter, every event');
  const contactEvents = await trail(responsable.client, { action: 'contact.' });
  assert.ok(contactEvents.items.length >= 1 && contactEvents.items.every((e) => e.action.startsWith('contact.')), actions(contactEvents).join(', '));
});

test('filters combine with paging: the total and the pages are of the filtered trail', async () => {
  const responsable = await linkedResponsible(app);
  for (const name of ['Un', 'Deux', 'Trois']) await createToken(app, responsable.client, { name: `Jeton ${name}` });

  const first = await trail(responsable.client, { action: 'token.', page_size: '2', page: '1' });
  const second = await trail(responsable.client, { action: 'token.', page_size: '2', page: '2' });

  assert.equal(first.total, 3);
  assert.deepEqual([first.items.length, second.items.length], [2, 1]);
  assert.deepEqual([...first.items, ...second.items].map((e) => e.details.name), ['Jeton Trois', 'Jeton Deux', 'Jeton Un'], 'newest first, none twice');
});

describe('bad filter values answer 422 naming the filter', () => {
  let client;
  before(async () => { ({ client } = await linkedResponsible(app)); });
  const cases = [
    ['action=TOKEN.', 'action'], ['action=token%25', 'action'], ['action=token*', 'action'], ['action=tok%20en', 'action'],
    ['action=token.cr%C3%A9%C3%A9', 'action'], [`action=${'a'.repeat(61)}`, 'action'], ['action=token%00', 'action'],
    ['from=2026-13-01', 'from'], ['from=hier', 'from'], ['from=2026-11-27T00:00', 'from'], ['from=2026-02-30', 'from'],
    ['to=27%2F11%2F2026', 'to'], ['to=2026-1-5', 'to'], ['from=2026-11-27&to=2026-11-26', 'to'],
  ];
  for (const path of [AUDIT, AUDIT_CSV]) {
    for (const [query, field] of cases) {
      test(`GET ${path}?${query} answers 422 naming ${field}`, async () => {
        const res = await client.get(`${path}?${query}`);
        assertRejected(res, invalid(field, 'action is a lower-case prefix, from and to are days (YYYY-MM-DD), to not before from'), `GET ${path}?${query}`);
      });
    }
  }
  test('empty filter values mean no filter', async () => {
    const res = await client.audit({ action: '', from: '', to: '' });
    assert.equal(res.status, 200, res.text);
  });
});

// --- CSV ------------------------------------------------------------------------------------------

test('the CSV export starts with a BOM, has a French header, quotes what needs it and neutralises formulas', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client, { first_name: '=SOMME(1;2)', last_name: 'Dit "Zed"' });
  await createToken(app, responsable.client, { name: 'Jeton; "spécial"' });

  const res = await csvExport(responsable.client, { action: 'contact.invited' });

  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="journal-\d{4}-\d{2}-\d{2}\.csv"$/);
  assert.deepEqual([...res.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM, for spreadsheets');
  assert.ok(res.text.endsWith('\r\n') && !/[^\r]\n/.test(res.text), 'CRLF line ends');
  const rows = parseCsv(res.text.slice(1));
  assert.deepEqual(rows[0], ['Date (UTC)', 'Action', 'Par', 'Courriel', 'Contact visé', 'Autre organisation', 'Détails']);
  assert.equal(rows.length, 2, `only the filtered event: ${res.text}`);
  const [at, action, by, email, subject, , details] = rows[1];
  assert.match(at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(action, 'contact.invited');
  assert.equal(by, 'Rachel Responsable');
  assert.equal(email, responsable.email);
  assert.equal(subject, "'=SOMME(1;2) Dit \"Zed\"", 'a leading = is neutralised; the ; and the quotes survive the quoting');
  assert.ok(res.text.includes('"\'=SOMME(1;2) Dit ""Zed"""'), 'the raw cell is quoted with doubled quotes');
  assert.deepEqual(JSON.parse(details), { role: 'membre' }, "the details are the event's JSON");

  const tokens = parseCsv((await csvExport(responsable.client, { action: 'token.' })).text.slice(1));
  assert.equal(tokens.length, 2);
  assert.equal(JSON.parse(tokens[1][6]).name, 'Jeton; "spécial"', 'a ; and quotes inside the details survive');
});

test('an export of more than 10,000 events answers 422 export_too_large rather than cut it; closer dates export', async () => {
  // Arrange: 10,001 old events in the organisation's trail (written straight into D1), and a recent one.
  const responsable = await linkedResponsible(app);
  const organisation = responsable.organisation.id;
  const day = await today(app);
  const old = Date.parse(`${addDays(day, -10)}T12:00:00Z`);
  sqlWrite(app, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
    INSERT INTO audit_events (id, at, action, organisation_id, details)
    SELECT 'bulk-' || ${quote(organisation)} || '-' || i, ${old} - i, 'contact.invited', ${quote(organisation)}, '{}' FROM n`);
  await invite(responsable.client);

  // Act
  const everything = await csvExport(responsable.client);
  const recent = await csvExport(responsable.client, { from: day });

  // Assert
  assert.equal(everything.status, 422, everything.text);
  const { error } = JSON.parse(everything.text);
  assert.equal(error.code, 'export_too_large');
  assert.ok(error.total >= 10002, `it says how many events match: ${error.total}`);
  assert.equal(error.max, 10000, 'and the limit');
  assert.match(error.message, /10 000/, 'in French, asking for closer dates');
  assert.equal(recent.status, 200, 'closer dates export');
  assert.equal(parseCsv(recent.text.slice(1)).length - 1, error.total - 10001, 'every recent event, none of the old ones');
});

// --- The trail's index: kept in step, counted, paged by cursor ------------------------------------

/** Every page of the trail with these filters, followed through the next cursors. */
async function walkByCursor(client, params, pageSize) {
  const pages = [await trail(client, { ...params, page_size: String(pageSize) })];
  while (pages.at(-1).next) {
    pages.push(await trail(client, { ...params, page_size: String(pageSize), after: pages.at(-1).next }));
  }
  return pages;
}

test('a new event shows at once in its category and its action, each total counting it, and the trail total is the number of events', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client);
  const prefixes = ['token.', 'token.created', 'token'];
  const before = await Promise.all(prefixes.map((action) => trail(responsable.client, { action })));

  await createToken(app, responsable.client, { name: 'Jeton frais' });

  const after = await Promise.all(prefixes.map((action) => trail(responsable.client, { action })));
  for (const [i, action] of prefixes.entries()) {
    assert.equal(after[i].total, before[i].total + 1, `action=${action}: the total counts the new event`);
    assert.equal(after[i].items[0].details.name, 'Jeton frais', `action=${action}: newest first`);
    assert.equal(after[i].total_capped, false);
  }
  const whole = await trail(responsable.client);
  const [{ n }] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE organisation_id = ${quote(responsable.organisation.id)} OR counterpart_organisation_id = ${quote(responsable.organisation.id)}`);
  assert.equal(whole.total, n, 'the kept count is the number of events');
  assert.ok(actions(whole).includes('token.created'));
});

test('every action prefix keeps the same events as filtering the whole trail, with the same total', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client);
  const { token } = await createToken(app, responsable.client);
  assert.equal((await revokeToken(responsable.client, token.id)).status, 200);
  const everything = actions(await trail(responsable.client));

  for (const action of ['t', 'token', 'token.', 'token.c', 'token.created', 'link', 'link_', 'contact', 'c', 'o', 'zz']) {
    const page = await trail(responsable.client, { action });
    const expected = everything.filter((a) => a.startsWith(action));
    assert.deepEqual(actions(page), expected, `action=${action}`);
    assert.equal(page.total, expected.length, `action=${action}: its total`);
  }
});

test('pages followed by their next cursor walk the trail newest first, none twice, as the numbered pages do', async () => {
  const responsable = await linkedResponsible(app);
  for (const name of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) await createToken(app, responsable.client, { name: `Jeton ${name}` });

  const byCursor = await walkByCursor(responsable.client, { action: 'token.' }, 2);
  const numbered = [];
  for (let page = 1; page <= 4; page += 1) numbered.push(await trail(responsable.client, { action: 'token.', page_size: '2', page: String(page) }));

  assert.deepEqual(byCursor.map((p) => p.items.length), [2, 2, 2, 1], 'the last page says there is no next one');
  assert.deepEqual(byCursor.flatMap((p) => p.items), numbered.flatMap((p) => p.items), 'the same events in the same order');
  assert.deepEqual(byCursor.flatMap((p) => p.items).map((e) => e.details.name), ['G', 'F', 'E', 'D', 'C', 'B', 'A'].map((x) => `Jeton ${x}`));
  assert.ok(byCursor.slice(1).every((p) => p.page === null && p.total === 7), 'a cursor page has no number and the same total');
  assert.equal(numbered[3].next, null, 'the last numbered page has no next cursor');
});

test('after that is not a cursor, or comes with page, answers 422 naming after', async () => {
  const { client } = await linkedResponsible(app);
  for (const query of ['after=abc', 'after=1-', 'after=-1', 'after=1-2-3', 'after=1.5-2', `after=${'9'.repeat(19)}-1`, 'after=21943800-394608137627671182', 'after=1-2&page=2']) {
    const res = await client.get(`${AUDIT}?${query}`);
    assertRejected(res, invalid('after', 'after is the next cursor of a page'), `GET ${AUDIT}?${query}`);
  }
});

test('with dates the total is counted up to 10,000 and says when there are more; deep pages still follow their cursor', async () => {
  // Arrange: 10,050 events of one day in the organisation's trail (written straight into D1).
  const responsable = await linkedResponsible(app);
  const organisation = responsable.organisation.id;
  const day = addDays(await today(app), -20);
  const noon = Date.parse(`${day}T17:00:00Z`);
  sqlWrite(app, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
    INSERT INTO audit_events (id, at, action, organisation_id, details)
    SELECT 'deep-' || ${quote(organisation)} || '-' || i, ${noon} + i, CASE WHEN i % 2 = 0 THEN 'token.created' ELSE 'token.revoked' END,
      ${quote(organisation)}, '{"i":' || i || '}' FROM n`);

  // Act
  const dated = await trail(responsable.client, { from: day, to: day, page_size: '100' });
  const revoked = await trail(responsable.client, { from: day, to: day, action: 'token.revoked' });
  const undated = await trail(responsable.client, { action: 'token.' });
  const csv = await csvExport(responsable.client, { from: day, to: day });
  let page = dated;
  for (let i = 0; i < 60; i += 1) page = await trail(responsable.client, { from: day, to: day, page_size: '100', after: page.next });

  // Assert
  assert.deepEqual([dated.total, dated.total_capped], [10000, true], 'more than 10,000: capped and said so');
  assert.deepEqual([revoked.total, revoked.total_capped], [5025, false], 'under the cap: exact');
  assert.deepEqual([undated.total, undated.total_capped], [10050, false], 'without dates: the exact kept count');
  assert.equal(dated.items[0].details.i, 10050, 'newest first');
  assert.deepEqual(page.items.map((e) => e.details.i), Array.from({ length: 100 }, (_, k) => 10050 - 6000 - k), 'the 61st page, none skipped');
  assert.equal(csv.status, 422, csv.text);
  const { error } = JSON.parse(csv.text);
  assert.deepEqual([error.code, error.total, error.total_capped, error.max], ['export_too_large', 10000, true, 10000]);
});

test('the CSV export follows Accept-Language and the same filters as the trail', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client);
  await createToken(app, responsable.client);

  const en = await csvExport(responsable.client, {}, { locale: 'en' });
  const page = await trail(responsable.client);
  const filtered = await csvExport(responsable.client, { action: 'token.', from: await today(app), to: await today(app) });

  assert.equal(en.status, 200, en.text);
  assert.match(en.headers.get('content-disposition') ?? '', /filename="audit-trail-\d{4}-\d{2}-\d{2}\.csv"/);
  const rows = parseCsv(en.text.slice(1));
  assert.deepEqual(rows[0], ['Date (UTC)', 'Action', 'By', 'Email', 'Contact concerned', 'Other organisation', 'Details']);
  assert.deepEqual(rows.slice(1).map((r) => r[1]), actions(page), 'the same events as the trail, newest first');
  assert.deepEqual(parseCsv(filtered.text.slice(1)).slice(1).map((r) => r[1]), ['token.created']);
});

// --- Both sides of an authorization -----------------------------------------------------------------

test("an employer sees who acted on its file, and the firm sees the employer's decisions about its contacts", async () => {
  const boss = await employer(app, { name: 'Coffrages Témoin inc.' });
  const admin = await linkedMember(app, boss.client, { first_name: 'Adèle', last_name: 'Admin' });
  await setAdministrator(boss.client, admin.contactId);
  await enrolTotpOnce(admin.client);
  const firm = await firmWithMember(app, { overrides: { name: 'Cabinet Témoin' }, member: { first_name: 'Fanny', last_name: 'Firme' } });
  const bystander = await firmWithMember(app);

  const authorization = await granted(admin.client, grantBody(firm.organisation, firm.member.email));
  const changed = await admin.client.updateAuthorization(authorization.id, { level: 'transmission' });
  assert.equal(changed.status, 200, changed.text);
  const revoked = await boss.client.revokeAuthorization(authorization.id);
  assert.equal(revoked.status, 200, revoked.text);

  const employerSide = await trail(boss.client, { action: 'authorization.' });
  const firmSide = await trail(firm.responsable.client, { action: 'authorization.' });
  const bystanderSide = await trail(bystander.responsable.client, { action: 'authorization.' });

  const expected = [['authorization.revoked', boss.email], ['authorization.changed', admin.email], ['authorization.granted', admin.email]];
  for (const [side, page, other] of [['employer', employerSide, 'Cabinet Témoin'], ['firm', firmSide, 'Coffrages Témoin inc.']]) {
    assert.deepEqual(page.items.map((e) => [e.action, e.actor?.email]), expected, `${side}: who did what, newest first`);
    assert.ok(page.items.every((e) => e.subject?.contact_id === firm.member.contactId && e.subject.name === 'Fanny Firme'), `${side}: about the firm's contact`);
    assert.ok(page.items.every((e) => e.counterpart === other), `${side}: naming the other organisation`);
  }
  assert.deepEqual(bystanderSide.items, [], 'a third organisation sees none of it');
  const firmCsv = parseCsv((await csvExport(firm.responsable.client, { action: 'authorization.' })).text.slice(1));
  assert.deepEqual(firmCsv.slice(1).map((r) => [r[1], r[3], r[4], r[5]]), expected.map(([action, email]) => [action, email, 'Fanny Firme', 'Coffrages Témoin inc.']),
    "the firm's export says who, about whom, and which employer");
});

// --- Append-only ----------------------------------------------------------------------------------

test('no API method changes or deletes audit events: every method but GET on the audit routes answers 405', async () => {
  const responsable = await linkedResponsible(app);
  const before = await trail(responsable.client);

  for (const path of [AUDIT, AUDIT_CSV]) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await responsable.client.request(method, path, { json: {} });
      assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'method_not_allowed', `${method} ${path}`);
      assert.equal(res.headers.get('allow'), 'GET', `${method} ${path}: Allow names GET only`);
    }
  }
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    const res = await responsable.client.request(method, `${AUDIT}/${'0'.repeat(32)}`, method === 'GET' ? {} : { json: {} });
    assert.equal(res.status, 404, `${method} on one event: there is no route to an event (${res.text})`);
  }
  assert.deepEqual(await trail(responsable.client), before, 'the trail is unchanged');
});

test('the database refuses to update or delete an audit event, even by direct SQL', async () => {
  const responsable = await linkedResponsible(app);
  await invite(responsable.client);
  const [event] = await sql(app, `SELECT * FROM audit_events WHERE organisation_id = ${quote(responsable.organisation.id)} AND action = 'contact.invited'`);
  assert.ok(event, 'the event exists');

  const statements = [
    `UPDATE audit_events SET action = 'nothing.happened' WHERE id = ${quote(event.id)}`,
    `UPDATE audit_events SET details = '{}' WHERE organisation_id = ${quote(responsable.organisation.id)}`,
    `DELETE FROM audit_events WHERE id = ${quote(event.id)}`,
    'DELETE FROM audit_events',
  ];
  for (const statement of statements) {
    assert.throws(() => sqlWrite(app, statement), /append-only/, `refused: ${statement}`);
  }

  const [after] = await sql(app, `SELECT * FROM audit_events WHERE id = ${quote(event.id)}`);
  assert.deepEqual({ ...after }, { ...event }, 'the event is unchanged');
  assert.ok((await sql(app, 'SELECT COUNT(*) AS n FROM audit_events'))[0].n > 1, 'no event was deleted');
  assert.ok(actions(await trail(responsable.client)).includes('contact.invited'));
});

// --- Dates (moves the clock by days: last) ----------------------------------------------------------

test('from and to keep the events of those Montreal days, both inclusive', async () => {
  const responsable = await linkedResponsible(app);
  const day0 = await today(app);
  await invite(responsable.client);
  await app.advanceClock(2 * DAY);
  const client = await actAgain(app, responsable);
  const day2 = await today(app);
  assert.equal(day2, addDays(day0, 2));
  await createToken(app, client);

  const cases = [
    [{ from: day2 }, ['token.created'], ['contact.invited']],
    [{ to: day0 }, ['contact.invited'], ['token.created']],
    [{ from: day0, to: day2 }, ['contact.invited', 'token.created'], []],
    [{ from: day0, to: day0 }, ['contact.invited'], ['token.created']],
    [{ from: addDays(day0, 1), to: addDays(day0, 1) }, [], ['contact.invited', 'token.created']],
  ];
  for (const [filters, present, absent] of cases) {
    const got = actions(await trail(client, filters));
    for (const action of present) assert.ok(got.includes(action), `${JSON.stringify(filters)} keeps ${action}: ${got}`);
    for (const action of absent) assert.ok(!got.includes(action), `${JSON.stringify(filters)} leaves out ${action}: ${got}`);
  }
  assert.deepEqual(actions(await trail(client, { from: addDays(day0, 1), to: addDays(day0, 1) })), [], 'a day without events');
});
