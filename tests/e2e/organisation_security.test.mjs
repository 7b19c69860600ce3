// The organisation's second-factor policy (GET/PUT /api/organisation/security): a responsable may
// require a second factor of every contact, not only of responsables and administrators. The
// policy holds on every request, not only at profile selection: a contact of such an organisation,
// or a member promoted to responsable, who is signed in without a factor is refused with 403
// mfa_enrolment_required until they set one up; the rest of their account stays open. The members
// list says which linked accounts have a factor; the change needs a recent factor and is audited.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import { enrolTotp } from '../support/client.mjs';
import {
  assertRejected, badInputCases, cookieOf, linkedMember, quote, sendCase, sql, writeCounts,
} from '../support/orgs.mjs';
import { employer, firmWithMember } from '../support/authz.mjs';

const SECURITY = '/api/organisation/security';
const MINUTE = 60 * 1000;

let app;

before(async () => {
  app = await spawnApp();
});

after(async () => {
  await app?.stop();
});

const put = (client, body) => client.setOrganisationSecurity(body);
const refusedForFactor = (res, label) => {
  assert.equal(res.status, 403, `${label}: ${res.text}`);
  assert.equal(res.body.error.code, 'mfa_enrolment_required', label);
};
const securityEvents = (organisationId) =>
  sql(app, `SELECT details FROM audit_events WHERE organisation_id = ${quote(organisationId)} AND action = 'organisation.security_changed' ORDER BY at`);

test('a responsable requires a second factor of every contact: a member without one is refused on the next request and at profile selection, until they set one up', async () => {
  const boss = await employer(app);
  const member = await linkedMember(app, boss.client);

  const before = await member.client.organisationSecurity();
  assert.equal(before.status, 200, before.text);
  assert.deepEqual(before.body, { mfa_for_all_contacts: false, linked_contacts_without_factor: 1 });
  const list = await member.client.members();
  assert.equal(list.status, 200, list.text);
  const factorOf = Object.fromEntries(list.body.items.map((c) => [c.email, c.has_factor]));
  assert.deepEqual(factorOf, { [boss.email]: true, [member.email]: false }, 'the list says who has a factor');
  assert.ok(list.body.items.every((c) => Object.keys(c).every((k) => !/secret|totp|recovery/i.test(k))), 'and nothing of the factor itself');

  const turnedOn = await put(boss.client, { mfa_for_all_contacts: true });
  assert.equal(turnedOn.status, 200, turnedOn.text);
  assert.deepEqual(turnedOn.body, { mfa_for_all_contacts: true, linked_contacts_without_factor: 1 });

  refusedForFactor(await member.client.organisation(), 'the member\'s very next request on the profile');
  refusedForFactor(await member.client.members(), 'any route acting for the organisation');
  const me = await member.client.me();
  assert.equal(me.status, 200, 'the rest of the account stays open (to set a factor up)');
  refusedForFactor(await member.client.selectProfile(member.profile.id), 'choosing the profile again');

  await enrolTotp(member.client);
  const afterEnrolment = await member.client.organisation();
  assert.equal(afterEnrolment.status, 200, `with a factor the member acts again: ${afterEnrolment.text}`);
  assert.equal((await boss.client.organisationSecurity()).body.linked_contacts_without_factor, 0);

  const trail = await boss.client.audit({ action: 'organisation.' });
  assert.equal(trail.status, 200, trail.text);
  const changed = trail.body.items.filter((e) => e.action === 'organisation.security_changed');
  assert.equal(changed.length, 1, 'the change is in the organisation\'s trail');
  assert.deepEqual(changed[0].details, { mfa_for_all_contacts: true });
  assert.equal(changed[0].actor.email, boss.email);
});

test('turning the policy off lets a contact without a factor act again, and an unchanged setting writes nothing', async () => {
  const boss = await employer(app);
  const member = await linkedMember(app, boss.client);
  assert.equal((await put(boss.client, { mfa_for_all_contacts: true })).status, 200);
  refusedForFactor(await member.client.organisation(), 'while required');

  const again = await put(boss.client, { mfa_for_all_contacts: true });
  assert.equal(again.status, 200, again.text);
  const off = await put(boss.client, { mfa_for_all_contacts: false });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.body.mfa_for_all_contacts, false);

  assert.equal((await member.client.organisation()).status, 200, 'no longer required of a member');
  const events = await securityEvents(boss.organisation.id);
  assert.deepEqual(events.map((e) => JSON.parse(e.details).mfa_for_all_contacts), [true, false], 'one event per real change');
});

