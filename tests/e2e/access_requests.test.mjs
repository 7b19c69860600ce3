// Access requests ("Relation client manquante?"): a firm's contact asks an employer for access to
// its file by proving two facts (file number and postal code on record); wrong facts answer the
// same whether the number exists or not, and are throttled; the employer sees pending requests,
// approves (choosing services, level and end date: the authorization exists at once) or declines;
// the requester follows and may cancel; pending requests expire after 21 days.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import {
  badInputCases, sendCase, assertRejected, cookieOf, invalid, createOrganisation, ODD_CASES,
} from '../support/orgs.mjs';
import {
  employer, firmWithMember, anotherMember, deskUser, employerAt, granted, grantBody, filesPage, ids, today, addDays, endOfDay,
  authzCounts, auditTrail, domainEventsAbout, actAgain, sql, quote, query, DAY, ACCESS_REQUESTS, EMPLOYER_REQUESTS,
} from '../support/authz.mjs';

let app;
let desk; // one user acting for many employers (each made by the operator)
let boss; // an employer with its own signed-up responsable
let firm; // {responsable, member, organisation}

before(async () => {
  app = await spawnApp();
  desk = await deskUser(app);
  boss = await employer(app, { name: 'Coffrage Beauport inc.', postal_code: 'G1E 3K5' });
  firm = await firmWithMember(app, { overrides: { name: 'Cabinet Fiscal Rioux' }, member: { first_name: 'Julie', last_name: 'Demande' } });
});
after(async () => { await app?.stop(); });

const request = (client, body) => client.requestAccess(body);
const requestBody = (emp, overrides = {}) => ({ file_number: emp.organisation.file_number, postal_code: emp.postalCode, services: ['monthly_report'], ...overrides });
async function requested(client, emp, overrides) {
  const res = await request(client, requestBody(emp, overrides));
  assert.equal(res.status, 201, `requesting answered ${res.status}: ${res.text}`);
  return res.body.access_request;
}
const approve = (client, id, body) => client.approveAccessRequest(id, body);
const decline = (client, id, body = {}) => client.declineAccessRequest(id, body);
const cancel = (client, id) => client.cancelAccessRequest(id);
async function employerRequests(client, params) {
  const res = await client.employerAccessRequests(params);
  assert.equal(res.status, 200, `the employer's requests answered ${res.status}: ${res.text}`);
  return res.body;
}
async function myRequests(client, params) {
  const res = await client.accessRequests(params);
  assert.equal(res.status, 200, `the requester's list answered ${res.status}: ${res.text}`);
  return res.body;
}
const unmatchedCount = async (contactId) => (await sql(app, `SELECT COALESCE(SUM(count), 0) AS n FROM rate_limits WHERE key LIKE ${quote(`%${contactId}%`)}`))[0].n;

// --- Requesting ----------------------------------------------------------------------------------------

test('a firm member requests access with the file number and postal code, and the request is pending for 21 days', async () => {
  const spaced = boss.organisation.file_number.replace(/^(\d{3})(\d{3})/, '$1 $2-');

  const res = await request(firm.member.client, { file_number: spaced, postal_code: 'g1e3k5', services: ['monthly_report', 'workforce'], message: '  Nous tenons votre comptabilité depuis 2019.  ' });

  assert.equal(res.status, 201, res.text);
  const r = res.body.access_request;
  assert.deepEqual(r.employer, { id: boss.organisation.id, name: 'Coffrage Beauport inc.', file_number: boss.organisation.file_number });
  assert.deepEqual(r.firm, { id: firm.organisation.id, name: 'Cabinet Fiscal Rioux', file_number: firm.organisation.file_number });
  assert.deepEqual(r.contact, { id: firm.member.contactId, first_name: 'Julie', last_name: 'Demande', email: firm.member.email });
  assert.deepEqual(r.services, ['workforce', 'monthly_report'], 'in the portal order');
  assert.equal(r.message, 'Nous tenons votre comptabilité depuis 2019.', 'the message is trimmed');
  assert.deepEqual([r.status, r.answered_at, r.decline_reason, r.authorization_id], ['pending', null, null, null]);
  assert.equal(r.expires_at - r.created_at, 21 * DAY, 'expires 21 days after it was made');

  const seen = await employerRequests(boss.client);
  const listed = seen.items.find((x) => x.id === r.id);
  assert.ok(listed, 'the employer sees it among the pending requests');
  assert.deepEqual(listed, r, 'the same request on both sides');
  assert.ok(ids(await myRequests(firm.member.client)).includes(r.id), 'the requester sees it');
});

