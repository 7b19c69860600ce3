// Authorizations, employer side: the employer (its responsable, or a contact it made an
// administrator of authorizations) grants a firm's contact some services on its file, changes and
// revokes them; revocation takes effect at once; firms cannot grant, employers cannot authorize
// their own contacts; every change is audited in both organisations' trails and appended as a
// domain event; migrated relations are reviewed (confirm one, confirm all, revoke all); bad input
// on every new JSON body is refused without writing anything.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail } from '../support/app.mjs';
import { enrolTotpOnce } from '../support/client.mjs';
import {
  badInputCases, sendCase, assertRejected, cookieOf, invalid, createOrganisation,
} from '../support/orgs.mjs';
import {
  employer, firmWithMember, anotherMember, invitedContact, setAdministrator, grant, granted, grantBody, filesPage,
  employerList, ids, today, addDays, startOfDay, endOfDay, seedMigrated, authorizationRow, domainEventsAbout, authzCounts,
  auditTrail, sql, sqlWrite, quote, workerNow, EMPLOYER_AUTHORIZATIONS, REVIEW, FILES, MEMBERS,
} from '../support/authz.mjs';

let app;
let boss; // the employer's responsable
let plain; // a plain membre of the employer
let admin; // a membre the responsable makes an administrator of authorizations
let firm; // {responsable, member, organisation}

before(async () => {
  app = await spawnApp();
  boss = await employer(app, { name: 'Construction Beaulieu inc.' });
  plain = await anotherMember(app, boss.client, { first_name: 'Paul', last_name: 'Simple' });
  admin = await anotherMember(app, boss.client, { first_name: 'Anne', last_name: 'Admin' });
  firm = await firmWithMember(app, { overrides: { name: 'Cabinet Comptable Ouellet' }, member: { first_name: 'Mélanie', last_name: 'Côté' } });
});
after(async () => { await app?.stop(); });

const one = (id) => `${EMPLOYER_AUTHORIZATIONS}/${id}`;
const patch = (client, id, json) => client.request('PATCH', one(id), { json });
const revoke = (client, id) => client.request('DELETE', one(id));
/** A contact of the firm invited for one test (authorizations need no linked account). */
const freshContact = (first_name = 'Inès', last_name = 'Invitée') => invitedContact(firm.responsable.client, { first_name, last_name });

// --- Granting ----------------------------------------------------------------------------------------

test("the employer's responsable grants a firm member two services and gets the whole authorization back", async () => {
  const day = await today(app);
  const endsOn = addDays(day, 90);

  const res = await grant(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report', 'workforce'], level: 'transmission', ends_on: endsOn }));

  assert.equal(res.status, 201, res.text);
  const a = res.body.authorization;
  assert.match(a.id, /^[0-9A-Za-z-]{8,64}$/, 'an id usable in a path');
  assert.deepEqual(a.employer, { id: boss.organisation.id, name: 'Construction Beaulieu inc.', file_number: boss.organisation.file_number });
  assert.deepEqual(a.contact, { id: firm.member.contactId, first_name: 'Mélanie', last_name: 'Côté', email: firm.member.email });
  assert.deepEqual(a.firm, { id: firm.organisation.id, name: 'Cabinet Comptable Ouellet', file_number: firm.organisation.file_number });
  assert.deepEqual(a.services, ['workforce', 'monthly_report'], 'services come back in the portal order');
  assert.deepEqual([a.level, a.origin, a.status, a.review, a.revoked_at], ['transmission', 'granted', 'active', null, null]);
  assert.deepEqual([a.starts_on, a.ends_on], [day, endsOn], 'starts today by default; ends on the chosen day');
  assert.equal(a.starts_at, startOfDay(day), 'starts_at is the start of the start day in Montreal');
  assert.equal(a.ends_at, endOfDay(endsOn), 'ends_at is the end of the end day in Montreal (exclusive)');
  assert.equal(typeof a.created_at, 'number');
  assert.equal(typeof a.updated_at, 'number');
  const read = await boss.client.get(one(a.id));
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.body.authorization, a, 'GET answers the same authorization');
  const files = await filesPage(firm.member.client);
  const file = files.items.find((f) => f.id === a.id);
  assert.ok(file, `the member lists the file at once: ${JSON.stringify(files)}`);
  assert.deepEqual([file.employer.id, file.services, file.level, file.ends_on], [boss.organisation.id, ['workforce', 'monthly_report'], 'transmission', endsOn]);
});

test('the file number and the address may be written with spaces, a hyphen or capitals', async () => {
  const contact = await freshContact('Hugo', 'Espaces');
  const spaced = firm.organisation.file_number.replace(/^(\d{3})(\d{3})/, '$1 $2-');

  const res = await grant(boss.client, grantBody(firm.organisation, contact.email.toUpperCase(), { firm_file_number: ` ${spaced} ` }));

  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.authorization.contact.id, contact.id);
  assert.equal(res.body.authorization.ends_on, null, 'no end date means no end');
  assert.equal(res.body.authorization.ends_at, null);
});

test('an invited contact who has not linked yet can be authorized, but a revoked contact cannot', async () => {
  const invited = await freshContact('Iris', 'Pasencorelie');
  const revoked = await freshContact('Rémi', 'Révoqué');
  assert.equal((await firm.responsable.client.revokeMember(revoked.id)).status, 200);

  const forInvited = await grant(boss.client, grantBody(firm.organisation, invited.email));
  const counts = await authzCounts(app);
  const forRevoked = await grant(boss.client, grantBody(firm.organisation, revoked.email));

  assert.equal(forInvited.status, 201, forInvited.text);
  assert.equal(forRevoked.status, 422, forRevoked.text);
  assert.equal(forRevoked.body.error.code, 'validation_failed');
  assert.equal(typeof forRevoked.body.error.fields?.contact_email, 'string', 'the address is named as the problem');
  assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
});

