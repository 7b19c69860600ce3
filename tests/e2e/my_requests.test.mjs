// "Mes demandes" (GET /api/me/requests): the signed-in person's own requests, newest first, a page
// of 20 at a time: the access requests they made, their known-facts linking requests (which never
// say whether the facts matched), and the monthly reports they transmitted or corrected, each with
// where its receipt opens. Nobody else's request ever shows; bad query input answers 4xx JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GOOD_PASSWORD, spawnApp } from '../support/app.mjs';
import { createOrganisation, credentialsSentTo, link, quote, signedUp, sql, uniqueFileNumber } from '../support/orgs.mjs';
import {
  employer, firmWithMember, anotherMember, granted, grantBody, workerNow, query, FILES,
} from '../support/authz.mjs';

const OWN = '/api/employer/monthly-reports';

let app;
let now;
let boss; // an employer acting for itself: transmits and corrects its own report
let firm; // {responsable, member, organisation}: the member asks for access and transmits for a file
let writerFile;

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
const monthOf = (ms) => MONTREAL.format(new Date(ms)).slice(0, 7);
function shift(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
const line = { worker_name: 'Marie Tremblay', worker_id: '1234567', trade: 'electricien', region: 'montreal', regular_hours: 37.5, overtime_hours: 0, gross_wages_cents: 154_321 };

async function requestsPage(client, params) {
  const res = await client.myRequests(params);
  assert.equal(res.status, 200, `the list answered ${res.status}: ${res.text}`);
  return res.body;
}
async function allRequests(client, params = {}) {
  const items = [];
  let cursor;
  for (let pages = 0; pages < 20; pages += 1) {
    const page = await requestsPage(client, { ...params, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    if (!page.next_cursor) return items;
    cursor = page.next_cursor;
  }
  throw new Error('the list never ended');
}
async function transmit(client, path, month) {
  assert.equal((await client.request('PUT', `${path}/${month}`, { json: { lines: [line] } })).status, 200);
  const res = await client.post(`${path}/${month}/transmit`);
  assert.equal(res.status, 200, res.text);
  return res.body.transmitted;
}

before(async () => {
  app = await spawnApp();
  now = await workerNow(app);
  boss = await employer(app, { name: 'Toitures Demandes inc.' });
  firm = await firmWithMember(app, { member: { first_name: 'Julie', last_name: 'Demandeuse' } });
  const otherBoss = await employer(app, { name: 'Béton Fichier ltée' });
  writerFile = await granted(otherBoss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'transmission' }));
});
after(async () => { await app?.stop(); });

test('an access request the person made shows with the employer, the services asked and its state as it changes', async () => {
  const made = await firm.member.client.requestAccess({ file_number: boss.organisation.file_number, postal_code: boss.postalCode, services: ['workforce', 'monthly_report'] });
  assert.equal(made.status, 201, made.text);
  const id = made.body.access_request.id;

  const pending = (await allRequests(firm.member.client, { kind: 'access_request' })).find((item) => item.id === id);
  assert.deepEqual(
    [pending.kind, pending.status, pending.organisation_name, pending.file_number, pending.services],
    ['access_request', 'pending', 'Toitures Demandes inc.', boss.organisation.file_number, ['workforce', 'monthly_report']],
  );

  assert.equal((await boss.client.declineAccessRequest(id, {})).status, 200);
  const declined = (await allRequests(firm.member.client)).find((item) => item.id === id);
  assert.equal(declined.status, 'declined');
});

test('known-facts linking requests show as sent whether or not the facts matched, and as linked once linked', async () => {
  const { organisation, form } = await createOrganisation(app, { postal_code: 'G1R 4P5' });
  const requester = await signedUp(app);
  const unknown = uniqueFileNumber();

  assert.equal((await requester.client.linkWithKnownFacts({ file_number: organisation.file_number, postal_code: 'G1R 4P5' })).status, 202);
  assert.equal((await requester.client.linkWithKnownFacts({ file_number: unknown, postal_code: 'G1R 4P5' })).status, 202);

  const sent = await requestsPage(requester.client, { kind: 'link_request' });
  assert.deepEqual(sent.items.map((i) => [i.kind, i.file_number, i.status, i.organisation_name]), [
    ['link_request', unknown, 'sent', null], ['link_request', organisation.file_number, 'sent', null],
  ], 'newest first; a match and a miss read the same');

  assert.equal((await link(requester.client, await credentialsSentTo(app, form.email))).status, 200);
  const after = await requestsPage(requester.client, { kind: 'link_request' });
  assert.deepEqual(after.items.map((i) => [i.file_number, i.status]), [[unknown, 'sent'], [organisation.file_number, 'linked']]);
});

test('transmitted and corrected monthly reports show each transmission with its receipt, the first superseded by the correction', async () => {
  const month = shift(monthOf(now), -30);
  const first = await transmit(boss.client, OWN, month);
  assert.equal((await boss.client.correctEmployerReport(month)).status, 201);
  const second = await transmit(boss.client, OWN, month);

  const mine = (await allRequests(boss.client, { kind: 'monthly_report' })).filter((item) => item.month === month);
  assert.deepEqual(mine.map((i) => [i.version, i.correction, i.status, i.receipt_number, i.receipt_path]), [
    [2, true, 'transmitted', second.receipt_number, `/monthly-report-receipt?month=${month}`],
    [1, false, 'superseded', first.receipt_number, `/monthly-report-receipt?month=${month}`],
  ]);
  assert.equal(mine[0].organisation_name, 'Toitures Demandes inc.');
});

test("a report transmitted for an authorized file links to that file's receipt", async () => {
  const month = shift(monthOf(now), -31);
  const sent = await transmit(firm.member.client, `${FILES}/${writerFile.id}/monthly-reports`, month);

  const item = (await allRequests(firm.member.client, { kind: 'monthly_report' })).find((i) => i.receipt_number === sent.receipt_number);
  assert.deepEqual([item.status, item.version, item.organisation_name, item.receipt_path],
    ['transmitted', 1, 'Béton Fichier ltée', `/monthly-report-receipt?file=${writerFile.id}&month=${month}`]);
});

test("another person's requests never show, not even those of a colleague or of the employer they asked", async () => {
  const colleague = await anotherMember(app, firm.responsable.client, { first_name: 'Paul', last_name: 'Collègue' });
  assert.deepEqual((await requestsPage(colleague.client)).items, [], 'a colleague of the same firm sees nothing');
  assert.deepEqual((await requestsPage(firm.responsable.client)).items, [], "the firm's responsable sees nothing of its member's");
  const bossItems = await allRequests(boss.client);
  assert.ok(bossItems.length > 0 && bossItems.every((i) => i.kind === 'monthly_report'), 'the employer sees only its own transmissions, not the access request it answered');
  const memberItems = await allRequests(firm.member.client);
  const bossReceipts = new Set(bossItems.map((i) => i.receipt_number));
  assert.ok(memberItems.every((i) => !bossReceipts.has(i.receipt_number)), "the member does not see the employer's transmissions");
});

test('the list pages 20 at a time, newest first, with a cursor that follows on and ends', async () => {
  const person = await signedUp(app);
  const numbers = [];
  for (let i = 0; i < 22; i += 1) {
    const file_number = uniqueFileNumber();
    numbers.push(file_number);
    assert.equal((await person.client.linkWithKnownFacts({ file_number, postal_code: 'H2X 1Y4' })).status, 202);
  }
  const first = await requestsPage(person.client);
  assert.equal(first.items.length, 20);
  assert.equal(typeof first.next_cursor, 'string');
  const second = await requestsPage(person.client, { cursor: first.next_cursor });
  assert.equal(second.items.length, 2);
  assert.equal(second.next_cursor, null);
  const all = [...first.items, ...second.items];
  assert.deepEqual(all.map((i) => i.file_number), [...numbers].reverse(), 'newest first, each once');
  for (let i = 1; i < all.length; i += 1) assert.ok(all[i - 1].at >= all[i].at);
});

test('40 concurrent reads of the list all answer 200 with the same page', async () => {
  const answers = await Promise.all(Array.from({ length: 40 }, () => firm.member.client.myRequests()));
  assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
  assert.equal(new Set(answers.map((r) => JSON.stringify(r.body))).size, 1);
});

test('bad query input answers 4xx JSON naming the field, and a signed-out call 401', async () => {
  const cases = [
    ['kind', { kind: 'reports' }],
    ['kind', { kind: 'ACCESS_REQUEST' }],
    ['cursor', { cursor: 'not-a-cursor' }],
    ['cursor', { cursor: '-5_abcdef' }],
    ['cursor', { cursor: `1700000000000_${'a'.repeat(65)}` }],
    ['cursor', { cursor: '99999999999999999999999_ab' }],
    ['cursor', { cursor: '1700000000000_zz' }],
    ['cursor', { cursor: '1700000000000_ab\u0000' }],
  ];
  for (const [field, params] of cases) {
    const res = await firm.member.client.myRequests(params);
    assert.equal(res.status, 422, `${JSON.stringify(params)}: ${res.text}`);
    assert.equal(typeof res.body.error.fields?.[field], 'string', `${JSON.stringify(params)} names ${field}`);
  }
  const signedOut = await app.client().myRequests();
  assert.equal(signedOut.status, 401);
  assert.equal(typeof signedOut.body.error.code, 'string');
});

test('the copy of a person\'s data holds their known-facts linking requests, and closing the account takes them with it', async () => {
  const person = await signedUp(app);
  assert.equal((await person.client.linkWithKnownFacts({ file_number: uniqueFileNumber(), postal_code: 'H2X 1Y4' })).status, 202);
  assert.equal((await requestsPage(person.client)).items.length, 1);
  const id = (await person.client.me()).body.id;
  assert.equal(typeof id, 'string');
  const exported = await person.client.exportMyData();
  assert.deepEqual(exported.body.linking_requests.map((r) => r.id), [(await requestsPage(person.client)).items[0].id], 'the copy of their data holds the request');

  const closed = await person.client.closeAccount({ current_password: GOOD_PASSWORD });

  assert.equal(closed.status, 204, closed.text);
  const [left] = await sql(app, `SELECT (SELECT COUNT(*) FROM known_facts_requests WHERE user_id = ${quote(id)}) AS requests, (SELECT COUNT(*) FROM users WHERE id = ${quote(id)}) AS users`);
  assert.deepEqual([left.requests, left.users], [0, 0]);
});