test('making a request is an audit event in both trails and a domain event', async () => {
  const emp = await employerAt(app, desk, { name: 'Audit Demandes inc.' });
  const r = await requested(firm.member.client, emp);

  const employerTrail = await auditTrail(emp.client);
  const firmTrail = await auditTrail(firm.responsable.client);

  for (const [side, trail] of [['employer', employerTrail], ['firm', firmTrail]]) {
    assert.ok(trail.some((e) => e.action === 'access_request.created' && JSON.stringify(e.details).includes(r.id)), `${side}: ${JSON.stringify(trail.slice(0, 3))}`);
  }
  assert.deepEqual((await domainEventsAbout(app, r.id)).map((e) => e.type), ['access_request.created']);
});

describe('wrong facts', () => {
  let requester;
  before(async () => { requester = await anotherMember(app, firm.responsable.client, { first_name: 'Ulysse', last_name: 'Inconnu' }); });

  test('answer 422 access_request_unmatched, identically whether the number exists or not, and write nothing', async () => {
    const otherFirm = await createOrganisation(app, { postal_code: 'H3B 2Y5' });
    const counts = await authzCounts(app);

    const answers = [
      ['an employer number with a wrong postal code', await request(requester.client, requestBody(boss, { postal_code: 'H0H 0H0' }))],
      ['a number no organisation has', await request(requester.client, requestBody(boss, { file_number: '987654321' }))],
      ['a number no organisation has, with the postal code of an employer', await request(requester.client, requestBody(boss, { file_number: '987654322', postal_code: boss.postalCode }))],
      ["an accounting firm's number and postal code (not an employer)", await request(requester.client, { file_number: otherFirm.organisation.file_number, postal_code: 'H3B 2Y5', services: ['workforce'] })],
    ];

    for (const [label, res] of answers) {
      assert.equal(res.status, 422, `${label}: ${res.text}`);
      assert.equal(res.body.error.code, 'access_request_unmatched', label);
      assert.equal(res.text, answers[0][1].text, `${label}: the very same body as the others`);
      assert.equal(res.headers.get('retry-after'), null, `${label}: no throttle yet`);
    }
    assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
  });

  test('after 10 unmatched requests in an hour, the next ones answer 429 with Retry-After, even with the right facts', async () => {
    const spent = await unmatchedCount(requester.contactId);
    for (let i = spent; i < 10; i += 1) {
      const res = await request(requester.client, requestBody(boss, { file_number: String(900000000 + i) }));
      assert.equal(res.status, 422, `attempt ${i + 1}: ${res.text}`);
    }
    const counts = await authzCounts(app);

    const eleventh = await request(requester.client, requestBody(boss, { file_number: '900000099' }));
    const right = await request(requester.client, requestBody(boss));

    for (const [label, res] of [['an 11th unmatched request', eleventh], ['a request with the right facts', right]]) {
      assert.equal(res.status, 429, `${label}: ${res.text}`);
      assert.ok(Number(res.headers.get('retry-after')) > 0, `${label}: Retry-After says how long to wait`);
    }
    assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
    const other = await request(firm.member.client, requestBody(await employerAt(app, desk)));
    assert.equal(other.status, 201, `another contact is not throttled: ${other.text}`);
  });
});

test('a second pending request to the same employer answers 409 access_request_pending; another contact of the firm may still ask', async () => {
  const emp = await employerAt(app, desk);
  await requested(firm.member.client, emp);
  const counts = await authzCounts(app);

  const again = await request(firm.member.client, requestBody(emp, { services: ['workforce'] }));

  assert.equal(again.status, 409, again.text);
  assert.equal(again.body.error.code, 'access_request_pending');
  assert.deepEqual(await authzCounts(app), counts);
  const colleague = await request(firm.responsable.client, requestBody(emp));
  assert.equal(colleague.status, 201, colleague.text);
});