test('a second grant while one is active answers 409 authorization_exists with the existing id, and writes nothing', async () => {
  const contact = await freshContact('Denis', 'Doublon');
  const first = await granted(boss.client, grantBody(firm.organisation, contact.email));
  const counts = await authzCounts(app);

  const again = await grant(boss.client, grantBody(firm.organisation, contact.email, { services: ['workforce'] }));

  assert.equal(again.status, 409, again.text);
  assert.equal(again.body.error.code, 'authorization_exists');
  assert.equal(again.body.error.authorization_id ?? again.body.authorization_id, first.id, 'the answer names the existing authorization');
  assert.deepEqual(await authzCounts(app), counts);
});

// --- Validation ----------------------------------------------------------------------------------------

describe('a grant with wrong facts answers 422 naming the field, and writes nothing', () => {
  let contact;
  let otherFirm;
  before(async () => {
    contact = await freshContact('Valérie', 'Validation');
    otherFirm = await createOrganisation(app);
  });

  const cases = [
    ['services empty', () => ({ services: [] }), 'services'],
    ['an unknown service', () => ({ services: ['payroll'] }), 'services'],
    ['a known and an unknown service', () => ({ services: ['workforce', 'paie'] }), 'services'],
    ['the same service twice', () => ({ services: ['workforce', 'workforce'] }), 'services'],
    ['an unknown level', () => ({ level: 'administration' }), 'level'],
    ['a level in French words', () => ({ level: 'Consultation et transmission' }), 'level'],
    ['an end date before the start date', async () => ({ starts_on: addDays(await today(app), 10), ends_on: addDays(await today(app), 5) }), 'ends_on'],
    ['an end date in the past', async () => ({ ends_on: addDays(await today(app), -1) }), 'ends_on'],
    ['an end date that is not a date', () => ({ ends_on: '2027-02-30' }), 'ends_on'],
    ['an end date written day first', () => ({ ends_on: '31-03-2027' }), 'ends_on'],
    ['a start date that is not a date', () => ({ starts_on: 'demain' }), 'starts_on'],
    ['a file number no organisation has', () => ({ firm_file_number: '999999999' }), 'firm_file_number'],
    ['a file number that is not one', () => ({ firm_file_number: '12ab' }), 'firm_file_number'],
    ['an address no contact of the firm has', () => ({ contact_email: uniqueEmail('personne') }), 'contact_email'],
    ["the address of another firm's contact", () => ({ firm_file_number: otherFirm.organisation.file_number }), 'contact_email'],
    ['an address that is not one', () => ({ contact_email: 'pas-une-adresse' }), 'contact_email'],
  ];
  for (const [label, change, field] of cases) {
    test(`${label} answers 422 on ${field}`, async () => {
      const body = grantBody(firm.organisation, contact.email, await change());
      const counts = await authzCounts(app);

      const res = await grant(boss.client, body);

      assert.equal(res.status, 422, `${label}: ${res.text}`);
      assert.equal(res.body.error.code, 'validation_failed', label);
      assert.equal(typeof res.body.error.fields?.[field], 'string', `${label}: error.fields.${field} says what is wrong — ${res.text}`);
      assert.deepEqual(await authzCounts(app), counts, `${label}: nothing was written`);
    });
  }

  test('an end date of today is accepted: the file stays open until the end of the day', async () => {
    const day = await today(app);
    const res = await grant(boss.client, grantBody(firm.organisation, contact.email, { ends_on: day }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.authorization.ends_at, endOfDay(day));
  });
});

// --- Who may ----------------------------------------------------------------------------------------------

test("an employer cannot authorize its own contacts: 422 on firm_file_number, nothing written", async () => {
  const counts = await authzCounts(app);

  const res = await grant(boss.client, grantBody(boss.organisation, plain.email));

  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error.code, 'validation_failed');
  assert.equal(typeof res.body.error.fields?.firm_file_number, 'string', res.text);
  assert.deepEqual(await authzCounts(app), counts);
});

test('a firm cannot grant itself anything: its responsable and its member get 403 employer_profile_required', async () => {
  const contact = await freshContact('Fanny', 'Firme');
  const counts = await authzCounts(app);

  const attempts = [
    ['the firm responsable for its member', await grant(firm.responsable.client, grantBody(firm.organisation, firm.member.email))],
    ['the firm responsable naming the employer', await grant(firm.responsable.client, grantBody(boss.organisation, plain.email))],
    ['the firm member for a colleague', await grant(firm.member.client, grantBody(firm.organisation, contact.email))],
    ['the firm member listing', await firm.member.client.authorizations()],
  ];

  for (const [label, res] of attempts) {
    assert.equal(res.status, 403, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'employer_profile_required', label);
  }
  assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
});