test('a member promoted to responsable while signed in without a factor is refused on their next request', async () => {
  const boss = await employer(app);
  const member = await linkedMember(app, boss.client);
  assert.equal((await member.client.members()).status, 200, 'a member of an employer needs no factor');

  const promoted = await boss.client.updateMember(member.contactId, { role: 'responsable' });
  assert.equal(promoted.status, 200, promoted.text);

  refusedForFactor(await member.client.members(), 'the promoted member, next request');
  refusedForFactor(await member.client.organisationSecurity(), 'the promoted member, another route');
  await enrolTotp(member.client);
  assert.equal((await member.client.members()).status, 200, 'once enrolled the new responsable acts');
});

test('only a responsable changes the setting, a member reads it, and a firm\'s contacts already all need a factor', async () => {
  const firm = await firmWithMember(app);
  const read = await firm.member.client.organisationSecurity();
  assert.equal(read.status, 200, read.text);
  assert.equal(read.body.linked_contacts_without_factor, 0, 'every contact of a firm already has a factor');

  const refused = await put(firm.member.client, { mfa_for_all_contacts: true });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.error.code, 'responsable_required');
  assert.deepEqual(await securityEvents(firm.organisation.id), [], 'nothing was written');

  const personal = app.client();
  assert.equal((await personal.logIn(firm.member.email, firm.member.password)).status, 200);
  assert.equal((await personal.selectProfile('personal')).status, 200);
  const noProfile = await personal.organisationSecurity();
  assert.equal(noProfile.status, 403, noProfile.text);
  assert.equal(noProfile.body.error.code, 'organisation_profile_required');
  const anonymous = await app.client().organisationSecurity();
  assert.equal(anonymous.status, 401, anonymous.text);
});

test('changing the setting needs the factor proven in the last ten minutes', async () => {
  const boss = await employer(app);
  await app.advanceClock(11 * MINUTE);
  boss.client.autoStepUp = false;
  const stale = await put(boss.client, { mfa_for_all_contacts: true });
  assert.equal(stale.status, 403, stale.text);
  assert.equal(stale.body.error.code, 'step_up_required');
  assert.deepEqual(await securityEvents(boss.organisation.id), [], 'nothing changed');
  boss.client.autoStepUp = true;
  const proven = await put(boss.client, { mfa_for_all_contacts: true });
  assert.equal(proven.status, 200, `after a step-up: ${proven.text}`);
});

describe('bad input on PUT /api/organisation/security', () => {
  let cookie;
  let counts;
  const cases = badInputCases({
    base: () => ({ mfa_for_all_contacts: true }),
    fields: { mfa_for_all_contacts: 'choice' },
  }).filter((c) => !c.name.startsWith('a boolean as'));
  cases.push(
    { name: 'the string "true"', body: () => JSON.stringify({ mfa_for_all_contacts: 'true' }), expect: { status: 422, code: 'validation_failed', field: 'mfa_for_all_contacts', why: 'a string is not a boolean' } },
    { name: 'the number 1', body: () => JSON.stringify({ mfa_for_all_contacts: 1 }), expect: { status: 422, code: 'validation_failed', field: 'mfa_for_all_contacts', why: 'a number is not a boolean' } },
  );
  before(async () => {
    const boss = await employer(app);
    cookie = cookieOf(boss.client);
    counts = await writeCounts(app);
  });
  for (const c of cases) {
    test(`PUT ${SECURITY} with ${c.name} answers ${c.expect.status} ${c.expect.code}`, async () => {
      const res = await sendCase(app, 'PUT', SECURITY, c, { cookie });
      assertRejected(res, c.expect, `PUT ${SECURITY} with ${c.name}`);
    });
  }
  test('none of the bad requests wrote anything', async () => {
    assert.deepEqual(await writeCounts(app), counts);
  });
});