test('a request for a file the contact is already authorized on answers 409 already_authorized', async () => {
  const emp = await employerAt(app, desk);
  await granted(emp.client, grantBody(firm.organisation, firm.member.email));
  const counts = await authzCounts(app);

  const res = await request(firm.member.client, requestBody(emp));

  assert.equal(res.status, 409, res.text);
  assert.equal(res.body.error.code, 'already_authorized');
  assert.deepEqual(await authzCounts(app), counts);
});

test("a request for the requester's own organisation answers 422 naming file_number", async () => {
  const counts = await authzCounts(app);

  const res = await request(boss.client, requestBody(boss));

  assert.equal(res.status, 422, res.text);
  assert.equal(typeof res.body.error.fields?.file_number, 'string', res.text);
  assert.deepEqual(await authzCounts(app), counts);
});

test('an employer contact may also ask another employer for access', async () => {
  const emp = await employerAt(app, desk);

  const res = await request(boss.client, requestBody(emp));

  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.access_request.firm, { id: boss.organisation.id, name: 'Coffrage Beauport inc.', file_number: boss.organisation.file_number },
    "the requester's organisation");
});

test('a user without an organisation profile cannot request access (403 organisation_profile_required)', async () => {
  const personal = app.client();
  assert.equal((await personal.logIn(desk.email, desk.password)).status, 200);
  assert.equal((await personal.selectProfile('personal')).status, 200);

  const res = await request(personal, requestBody(boss));

  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.error.code, 'organisation_profile_required');
});

// --- Answering ------------------------------------------------------------------------------------------

test('approving creates the authorization with the services the employer chose, and the contact lists the file at once', async () => {
  const emp = await employerAt(app, desk, { name: 'Approbation Rapide ltée' });
  const r = await requested(firm.member.client, emp, { services: ['monthly_report', 'status_letter'] });
  const endsOn = addDays(await today(app), 60);

  const res = await approve(emp.client, r.id, { services: ['workforce'], level: 'transmission', ends_on: endsOn });

  assert.equal(res.status, 200, res.text);
  const { access_request: answered, authorization } = res.body;
  assert.deepEqual([answered.status, answered.authorization_id], ['approved', authorization.id]);
  assert.equal(typeof answered.answered_at, 'number');
  assert.deepEqual([authorization.services, authorization.level, authorization.ends_on, authorization.ends_at, authorization.origin, authorization.status],
    [['workforce'], 'transmission', endsOn, endOfDay(endsOn), 'granted', 'active'], 'the services chosen, not those requested');
  assert.equal(authorization.contact.id, firm.member.contactId);
  const files = await filesPage(firm.member.client, { q: emp.organisation.file_number });
  assert.deepEqual(ids(files), [authorization.id], 'the contact lists the file on the next request');
  const mine = (await myRequests(firm.member.client)).items.find((x) => x.id === r.id);
  assert.deepEqual([mine.status, mine.authorization_id], ['approved', authorization.id], 'the requester sees the answer');
  const pending = await employerRequests(emp.client);
  assert.ok(!ids(pending).includes(r.id), 'no longer pending');
  assert.ok(ids(await employerRequests(emp.client, { status: 'approved' })).includes(r.id));
  const events = await domainEventsAbout(app, r.id);
  assert.deepEqual(events.map((e) => e.type), ['access_request.created', 'access_request.answered'], 'made, then answered');
  assert.equal(JSON.parse(events[1].payload).details?.decision, 'approved', `the answer says how: ${events[1].payload}`);
  assert.ok(events[1].payload.includes(authorization.id), 'and names the authorization');
  assert.deepEqual((await domainEventsAbout(app, authorization.id)).map((e) => e.type).filter((t) => t.startsWith('authorization.')), ['authorization.granted']);
  const trail = await auditTrail(firm.responsable.client);
  assert.ok(trail.some((e) => e.action === 'access_request.approved'), "the approval is in the firm's trail");
});