test("a plain membre of the employer gets 403 authorization_admin_required on every employer route", async () => {
  const contact = await freshContact('Mathis', 'Matrice');
  const target = await granted(boss.client, grantBody(firm.organisation, contact.email));
  const counts = await authzCounts(app);

  const attempts = [
    ['listing', await plain.client.authorizations()],
    ['reading one', await plain.client.get(one(target.id))],
    ['granting', await grant(plain.client, grantBody(firm.organisation, (await freshContact()).email))],
    ['changing', await patch(plain.client, target.id, { level: 'transmission' })],
    ['revoking', await revoke(plain.client, target.id)],
    ['reviewing migrated relations', await plain.client.reviewMigratedRelations({ decision: 'confirm' })],
  ];

  for (const [label, res] of attempts) {
    assert.equal(res.status, 403, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'authorization_admin_required', label);
  }
  const after = await authzCounts(app);
  assert.equal(after.authorization_rows, counts.authorization_rows, 'no authorization changed');
  assert.equal(after.domain_events, counts.domain_events);
});

test('a contact the responsable makes an administrator of authorizations grants, changes and revokes; unmade, they cannot', async () => {
  const contact = await freshContact('Alice', 'Administrée');
  const made = await setAdministrator(boss.client, admin.contactId, true);
  assert.equal(made.manages_authorizations, true, 'the contact object says so');
  const listed = (await boss.client.member(admin.contactId)).body.contact;
  assert.equal(listed.manages_authorizations, true, 'the inventory shows it');
  // An administrator acts with a second factor: the new role asks for one on the next request.
  const unenrolled = await grant(admin.client, grantBody(firm.organisation, contact.email));
  assert.equal(unenrolled.status, 403, unenrolled.text);
  assert.equal(unenrolled.body.error.code, 'mfa_enrolment_required');
  await enrolTotpOnce(admin.client);

  const created = await grant(admin.client, grantBody(firm.organisation, contact.email));
  assert.equal(created.status, 201, created.text);
  const changed = await patch(admin.client, created.body.authorization.id, { level: 'transmission' });
  assert.equal(changed.status, 200, changed.text);
  const revoked = await revoke(admin.client, created.body.authorization.id);
  assert.equal(revoked.status, 200, revoked.text);

  await setAdministrator(boss.client, admin.contactId, false);
  const refused = await grant(admin.client, grantBody(firm.organisation, contact.email));
  assert.equal(refused.status, 403, `the change takes effect on the next request: ${refused.text}`);
  assert.equal(refused.body.error.code, 'authorization_admin_required');
});

test('only a responsable may make a contact an administrator of authorizations', async () => {
  await setAdministrator(boss.client, admin.contactId, true);
  await enrolTotpOnce(admin.client);
  try {
    const byAdmin = await admin.client.updateMember(plain.contactId, { manages_authorizations: true });
    const byPlain = await plain.client.updateMember(plain.contactId, { manages_authorizations: true });

    for (const [label, res] of [['an administrator of authorizations', byAdmin], ['a plain membre, for themself', byPlain]]) {
      assert.equal(res.status, 403, `${label}: ${res.text}`);
      assert.equal(res.body.error.code, 'responsable_required', label);
    }
    const [row] = await sql(app, `SELECT manages_authorizations FROM contacts WHERE id = ${quote(plain.contactId)}`);
    assert.equal(row.manages_authorizations, 0, 'the plain membre is still not an administrator');
    const inFirm = await firm.responsable.client.updateMember(firm.member.contactId, { manages_authorizations: true });
    assert.equal(inFirm.status, 422, `a firm has no authorizations to administer: ${inFirm.text}`);
    assert.equal(typeof inFirm.body.error.fields?.manages_authorizations, 'string');
  } finally {
    await setAdministrator(boss.client, admin.contactId, false);
  }
});

// --- Changing and revoking ----------------------------------------------------------------------------------

test('changing an authorization updates services, level and end date in place, and the contact sees it at once', async () => {
  const member = await anotherMember(app, firm.responsable.client, { first_name: 'Chantal', last_name: 'Changement' });
  const first = await granted(boss.client, grantBody(firm.organisation, member.email, { services: ['workforce'] }));
  const endsOn = addDays(await today(app), 30);

  const res = await patch(boss.client, first.id, { services: ['status_letter', 'monthly_report'], level: 'transmission', ends_on: endsOn });

  assert.equal(res.status, 200, res.text);
  const a = res.body.authorization;
  assert.equal(a.id, first.id, 'the same authorization, changed in place');
  assert.deepEqual([a.services, a.level, a.ends_on, a.ends_at, a.status], [['status_letter', 'monthly_report'], 'transmission', endsOn, endOfDay(endsOn), 'active']);
  assert.ok(a.updated_at >= first.updated_at, 'updated_at moves forward');
  assert.equal((await authorizationRow(app, first.id)).services, 12, 'stored as the status-letter and monthly-report bits');
  const file = (await filesPage(member.client)).items.find((f) => f.id === first.id);
  assert.deepEqual([file.services, file.level, file.ends_on], [['status_letter', 'monthly_report'], 'transmission', endsOn]);
  const opened = await member.client.authorizedFile(first.id);
  assert.deepEqual(opened.body.services.map((s) => [s.code, s.usable]),
    [['workforce', false], ['site_identification', false], ['status_letter', true], ['monthly_report', true]]);

  const cleared = await patch(boss.client, first.id, { ends_on: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual([cleared.body.authorization.ends_on, cleared.body.authorization.ends_at], [null, null], 'ends_on null removes the end date');
  assert.deepEqual(cleared.body.authorization.services, ['status_letter', 'monthly_report'], 'fields not sent are kept');
});

test('a change with empty services or a past end date answers 422 and changes nothing', async () => {
  const contact = await freshContact('Karim', 'Inchangé');
  const a = await granted(boss.client, grantBody(firm.organisation, contact.email));
  const counts = await authzCounts(app);

  for (const [label, json, field] of [
    ['empty services', { services: [] }, 'services'],
    ['an unknown service', { services: ['paie'] }, 'services'],
    ['an unknown level', { level: 'tout' }, 'level'],
    ['an end date in the past', { ends_on: addDays(await today(app), -2) }, 'ends_on'],
    ['an end date before the start', { ends_on: addDays(a.starts_on, -1) }, 'ends_on'],
  ]) {
    const res = await patch(boss.client, a.id, json);
    assert.equal(res.status, 422, `${label}: ${res.text}`);
    assert.equal(typeof res.body.error.fields?.[field], 'string', `${label}: names ${field} — ${res.text}`);
  }
  assert.deepEqual(await authzCounts(app), counts, 'nothing was written');
});

test("revocation takes effect at once: the contact's next list and file open answer without it", async () => {
  const member = await anotherMember(app, firm.responsable.client, { first_name: 'Roxane', last_name: 'Retrait' });
  const a = await granted(boss.client, grantBody(firm.organisation, member.email, { services: ['monthly_report', 'workforce'] }));
  const before = await filesPage(member.client);
  assert.deepEqual(ids(before), [a.id], 'listed before');
  assert.equal((await member.client.fileReportSummary(a.id)).status, 200, 'the monthly report opens before');

  const res = await revoke(boss.client, a.id);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.authorization.status, 'revoked');
  assert.equal(typeof res.body.authorization.revoked_at, 'number');
  const list = await filesPage(member.client);
  assert.deepEqual([list.items, list.total, list.from, list.to], [[], 0, 0, 0], 'the next list is empty, with 0 - 0 of 0');
  for (const path of [`${FILES}/${a.id}`, `${FILES}/${a.id}/monthly-report`]) {
    const opened = await member.client.get(path);
    assert.equal(opened.status, 404, `${path}: ${opened.text}`);
  }
  const csv = await member.client.authorizedFilesCsv();
  assert.equal(csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).length, 1, 'the CSV export has only its header');
});

test('revoking again answers 200 with the same revocation; a revoked authorization cannot be changed, and a new grant is possible', async () => {
  const contact = await freshContact('Régis', 'Encore');
  const a = await granted(boss.client, grantBody(firm.organisation, contact.email));
  const first = await revoke(boss.client, a.id);
  const counts = await authzCounts(app);

  const second = await revoke(boss.client, a.id);
  const changed = await patch(boss.client, a.id, { level: 'transmission' });

  assert.equal(second.status, 200, second.text);
  assert.deepEqual(second.body.authorization, first.body.authorization, 'revoking is idempotent: same answer');
  assert.equal(changed.status, 409, changed.text);
  assert.equal(changed.body.error.code, 'authorization_inactive');
  assert.deepEqual(await authzCounts(app), counts, 'neither wrote anything');
  const again = await grant(boss.client, grantBody(firm.organisation, contact.email));
  assert.equal(again.status, 201, again.text);
  assert.notEqual(again.body.authorization.id, a.id, 'a new authorization');
});

// --- The employer's list ------------------------------------------------------------------------------------

test("the employer lists its authorizations by status and finds them by contact name, address, firm name or number", async () => {
  const kept = await freshContact('Gisèle', 'Zéphirin');
  const gone = await freshContact('Gaston', 'Zéphirin');
  const a = await granted(boss.client, grantBody(firm.organisation, kept.email));
  const b = await granted(boss.client, grantBody(firm.organisation, gone.email));
  assert.equal((await revoke(boss.client, b.id)).status, 200);

  const active = await employerList(boss.client, { q: 'zephirin' });
  const revoked = await employerList(boss.client, { q: 'ZÉPHIRIN', status: 'revoked' });
  const all = await employerList(boss.client, { q: 'Zéphirin', status: 'all' });
  const byEmail = await employerList(boss.client, { q: kept.email.split('@')[0], status: 'all' });
  const byFirm = await employerList(boss.client, { q: 'ouellet', status: 'all', page_size: 100 });
  const byNumber = await employerList(boss.client, { q: firm.organisation.file_number, status: 'all', page_size: 100 });

  assert.deepEqual(ids(active), [a.id], 'active is the default');
  assert.equal(active.total, 1);
  assert.deepEqual(ids(revoked), [b.id]);
  assert.deepEqual(ids(all).sort(), [a.id, b.id].sort());
  assert.deepEqual(ids(byEmail), [a.id], 'by address');
  for (const [label, page] of [['firm name', byFirm], ['firm number', byNumber]]) {
    assert.ok(ids(page).includes(a.id) && ids(page).includes(b.id), `by ${label}`);
  }
  assert.deepEqual([active.page, active.page_size], [1, 25], 'offset paging, page 1 of 25 by default');
  const own = await employerList(boss.client, { status: 'all', page_size: 100 });
  assert.ok(own.items.every((x) => x.employer.id === boss.organisation.id), 'only its own authorizations');
});