test('approving with services omitted or wrong answers 422 and leaves the request pending', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);
  const counts = await authzCounts(app);

  for (const [label, body, field] of [
    ['no services', { level: 'consultation' }, 'services'],
    ['empty services', { services: [], level: 'consultation' }, 'services'],
    ['an unknown service', { services: ['paie'], level: 'consultation' }, 'services'],
    ['no level', { services: ['workforce'] }, 'level'],
    ['an end date in the past', { services: ['workforce'], level: 'consultation', ends_on: addDays(await today(app), -1) }, 'ends_on'],
  ]) {
    const res = await approve(emp.client, r.id, body);
    assert.equal(res.status, 422, `${label}: ${res.text}`);
    assert.equal(typeof res.body.error.fields?.[field], 'string', `${label}: ${res.text}`);
  }
  assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
});

test('an answered request cannot be answered again: 409 access_request_answered', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);
  assert.equal((await approve(emp.client, r.id, { services: ['workforce'], level: 'consultation' })).status, 200);
  const counts = await authzCounts(app);

  const again = await approve(emp.client, r.id, { services: ['monthly_report'], level: 'consultation' });
  const declined = await decline(emp.client, r.id, { reason: 'Trop tard' });

  for (const [label, res] of [['approving again', again], ['declining after approving', declined]]) {
    assert.equal(res.status, 409, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'access_request_answered', label);
  }
  assert.deepEqual(await authzCounts(app), counts);
});

test('declining with a reason: the requester sees it declined with the reason, and the request cannot be approved', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);

  const res = await decline(emp.client, r.id, { reason: '  Nous ne faisons pas affaire avec ce cabinet.\nMerci.  ' });

  assert.equal(res.status, 200, res.text);
  assert.deepEqual([res.body.access_request.status, res.body.access_request.decline_reason, res.body.access_request.authorization_id],
    ['declined', 'Nous ne faisons pas affaire avec ce cabinet.\nMerci.', null]);
  const mine = (await myRequests(firm.member.client)).items.find((x) => x.id === r.id);
  assert.deepEqual([mine.status, mine.decline_reason], ['declined', 'Nous ne faisons pas affaire avec ce cabinet.\nMerci.']);
  const answered = (await domainEventsAbout(app, r.id)).find((e) => e.type === 'access_request.answered');
  assert.equal(JSON.parse(answered?.payload ?? '{}').details?.decision, 'declined', 'the domain event says declined');
  assert.ok((await auditTrail(firm.responsable.client)).some((e) => e.action === 'access_request.declined'), "the firm's trail shows the decline");
  const approved = await approve(emp.client, r.id, { services: ['workforce'], level: 'consultation' });
  assert.equal(approved.status, 409, approved.text);
  assert.equal(approved.body.error.code, 'access_request_answered');
  assert.equal((await filesPage(firm.member.client, { q: emp.organisation.file_number })).total, 0, 'no file');
  assert.ok(ids(await employerRequests(emp.client, { status: 'declined' })).includes(r.id));
  const again = await request(firm.member.client, requestBody(emp));
  assert.equal(again.status, 201, `after a decline the contact may ask again: ${again.text}`);
});

test('declining without a reason is allowed', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);

  const res = await decline(emp.client, r.id, {});

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.access_request.status, 'declined');
  assert.ok(res.body.access_request.decline_reason === null || res.body.access_request.decline_reason === '', res.text);
});

test('the requester cancels a pending request: the employer no longer has it pending and cannot approve it; a new request is possible', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);

  const res = await cancel(firm.member.client, r.id);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.access_request.status, 'cancelled');
  assert.ok(!ids(await employerRequests(emp.client)).includes(r.id), 'not pending');
  assert.ok(ids(await employerRequests(emp.client, { status: 'cancelled' })).includes(r.id), 'listed as cancelled');
  const approved = await approve(emp.client, r.id, { services: ['workforce'], level: 'consultation' });
  assert.equal(approved.status, 409, approved.text);
  assert.equal(approved.body.error.code, 'access_request_answered');
  assert.equal((await request(firm.member.client, requestBody(emp))).status, 201, 'asking again is possible');
});

test("only the requester cancels: a colleague, even the firm's responsable, gets 404 and the request stays pending", async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);

  for (const [label, client] of [["the firm's responsable", firm.responsable.client], ['the employer', emp.client]]) {
    const res = await cancel(client, r.id);
    assert.equal(res.status, 404, `${label}: ${res.text}`);
  }
  assert.equal((await sql(app, `SELECT status FROM access_requests WHERE id = ${quote(r.id)}`))[0].status, 'pending');
});