test("the employer's search keys follow contacts, firms and authorizations: renamed, revoked, ended and new ones are found by what they are now", async () => {
  const other = await firmWithMember(app, { overrides: { name: 'Cabinet Wilfrid-Xénon' }, member: { first_name: 'Yolande', last_name: 'Yergeau' } });
  const contacts = [];
  for (const first of ['Ulric', 'Ursule', 'Urbain']) contacts.push(await invitedContact(other.responsable.client, { first_name: first, last_name: 'Wojcik' }));
  const granted3 = [];
  for (const contact of contacts) granted3.push(await granted(boss.client, grantBody(other.organisation, contact.email)));
  const [kept, gone, lapsed] = granted3;
  const employerId = boss.organisation.id;
  const keyCount = async (term) => (await sql(app, `SELECT n FROM employer_authorization_key_counts WHERE employer_id = ${quote(employerId)} AND term = ${quote(term)}`))[0]?.n ?? 0;
  assert.deepEqual(ids(await employerList(boss.client, { q: 'xenon wojcik', status: 'all' })).sort(), granted3.map((x) => x.id).sort());

  // No screen renames a contact or a firm yet: the import or an operator may, so the keys follow any write.
  sqlWrite(app, `UPDATE contacts SET last_name = 'Zabinski', search_text = ' ulric zabinski ' || replace(replace(email, '.', ' '), '@', ' ')
    WHERE id = ${quote(contacts[0].id)}`);
  sqlWrite(app, `UPDATE organisations SET name = 'Cabinet Quirion', name_search = ' cabinet quirion' WHERE id = ${quote(other.organisation.id)}`);
  assert.equal((await revoke(boss.client, gone.id)).status, 200);
  sqlWrite(app, `UPDATE authorizations SET ends_at = ${(await workerNow(app)) - 60_000} WHERE id = ${quote(lapsed.id)}`);
  const late = await invitedContact(other.responsable.client, { first_name: 'Ulysse', last_name: 'Wojcik' });
  const added = await granted(boss.client, grantBody(other.organisation, late.email));

  assert.deepEqual(ids(await employerList(boss.client, { q: 'zabinski' })), [kept.id], 'the new name');
  assert.deepEqual(ids(await employerList(boss.client, { q: 'wojcik', status: 'all' })).sort(), [gone.id, lapsed.id, added.id].sort(), 'not the old name');
  assert.equal((await employerList(boss.client, { q: 'xenon', status: 'all' })).total, 0, 'not the old firm name');
  const firmNow = await employerList(boss.client, { q: 'quirion', status: 'all' });
  assert.deepEqual([ids(firmNow).sort(), firmNow.total], [[kept.id, gone.id, lapsed.id, added.id].sort(), 4], 'the new firm name, the total from its kept count');
  assert.deepEqual(ids(await employerList(boss.client, { q: 'QUIRION' })).sort(), [kept.id, added.id].sort(), 'active only: neither the revoked nor the lapsed one');
  assert.deepEqual(ids(await employerList(boss.client, { q: 'wojcik', status: 'revoked' })), [gone.id]);
  assert.deepEqual(ids(await employerList(boss.client, { q: 'wojcik', status: 'ended' })), [lapsed.id], 'past its end, not yet recorded ended');
  sqlWrite(app, `UPDATE authorizations SET status = 'ended', ended_at = ${await workerNow(app)} WHERE id = ${quote(lapsed.id)}`);
  assert.deepEqual(ids(await employerList(boss.client, { q: 'wojcik', status: 'ended' })), [lapsed.id], 'recorded ended');
  const fragment = other.organisation.file_number.slice(2, 6);
  assert.ok(ids(await employerList(boss.client, { q: fragment, status: 'all', page_size: 100 })).includes(added.id), 'digits of the firm number');
  assert.deepEqual([await keyCount('quirion'), await keyCount('xenon'), await keyCount('zabinski'), await keyCount('wojcik')], [4, 0, 1, 3]);

  // The kept totals of the status filters agree with the rows, lapsed ones counted as ended.
  const [row] = await sql(app, `SELECT COUNT(*) AS total,
      SUM(status = 'active' AND (ends_at IS NULL OR ends_at > ${await workerNow(app)})) AS active, SUM(status = 'revoked') AS revoked
    FROM authorizations WHERE employer_id = ${quote(employerId)}`);
  const totals = {};
  for (const status of ['all', 'active', 'revoked', 'ended']) totals[status] = (await employerList(boss.client, { status })).total;
  assert.deepEqual(totals, { all: row.total, active: row.active, revoked: row.revoked, ended: row.total - row.active - row.revoked });
});

// --- Audit and domain events -----------------------------------------------------------------------------------

test("granting, changing and revoking are audit events in both the employer's and the firm's trails", async () => {
  const contact = await freshContact('Aude', 'Audit');
  const a = await granted(boss.client, grantBody(firm.organisation, contact.email));
  assert.equal((await patch(boss.client, a.id, { level: 'transmission' })).status, 200);
  assert.equal((await revoke(boss.client, a.id)).status, 200);

  const trails = { employer: await auditTrail(boss.client), firm: await auditTrail(firm.responsable.client) };

  for (const [side, trail] of Object.entries(trails)) {
    const about = trail.filter((e) => e.subject?.contact_id === contact.id && /^authorization\./.test(e.action));
    assert.deepEqual(about.map((e) => e.action).reverse(), ['authorization.granted', 'authorization.changed', 'authorization.revoked'],
      `the ${side}'s trail shows the three changes, newest first: ${JSON.stringify(trail.slice(0, 4))}`);
    for (const event of about) {
      assert.equal(event.actor?.email, boss.email, `${side}: the employer's responsable acted`);
      assert.ok(JSON.stringify(event.details).includes(a.id), `${side}: the details name the authorization`);
    }
  }
  const rows = await sql(app, `SELECT organisation_id, counterpart_organisation_id FROM audit_events WHERE contact_id = ${quote(contact.id)} AND action LIKE 'authorization.%'`);
  assert.equal(rows.length, 3, 'one event per change, shown to both sides (not written twice)');
  assert.ok(rows.every((r) => [r.organisation_id, r.counterpart_organisation_id].sort().join() === [boss.organisation.id, firm.organisation.id].sort().join()),
    'each event names both organisations');
});