test('an approved request cannot be cancelled', async () => {
  const emp = await employerAt(app, desk);
  const r = await requested(firm.member.client, emp);
  assert.equal((await approve(emp.client, r.id, { services: ['workforce'], level: 'consultation' })).status, 200);

  const res = await cancel(firm.member.client, r.id);

  assert.equal(res.status, 409, res.text);
  assert.equal((await sql(app, `SELECT status FROM access_requests WHERE id = ${quote(r.id)}`))[0].status, 'approved');
});

// --- Lists ------------------------------------------------------------------------------------------------

test("the firm's responsable sees every request of the firm, a member only their own, newest first", async () => {
  const emp = await employerAt(app, desk);
  const members = await requested(firm.member.client, emp);
  const responsables = await requested(firm.responsable.client, emp);

  const all = await myRequests(firm.responsable.client, { page_size: 100 });
  const own = await myRequests(firm.member.client, { page_size: 100 });

  assert.ok(ids(all).includes(members.id) && ids(all).includes(responsables.id), 'the responsable sees both');
  assert.ok(ids(own).includes(members.id) && !ids(own).includes(responsables.id), "the member sees only their own");
  assert.ok(own.items.every((x) => x.contact.id === firm.member.contactId));
  const times = all.items.map((x) => x.created_at);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  assert.equal(all.total, all.items.length);
});

test("the employer's list is filtered by status and pages", async () => {
  const emp = await employerAt(app, desk);
  const colleagues = [firm.member, firm.responsable];
  const made = [];
  for (const c of colleagues) made.push(await requested(c.client, emp));
  made.push(await requested(boss.client, emp));
  assert.equal((await decline(emp.client, made[2].id)).status, 200);

  const pending = await employerRequests(emp.client, { page_size: 1 });
  const second = await employerRequests(emp.client, { page_size: 1, page: 2 });
  const everything = await employerRequests(emp.client, { status: 'all' });
  const bad = await emp.client.employerAccessRequests({ status: 'ouvert' });

  assert.deepEqual([pending.total, pending.items.length, pending.page, pending.page_size], [2, 1, 1, 1]);
  assert.deepEqual([...ids(pending), ...ids(second)].sort(), [made[0].id, made[1].id].sort());
  assert.deepEqual(ids(everything).sort(), made.map((m) => m.id).sort());
  assert.equal(bad.status, 422, bad.text);
  assert.equal(typeof bad.body.error.fields?.status, 'string');
});

test('a plain membre of the employer cannot see or answer requests: 403 authorization_admin_required', async () => {
  const plain = await anotherMember(app, boss.client, { first_name: 'Pierre', last_name: 'Simple' });
  const r = await requested(firm.responsable.client, boss);
  const counts = await authzCounts(app);

  for (const [label, res] of [
    ['listing', await plain.client.employerAccessRequests()],
    ['approving', await approve(plain.client, r.id, { services: ['workforce'], level: 'consultation' })],
    ['declining', await decline(plain.client, r.id, {})],
  ]) {
    assert.equal(res.status, 403, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'authorization_admin_required', label);
  }
  assert.deepEqual(await authzCounts(app), counts);
});

// --- Bad input ---------------------------------------------------------------------------------------------

const SERVICE_LIST_CASES = [
  ['a string as services', 'workforce'], ['a number as services', 1], ['an object as services', { workforce: true }], ['a boolean as services', true],
  ['null as services', null], ['an empty services list', []], ['an unknown code in services', ['workforce', 'payroll']], ['a service in capitals', ['WORKFORCE']],
  ["a service's French name", ['Rapport mensuel']], ['the same code twice', ['monthly_report', 'monthly_report']], ['a number inside services', [8]],
  ['null inside services', [null]], ['a nested list in services', [['workforce']]], ['an empty string inside services', ['']],
  ['500 codes in services', Array.from({ length: 500 }, (_, i) => ['workforce', 'site_identification', 'status_letter', 'monthly_report'][i % 4])],
];
const DATE_VALUES = [['a number', 20270331], ['slashes', '2027/03/31'], ['a date and time', '2027-03-31T00:00:00Z'], ['the 30th of February', '2027-02-30'],
  ['a 13th month', '2027-13-01'], ['a NUL byte', '2027-03-31\u0000'], ['Arabic-Indic digits', '٢٠٢٧-٠٣-٣١'], ['10,000 characters', '2'.repeat(10000)]];