test("another organisation's trail does not show these events", async () => {
  const stranger = await employer(app);
  const contact = await freshContact('Sabine', 'Secret');
  await granted(boss.client, grantBody(firm.organisation, contact.email));

  const trail = await auditTrail(stranger.client);

  assert.ok(!trail.some((e) => e.subject?.contact_id === contact.id || /^authorization\./.test(e.action)), JSON.stringify(trail.slice(0, 3)));
});

test('every change appends a domain event, in order, naming the employer and the firm', async () => {
  const contact = await freshContact('Édouard', 'Événement');
  const a = await granted(boss.client, grantBody(firm.organisation, contact.email, { services: ['workforce'] }));
  assert.equal((await patch(boss.client, a.id, { services: ['workforce', 'status_letter'] })).status, 200);
  assert.equal((await revoke(boss.client, a.id)).status, 200);

  const events = await domainEventsAbout(app, a.id);

  assert.deepEqual(events.map((e) => e.type), ['authorization.granted', 'authorization.changed', 'authorization.revoked']);
  assert.ok(events.every((e) => e.employer_id === boss.organisation.id && e.firm_id === firm.organisation.id), JSON.stringify(events));
  assert.ok(events[0].seq < events[1].seq && events[1].seq < events[2].seq, 'in the order of the changes');
  const changed = JSON.parse(events[1].payload);
  assert.ok(JSON.stringify(changed).includes('status_letter'), `the change's payload carries the new services: ${events[1].payload}`);
  for (const e of events) assert.doesNotThrow(() => JSON.parse(e.payload), 'payloads are JSON');
});

test('a refused request appends no domain event', async () => {
  const before = (await sql(app, 'SELECT COUNT(*) AS n FROM domain_events'))[0].n;
  await grant(boss.client, grantBody(firm.organisation, uniqueEmail('inconnu')));
  await grant(firm.responsable.client, grantBody(firm.organisation, firm.member.email));
  await grant(plain.client, grantBody(firm.organisation, firm.member.email));
  const after = (await sql(app, 'SELECT COUNT(*) AS n FROM domain_events'))[0].n;
  assert.equal(after, before);
});

// --- Migrated relations -----------------------------------------------------------------------------------------

describe('the review of migrated relations', () => {
  let reviewer; // an employer with migrated relations
  let contacts;
  before(async () => {
    reviewer = await employer(app, { name: 'Excavation Migrée ltée' });
    contacts = [];
    for (const last of ['Un', 'Deux', 'Trois', 'Quatre']) contacts.push(await freshContact('Migré', last));
  });
  const seed = (contact, extra = {}) => seedMigrated(app, { employer: reviewer.organisation, firm: firm.organisation, contactId: contact.id, ...extra });

  test('a migrated relation shows origin migrated and review pending, and the pending filter finds it', async () => {
    const id = await seed(contacts[0], { legacyId: `LEG-PENDING-${process.pid}` });

    const res = await reviewer.client.get(one(id));
    const pending = await employerList(reviewer.client, { review: 'pending', page_size: 100 });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.authorization.origin, res.body.authorization.review, res.body.authorization.status], ['migrated', 'pending', 'active']);
    assert.ok(ids(pending).includes(id), 'listed as pending review');
    assert.ok(pending.items.every((a) => a.origin === 'migrated' && a.review === 'pending'), 'only pending migrated relations');
  });

  test('confirming one marks it confirmed and leaves the others pending; confirming a granted one answers 409 not_migrated', async () => {
    const first = await seed(contacts[1]);
    const second = await seed(contacts[2]);
    const grantedOne = await granted(reviewer.client, grantBody(firm.organisation, contacts[3].email));

    const res = await reviewer.client.post(`${one(first)}/confirm`, {});
    const wrong = await reviewer.client.post(`${one(grantedOne.id)}/confirm`, {});

    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.authorization.review, 'confirmed');
    assert.equal(res.body.authorization.status, 'active', 'still active');
    assert.equal(typeof (await authorizationRow(app, first)).confirmed_at, 'number');
    assert.equal((await authorizationRow(app, second)).confirmed_at, null, 'the other stays pending');
    assert.equal(wrong.status, 409, wrong.text);
    assert.equal(wrong.body.error.code, 'not_migrated');
    const trail = await auditTrail(reviewer.client);
    assert.ok(trail.some((e) => e.action === 'authorization.confirmed' && e.subject?.contact_id === contacts[1].id), 'the confirmation is audited');
    assert.deepEqual((await domainEventsAbout(app, first)).map((e) => e.type), ['authorization.confirmed']);
  });

  test('confirm all confirms every pending migrated relation of this employer and nothing else', async () => {
    const mine = (await employerList(reviewer.client, { review: 'pending', page_size: 100 })).items.map((a) => a.id);
    const elsewhere = await seedMigrated(app, { employer: boss.organisation, firm: firm.organisation, contactId: (await freshContact('Autre', 'Employeur')).id });
    assert.ok(mine.length >= 2, `pending relations to confirm: ${mine.length}`);

    const res = await reviewer.client.reviewMigratedRelations({ decision: 'confirm' });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { confirmed: mine.length });
    assert.equal((await employerList(reviewer.client, { review: 'pending' })).total, 0, 'none left pending');
    for (const id of mine) assert.equal(typeof (await authorizationRow(app, id)).confirmed_at, 'number', id);
    assert.equal((await authorizationRow(app, elsewhere)).confirmed_at, null, "another employer's migrated relation is untouched");
    const again = await reviewer.client.reviewMigratedRelations({ decision: 'confirm' });
    assert.deepEqual([again.status, again.body], [200, { confirmed: 0 }], 'a second run finds nothing to confirm');
  });

  test("revoke all revokes the pending migrated relations only, and the contact loses them at once", async () => {
    const other = await employer(app, { name: 'Pavage Héritage inc.' });
    const member = await anotherMember(app, firm.responsable.client, { first_name: 'Olivier', last_name: 'Origine' });
    const pending = await seedMigrated(app, { employer: other.organisation, firm: firm.organisation, contactId: member.contactId });
    const pendingToo = await seedMigrated(app, { employer: other.organisation, firm: firm.organisation, contactId: (await freshContact('Ève', 'Encore')).id });
    const confirmed = await seedMigrated(app, { employer: other.organisation, firm: firm.organisation, contactId: (await freshContact('Cédric', 'Confirmé')).id });
    assert.equal((await other.client.post(`${one(confirmed)}/confirm`, {})).status, 200);
    const grantedOne = await granted(other.client, grantBody(firm.organisation, (await freshContact('Gilles', 'Granté')).email));
    const listed = await filesPage(member.client);
    assert.deepEqual(listed.items.map((f) => [f.id, f.origin]), [[pending, 'migrated']], 'the contact sees the migrated file before');

    const res = await other.client.reviewMigratedRelations({ decision: 'revoke' });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { revoked: 2 });
    assert.deepEqual([(await authorizationRow(app, pending)).status, (await authorizationRow(app, pendingToo)).status], ['revoked', 'revoked']);
    assert.equal((await authorizationRow(app, confirmed)).status, 'active', 'a confirmed relation stays');
    assert.equal((await authorizationRow(app, grantedOne.id)).status, 'active', 'a granted relation stays');
    assert.equal((await filesPage(member.client)).total, 0, 'the contact loses the file on the next request');
    assert.deepEqual((await domainEventsAbout(app, pending)).map((e) => e.type), ['authorization.revoked']);
  });

  test('the review applies to the listed ids only when ids are given', async () => {
    const other = await employer(app, { name: 'Toitures Choisies inc.' });
    const chosen = await seedMigrated(app, { employer: other.organisation, firm: firm.organisation, contactId: (await freshContact('Choisi', 'Un')).id });
    const left = await seedMigrated(app, { employer: other.organisation, firm: firm.organisation, contactId: (await freshContact('Laissé', 'Deux')).id });

    const res = await other.client.reviewMigratedRelations({ decision: 'confirm', ids: [chosen] });

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { confirmed: 1 });
    assert.equal(typeof (await authorizationRow(app, chosen)).confirmed_at, 'number');
    assert.equal((await authorizationRow(app, left)).confirmed_at, null);
  });

  test("ids of another employer's migrated relations are not reviewed", async () => {
    const victim = await seedMigrated(app, { employer: boss.organisation, firm: firm.organisation, contactId: (await freshContact('Victime', 'Idor')).id });
    const counts = await authzCounts(app);

    const confirm = await reviewer.client.reviewMigratedRelations({ decision: 'confirm', ids: [victim] });
    const revokeAll = await reviewer.client.reviewMigratedRelations({ decision: 'revoke', ids: [victim] });
    const single = await reviewer.client.post(`${one(victim)}/confirm`, {});

    for (const [label, res] of [['confirm with ids', confirm], ['revoke with ids', revokeAll]]) {
      assert.ok(res.status === 404 || (res.status === 200 && Object.values(res.body)[0] === 0), `${label}: 404, or 200 with nothing reviewed — ${res.status} ${res.text}`);
    }
    assert.equal(single.status, 404, single.text);
    assert.deepEqual(await authzCounts(app), counts, 'nothing changed');
  });
});

// --- Bad input ---------------------------------------------------------------------------------------------------

const ARRAY_CASES = (field) => [
  { name: `a string as ${field}`, value: 'workforce' },
  { name: `a number as ${field}`, value: 1 },
  { name: `an object as ${field}`, value: { workforce: true } },
  { name: `a boolean as ${field}`, value: true },
  { name: `null as ${field}`, value: null },
  { name: `an empty ${field} list`, value: [] },
  { name: `an unknown code in ${field}`, value: ['workforce', 'payroll'] },
  { name: `a service in capitals in ${field}`, value: ['WORKFORCE'] },
  { name: `a service's French name in ${field}`, value: ['Rapport mensuel'] },
  { name: `the same code twice in ${field}`, value: ['monthly_report', 'monthly_report'] },
  { name: `a number inside ${field}`, value: [8] },
  { name: `null inside ${field}`, value: [null] },
  { name: `a nested list in ${field}`, value: [['workforce']] },
  { name: `an empty string inside ${field}`, value: [''] },
  { name: `a code with a NUL byte in ${field}`, value: ['workforce\u0000'] },
  { name: `500 codes in ${field}`, value: Array.from({ length: 500 }, (_, i) => SERVICES_CYCLE[i % 4]) },
];
const SERVICES_CYCLE = ['workforce', 'site_identification', 'status_letter', 'monthly_report'];