/** Free text (a message, a reason): hidden characters and more than 500 characters are refused; emoji, accents and other scripts are fine. */
const freeTextOdd = (field, index) => (['a NUL byte', 'a right-to-left override (U+202E)', 'a zero-width space (U+200B)', 'a 10,000-character string'].includes(ODD_CASES[index])
  ? invalid(field) : null);

function badInputTable(label, method, pathOf, cases, setup) {
  describe(`bad input on ${label}`, () => {
    let context;
    before(async () => { context = await setup(); });
    for (const c of cases) {
      const naming = [c.expect.field, ...(c.expect.fields ?? [])].filter(Boolean);
      test(`${label} with ${c.name} answers ${c.expect.status} ${c.expect.code}${naming.length ? ` naming ${naming.join(', ')}` : ''} and writes nothing`, async () => {
        const counts = await authzCounts(app);
        const throttle = await unmatchedCount(context.contactId ?? 'none');
        const res = await sendCase(app, method, pathOf(context), c, { cookie: cookieOf(context.client) });
        assertRejected(res, c.expect, `${label} with ${c.name}`);
        assert.deepEqual(await authzCounts(app), counts, `${c.name}: nothing was written`);
        assert.equal(await unmatchedCount(context.contactId ?? 'none'), throttle, `${c.name}: not counted as an unmatched request`);
      });
    }
  });
}

const requestBase = () => ({ file_number: boss.organisation.file_number, postal_code: boss.postalCode, services: ['workforce'], message: 'Bonjour' });
badInputTable('POST /api/access-requests', 'POST', () => ACCESS_REQUESTS, [
  ...badInputCases({ base: requestBase, fields: { file_number: 'file_number', postal_code: 'postal_code', message: 'name' }, required: ['file_number', 'postal_code', 'services'],
    odd: (field, index) => (field === 'message' ? freeTextOdd(field, index) : invalid(field)) })
    .filter((c) => !['message missing', 'message null', 'message empty'].includes(c.name)),
  { name: 'services missing', body: () => JSON.stringify({ ...requestBase(), services: undefined }), expect: invalid('services', 'services is required') },
  ...SERVICE_LIST_CASES.map(([name, value]) => ({ name, body: () => JSON.stringify({ ...requestBase(), services: value }), expect: invalid('services', `${name} is refused`) })),
  { name: 'a 501-character message', body: () => JSON.stringify({ ...requestBase(), message: 'é'.repeat(501) }), expect: invalid('message', 'a message is at most 500 characters') },
], async () => ({ client: firm.responsable.client, contactId: firm.responsable.contactId }));

let pendingForBadInput;
async function pendingSetup() {
  if (!pendingForBadInput) {
    const emp = await employerAt(app, desk);
    pendingForBadInput = { emp, request: await requested(firm.member.client, emp) };
  }
  return { client: pendingForBadInput.emp.client, id: pendingForBadInput.request.id };
}
const approveBase = () => ({ services: ['workforce'], level: 'consultation', ends_on: null });
badInputTable('POST /api/employer/access-requests/{id}/approve', 'POST', (context) => `${EMPLOYER_REQUESTS}/${context.id}/approve`, [
  ...badInputCases({ base: approveBase, fields: { level: 'choice' }, required: ['services', 'level'] }),
  { name: 'services missing', body: () => JSON.stringify({ ...approveBase(), services: undefined }), expect: invalid('services', 'services is required') },
  ...SERVICE_LIST_CASES.map(([name, value]) => ({ name, body: () => JSON.stringify({ ...approveBase(), services: value }), expect: invalid('services', `${name} is refused`) })),
  ...['starts_on', 'ends_on'].flatMap((field) => DATE_VALUES.map(([name, value]) => ({ name: `${name} as ${field}`, body: () => JSON.stringify({ ...approveBase(), [field]: value }), expect: invalid(field, `${name} is not a day`) }))),
  { name: 'an end date before the start date', body: () => JSON.stringify({ ...approveBase(), starts_on: '2999-01-10', ends_on: '2999-01-05' }), expect: invalid('ends_on', 'the end comes after the start') },
], pendingSetup);