/** The cases of one optional date field: not a string, or not a date. */
const DATE_CASES = (field) => [
  [`a number as ${field}`, 20270331],
  [`an object as ${field}`, { y: 2027 }],
  [`a date with slashes as ${field}`, '2027/03/31'],
  [`a date and time as ${field}`, '2027-03-31T00:00:00Z'],
  [`the 30th of February as ${field}`, '2027-02-30'],
  [`a 13th month as ${field}`, '2027-13-01'],
  [`a five-digit year as ${field}`, '20270-03-31'],
  [`a date with a NUL byte as ${field}`, '2027-03-31\u0000'],
  [`Arabic-Indic digits as ${field}`, '٢٠٢٧-٠٣-٣١'],
  [`a 10,000-character ${field}`, '2'.repeat(10000)],
];

/**
 * One test per bad body of one endpoint (sent with the employer responsable's cookie), each
 * checking the answer and that nothing was written.
 */
function badInputTable(label, method, pathOf, cases, setup) {
  describe(`bad input on ${label}`, () => {
    let context;
    before(async () => { context = await setup(); });
    for (const c of cases) {
      const naming = [c.expect.field, ...(c.expect.fields ?? [])].filter(Boolean);
      test(`${label} with ${c.name} answers ${c.expect.status} ${c.expect.code}${naming.length ? ` naming ${naming.join(', ')}` : ''} and writes nothing`, async () => {
        const counts = await authzCounts(app);
        const res = await sendCase(app, method, pathOf(context), c, { cookie: cookieOf(boss.client) });
        assertRejected(res, c.expect, `${label} with ${c.name}`);
        assert.deepEqual(await authzCounts(app), counts, `${c.name}: nothing was written`);
      });
    }
  });
}

const grantBase = () => ({ firm_file_number: firm.organisation.file_number, contact_email: badInputContact.email, services: ['workforce', 'monthly_report'], level: 'consultation' });
let badInputContact;
const arrayCases = (field, base) => ARRAY_CASES(field).map((c) => ({ name: c.name, body: () => JSON.stringify({ ...base(), [field]: c.value }), expect: invalid(field, `${c.name} is refused`) }));
const dateCases = (field, base) => DATE_CASES(field).map(([name, value]) => ({ name, body: () => JSON.stringify({ ...base(), [field]: value }), expect: invalid(field, `${name} is not a day`) }));

badInputTable('POST /api/employer/authorizations', 'POST', () => EMPLOYER_AUTHORIZATIONS, [
  ...badInputCases({ base: grantBase, fields: { firm_file_number: 'file_number', contact_email: 'email', level: 'choice' }, required: ['firm_file_number', 'contact_email', 'services', 'level'] }),
  { name: 'services missing', body: () => JSON.stringify({ ...grantBase(), services: undefined }), expect: invalid('services', 'services is required') },
  ...arrayCases('services', grantBase),
  ...dateCases('starts_on', grantBase),
  ...dateCases('ends_on', grantBase),
], async () => { badInputContact = await freshContact('Bruno', 'Mauvais'); return {}; });

badInputTable('PATCH /api/employer/authorizations/{id}', 'PATCH', (context) => `${EMPLOYER_AUTHORIZATIONS}/${context.id}`, [
  ...badInputCases({ base: () => ({ level: 'transmission' }), fields: { level: 'choice' }, required: [] })
    .filter((c) => !['an empty object', 'level missing'].includes(c.name)),
  ...arrayCases('services', () => ({})),
  ...dateCases('ends_on', () => ({})),
], async () => granted(boss.client, grantBody(firm.organisation, (await freshContact('Patricia', 'Patch')).email)));

badInputTable('POST /api/employer/migrated-relations/review', 'POST', () => REVIEW, [
  ...badInputCases({ base: () => ({ decision: 'confirm', ids: ['00000000000000000000000000000000'] }), fields: { decision: 'choice' } }),
  { name: 'an unknown decision', body: () => JSON.stringify({ decision: 'approve' }), expect: invalid('decision', 'only confirm and revoke are decisions') },
  { name: 'a decision in capitals', body: () => JSON.stringify({ decision: 'CONFIRM' }), expect: invalid('decision', 'decisions are lower-case codes') },
  ...[['a string as ids', 'abc'], ['a number as ids', 3], ['an object as ids', { id: 'x' }], ['a number inside ids', [3]], ['null inside ids', [null]],
    ['an id with a NUL byte', ['abc\u0000def']], ['an id of 65 characters', ['a'.repeat(65)]], ['an id with a slash', ['abc/def']]]
    .map(([name, value]) => ({ name, body: () => JSON.stringify({ decision: 'revoke', ids: value }), expect: invalid('ids', `${name} is refused`) })),
], async () => ({}));

badInputTable('PATCH /api/organisation/members/{id} with manages_authorizations', 'PATCH', () => `${MEMBERS}/${plain.contactId}`,
  [['a string', 'true'], ['a number', 1], ['null', null], ['an object', { value: true }], ['an array', [true]], ['an empty string', '']]
    .map(([label, value]) => ({ name: `${label} as manages_authorizations`, body: () => JSON.stringify({ manages_authorizations: value }), expect: invalid('manages_authorizations', 'it must be true or false') })),
  async () => ({}));

// The literal codes of the services, in the portal order.
test('the four services are answered in the portal order whatever order they are sent in', async () => {
  const contact = await freshContact('Olga', 'Ordre');

  const a = await granted(boss.client, grantBody(firm.organisation, contact.email, { services: ['monthly_report', 'status_letter', 'site_identification', 'workforce'] }));

  assert.deepEqual(a.services, ['workforce', 'site_identification', 'status_letter', 'monthly_report']);
  assert.equal((await authorizationRow(app, a.id)).services, 15);
});