badInputTable('POST /api/employer/access-requests/{id}/decline', 'POST', (context) => `${EMPLOYER_REQUESTS}/${context.id}/decline`, [
  ...badInputCases({ base: () => ({ reason: 'Nous ne connaissons pas ce cabinet.' }), fields: { reason: 'name' }, required: [], odd: freeTextOdd })
    .filter((c) => !['an empty object', 'reason missing', 'reason null', 'reason empty'].includes(c.name)),
  { name: 'a 501-character reason', body: () => JSON.stringify({ reason: 'x'.repeat(501) }), expect: invalid('reason', 'a reason is at most 500 characters') },
], pendingSetup);

test('after every bad approve and decline, the request is still pending', async () => {
  const { request: r } = pendingForBadInput;
  assert.equal((await sql(app, `SELECT status FROM access_requests WHERE id = ${quote(r.id)}`))[0].status, 'pending');
});

// --- Expiry (last: moving the clock ends every session) ----------------------------------------------------

test('a pending request can be approved on its 21st day, but after 21 days approving answers 410 access_request_expired and the lists say expired', async () => {
  const early = await employerAt(app, desk, { name: 'Expiration Tardive inc.' });
  const late = await employerAt(app, desk, { name: 'Expiration Passée inc.' });
  const stillValid = await requested(firm.member.client, early);
  const expiring = await requested(firm.member.client, late);

  await app.advanceClock(21 * DAY - 60 * 60 * 1000);
  const earlyClient = await actAgain(app, early);
  const approved = await approve(earlyClient, stillValid.id, { services: ['workforce'], level: 'consultation' });
  assert.equal(approved.status, 200, `an hour before the end it can still be approved: ${approved.text}`);

  await app.advanceClock(2 * 60 * 60 * 1000);
  const lateClient = await actAgain(app, late);
  const counts = await authzCounts(app);
  const res = await approve(lateClient, expiring.id, { services: ['workforce'], level: 'consultation' });
  const declined = await decline(lateClient, expiring.id, {});

  assert.equal(res.status, 410, res.text);
  assert.equal(res.body.error.code, 'access_request_expired');
  assert.equal(declined.status, 410, declined.text);
  assert.deepEqual((await authzCounts(app)).authorizations, counts.authorizations, 'no authorization was made');
  assert.ok(!ids(await employerRequests(lateClient)).includes(expiring.id), 'no longer pending');
  const expired = await employerRequests(lateClient, { status: 'expired' });
  assert.equal(expired.items.find((x) => x.id === expiring.id)?.status, 'expired', "the employer's list says expired");
  const member = await actAgain(app, firm.member);
  const mine = (await myRequests(member, { page_size: 100 })).items.find((x) => x.id === expiring.id);
  assert.equal(mine.status, 'expired', "the requester's list says expired");
  const again = await request(member, requestBody(late));
  assert.equal(again.status, 201, `a new request can be made after expiry: ${again.text}`);
  assert.equal((await filesPage(member, { q: late.organisation.file_number })).total, 0);
  const [old] = await sql(app, `SELECT status, answered_at FROM access_requests WHERE id = ${quote(expiring.id)}`);
  assert.equal(old.status, 'expired', 'the request it replaces is recorded as expired, the job not having run');
  assert.ok(old.answered_at > 0, 'with the time it closed');
  const mentions = quote(`%${expiring.id}%`);
  const [audited] = await sql(app, `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'access_request.expired' AND details LIKE ${mentions}`);
  const [evented] = await sql(app, `SELECT COUNT(*) AS n FROM domain_events WHERE type = 'access_request.expired' AND payload LIKE ${mentions}`);
  assert.equal(audited.n, 1, 'its expiry is in the audit trail once');
  assert.equal(evented.n, 1, 'and in the domain events (for webhooks) once');
});
