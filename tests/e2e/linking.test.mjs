// "Liaison d'un profil" and "Sélectionnez un profil" end to end: linking with personal link
// credentials (single use, 5 wrong codes lock, reissue unlocks, 30-day lifetime, revoked contacts
// refused, linking twice harmless), with imported legacy credentials (PBKDF2-SHA256 and bcrypt),
// by known facts (credentials go to the address on file, same answer either way, 5 requests an
// hour per file number), then the profiles: listing, choosing (token rotates), and where signing
// in leads. Bad-input tables for every linking endpoint close the file.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { spawnApp, uniqueEmail, GOOD_PASSWORD } from '../support/app.mjs';
import {
  DAY, MINUTE, sql, quote, operatorRequest, operatorClient, createOrganisation, linkedResponsible, invitedMember,
  credentialsSentTo, isLinkCredentialsEmail, wrongCode, link, linkedUser, selectProfile, uniqueFileNumber,
  badInputCases, sendCase, signedUp, cookieOf, assertRejected, invalid, writeCounts, LONG,
} from '../support/orgs.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

/** The profile the API shows for a contact of an organisation created with `form`. */
function expectedProfile(contactId, organisation, role) {
  return {
    id: contactId, kind: 'organisation', role, manages_authorizations: false,
    organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind, file_number: organisation.file_number },
  };
}

const getMember = (client, id) => client.member(id);

// --- Link credentials ----------------------------------------------------------------------------

test('linking with the emailed credentials answers 200 with the organisation profile', async () => {
  const { organisation, responsible } = await createOrganisation(app);
  const emailed = await credentialsSentTo(app, responsible.email);
  const { client } = await signedUp(app, { email: responsible.email });

  const res = await link(client, emailed);

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.profile, expectedProfile(responsible.contact_id, organisation, 'responsable'));
  assert.deepEqual({ identifier: emailed.identifier, code: emailed.code }, { identifier: responsible.identifier, code: responsible.code },
    'the email carries the very credentials the operator was given');
  const profiles = await client.profiles();
  assert.deepEqual(profiles.body.items.map((p) => p.id), ['personal', responsible.contact_id], 'the new profile is listed after the personal one');
});

test('a linked contact shows its account, its link time and its credentials as used', async () => {
  const responsable = await linkedResponsible(app);

  const res = await getMember(responsable.client, responsable.contactId);

  assert.equal(res.status, 200, res.text);
  const { contact } = res.body;
  assert.equal(contact.status, 'linked');
  assert.deepEqual(contact.linked_user, { id: responsable.user.id, email: responsable.email });
  assert.equal(typeof contact.linked_at, 'number', 'linked_at is an epoch-ms time');
  assert.equal(contact.credential.state, 'used');
  const [row] = await sql(app, `SELECT user_id, status FROM contacts WHERE id = ${quote(responsable.contactId)}`);
  assert.deepEqual({ ...row }, { user_id: responsable.user.id, status: 'linked' });
});

test('each wrong code answers 422 invalid_link_code with the attempts left, then 423 link_locked even with the right code', async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const { client } = await signedUp(app, { email: invited.email });

  const attemptsLeft = [];
  for (let i = 0; i < 5; i += 1) {
    const res = await link(client, { identifier: invited.identifier, code: wrongCode(invited.code) });
    assert.equal(res.status, 422, `wrong code #${i + 1}: ${res.text}`);
    assert.equal(res.body.error.code, 'invalid_link_code');
    attemptsLeft.push(res.body.error.attempts_left);
  }
  const locked = await link(client, invited);

  assert.deepEqual(attemptsLeft, [4, 3, 2, 1, 0], 'five wrong codes are allowed, counting down');
  assert.equal(locked.status, 423, `the identifier is locked after five wrong codes: ${locked.text}`);
  assert.equal(locked.body.error.code, 'link_locked');
  const member = await getMember(responsable.client, invited.contact.id);
  assert.equal(member.body.contact.credential.state, 'locked', 'the responsable sees the credentials locked');
  assert.equal(member.body.contact.status, 'invited');
});

test("the responsable's reissue unlocks: new credentials link and the old identifier answers 404 link_not_found", async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const { client } = await signedUp(app, { email: invited.email });
  for (let i = 0; i < 5; i += 1) await link(client, { identifier: invited.identifier, code: wrongCode(invited.code) });

  const reissued = await responsable.client.reissueLinkCredentials(invited.contact.id, {});
  const fresh = await credentialsSentTo(app, invited.email, { count: 2 });
  const old = await link(client, invited);
  const linked = await link(client, fresh);

  assert.equal(reissued.status, 201, reissued.text);
  assert.equal(reissued.body.contact.credential.state, 'sent', 'the new credentials are usable');
  assert.equal(reissued.body.contact.credential.identifier, fresh.identifier, 'the contact shows the new identifier');
  assert.notEqual(fresh.identifier, invited.identifier, 'a reissue makes a new identifier');
  assert.equal(old.status, 404, `the superseded identifier no longer exists: ${old.text}`);
  assert.equal(old.body.error.code, 'link_not_found');
  assert.equal(linked.status, 200, `the reissued credentials link: ${linked.text}`);
  assert.equal(linked.body.profile.id, invited.contact.id);
});

test('an unknown identifier answers 404 link_not_found', async () => {
  const { client } = await signedUp(app);

  const res = await link(client, { identifier: 'SEL-0000-0000', code: '00000-00000' });

  assert.equal(res.status, 404, res.text);
  assert.equal(res.body.error.code, 'link_not_found');
});

test('used credentials answer 410 link_used, to the user who used them and to anyone else', async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const first = await linkedUser(app, invited, { email: invited.email, activate: false });
  const someoneElse = await signedUp(app);

  const again = await link(first.client, invited);
  const other = await link(someoneElse.client, invited);

  for (const [who, res] of [['the same user', again], ['another user', other]]) {
    assert.equal(res.status, 410, `${who}: ${res.text}`);
    assert.equal(res.body.error.code, 'link_used', who);
  }
  const profiles = await someoneElse.client.profiles();
  assert.deepEqual(profiles.body.items.map((p) => p.id), ['personal'], 'the other user gained no profile');
});

test('a revoked contact cannot link: 403 contact_revoked', async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const revoked = await responsable.client.revokeMember(invited.contact.id);
  assert.equal(revoked.status, 200, revoked.text);
  const { client } = await signedUp(app, { email: invited.email });

  const res = await link(client, invited);

  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.error.code, 'contact_revoked');
  const [row] = await sql(app, `SELECT status, user_id FROM contacts WHERE id = ${quote(invited.contact.id)}`);
  assert.deepEqual({ ...row }, { status: 'revoked', user_id: null }, 'the contact stays revoked and unlinked');
});

test('linking a file already linked is harmless: 200 with the existing profile, and still one profile for that organisation', async () => {
  const responsable = await linkedResponsible(app);
  const firstInvite = await invitedMember(app, responsable.client);
  const secondInvite = await invitedMember(app, responsable.client);
  const member = await linkedUser(app, firstInvite, { email: firstInvite.email, activate: false });

  const res = await link(member.client, secondInvite);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.profile.id, firstInvite.contact.id, 'the answer is the profile the user already had in that organisation');
  assert.equal(res.body.profile.organisation.id, responsable.organisation.id);
  const profiles = await member.client.profiles();
  const inOrganisation = profiles.body.items.filter((p) => p.organisation?.id === responsable.organisation.id);
  assert.equal(inOrganisation.length, 1, 'one profile per organisation');
  const rows = await sql(app, `SELECT id FROM contacts WHERE user_id = ${quote(member.user.id)}`);
  assert.deepEqual(rows.map((r) => r.id), [firstInvite.contact.id], 'the account is linked to one contact only');
});

test("the credentials of another contact of one's own organisation are not burned by a harmless second link, and the trail does not claim that contact linked", async () => {
  const responsable = await linkedResponsible(app);
  const firstInvite = await invitedMember(app, responsable.client);
  const secondInvite = await invitedMember(app, responsable.client);
  const member = await linkedUser(app, firstInvite, { email: firstInvite.email, activate: false });
  assert.equal((await link(member.client, secondInvite)).status, 200);

  const rightful = await signedUp(app, { email: secondInvite.email });
  const res = await link(rightful.client, secondInvite);

  const claimed = await sql(app, `SELECT id FROM audit_events WHERE action = 'contact.linked' AND contact_id = ${quote(secondInvite.contact.id)} AND user_id = ${quote(member.user.id)}`);
  assert.equal(res.status, 200, `the invitee can still use their own invitation: ${res.text}`);
  assert.deepEqual(claimed, [], 'the second contact was not linked to that account, so the trail must not say so');
});

test('identifier and code are accepted in lower case and without hyphens', async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const { client } = await signedUp(app, { email: invited.email });

  const res = await link(client, {
    identifier: invited.identifier.toLowerCase().replaceAll('-', ''),
    code: ` ${invited.code.toLowerCase().replaceAll('-', '')} `,
  });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.profile.id, invited.contact.id);
});

test('malformed identifiers and codes answer 422 naming the field', async () => {
  const { client } = await signedUp(app);
  const cases = [
    { body: {}, fields: ['identifier', 'code'], why: 'both are required' },
    { body: { identifier: 'SEL-7KQ2', code: '4F7HK-QW2ZP' }, fields: ['identifier'], why: 'an identifier has 8 characters after SEL-' },
    { body: { identifier: 'SEL-7KQ2-M9XD', code: '4F7HK' }, fields: ['code'], why: 'a code has 10 characters' },
    { body: { identifier: 'SEL-7KQ2-M9XD', code: '4F7HK-QW2ZU' }, fields: ['code'], why: 'U is not in the alphabet' },
    { body: { identifier: 'SEL-7KQ2-M9X!', code: '4F7HK-QW2ZP' }, fields: ['identifier'], why: 'punctuation is not in the alphabet' },
    { body: { identifier: 12345678, code: 1234567890 }, fields: ['identifier', 'code'], why: 'both must be text' },
  ];
  for (const c of cases) {
    const res = await client.linkWithCredentials(c.body);
    assert.equal(res.status, 422, `${JSON.stringify(c.body)}: ${c.why}: ${res.text}`);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(Object.keys(res.body.error.fields).sort(), [...c.fields].sort(), `${JSON.stringify(c.body)}: ${c.why}`);
  }
});

// --- Legacy credentials --------------------------------------------------------------------------

const LEGACY_PASSWORD = 'motdepasse-heritage';

/** A PBKDF2-SHA256 hash in Django's layout, as `make_password(..., hasher="pbkdf2_sha256")` writes it. */
function django(password, { salt = randomBytes(9).toString('base64url'), iterations = 1000 } = {}) {
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64');
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

// bcrypt hashes of "motdepasse-heritage" at cost 4, made with libxcrypt's crypt(3):
//   python3 -c "import crypt; print(crypt.crypt('motdepasse-heritage', '$2b$04$abcdefghijklmnopqrstuu'))"
const BCRYPT_2B = '$2b$04$abcdefghijklmnopqrstuu.X.tMtMKuyFKcqgehbtp46PccbiE6z.';
const BCRYPT_2Y = '$2y$04$abcdefghijklmnopqrstuu.X.tMtMKuyFKcqgehbtp46PccbiE6z.';

let legacySerial = 0;
const legacyUsername = (prefix) => `${prefix}${process.pid % 10000}x${++legacySerial}`;

function legacyItem(fileNumber, { username = legacyUsername('er'), password_hash = django(LEGACY_PASSWORD), email = uniqueEmail('heritage'), role = 'membre', first_name = 'Émile', last_name = 'Héritage' } = {}) {
  return { username, password_hash, file_number: fileNumber, contact: { first_name, last_name, email, role } };
}

const importLegacy = (items) => operatorClient(app).operatorImportLegacyCredentials({ items });
const linkLegacy = (client, username, password) => client.linkWithLegacy({ username, password });

test('the operator imports legacy credentials and reports what it created', async () => {
  const { organisation } = await createOrganisation(app);
  const items = [
    legacyItem(organisation.file_number, { username: legacyUsername('er'), password_hash: django(LEGACY_PASSWORD, { iterations: 260000 }) }),
    legacyItem(organisation.file_number, { username: legacyUsername('ci'), password_hash: BCRYPT_2B }),
  ];

  const res = await importLegacy(items);

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { created: 2, already_present: 0, rejected: [] });
  const rows = await sql(app, `SELECT l.username, c.status, c.email, c.organisation_id FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id
    WHERE l.username IN (${items.map((i) => quote(i.username)).join(',')}) ORDER BY l.username`);
  assert.deepEqual(rows.map((r) => ({ ...r })), items.map((i) => ({ username: i.username, status: 'invited', email: i.contact.email, organisation_id: organisation.id }))
    .sort((a, b) => a.username.localeCompare(b.username)), 'each record made an invited contact in the organisation of its file number');
});

test('importing the same export twice changes nothing the second time', async () => {
  const { organisation } = await createOrganisation(app);
  const items = [legacyItem(organisation.file_number), legacyItem(organisation.file_number, { password_hash: BCRYPT_2Y })];
  const first = await importLegacy(items);
  const before = await writeCounts(app);

  const second = await importLegacy(items);

  assert.deepEqual(first.body, { created: 2, already_present: 0, rejected: [] }, first.text);
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(second.body, { created: 0, already_present: 2, rejected: [] });
  const after = await writeCounts(app);
  assert.deepEqual({ contacts: after.contacts, legacy: after.legacy_credentials }, { contacts: before.contacts, legacy: before.legacy_credentials },
    'no contact and no legacy credentials were added');
});

test('the import rejects, by index, unknown file numbers, unsupported or too costly hashes, bad usernames and bad contacts', async () => {
  const { organisation } = await createOrganisation(app);
  const items = [
    legacyItem(uniqueFileNumber()),
    legacyItem(organisation.file_number, { password_hash: 'md5$sel$5f4dcc3b5aa765d61d8327deb882cf99' }),
    legacyItem(organisation.file_number, { username: 'xx12345' }),
    legacyItem(organisation.file_number, { email: 'pas-une-adresse' }),
    legacyItem(organisation.file_number, { role: 'administrateur' }),
    legacyItem(organisation.file_number, { password_hash: `pbkdf2_sha256$2000000$sel$${Buffer.alloc(32).toString('base64')}` }),
    legacyItem(organisation.file_number),
  ];

  const res = await importLegacy(items);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.created, 1, 'the one valid record is imported');
  assert.equal(res.body.already_present, 0);
  assert.deepEqual(res.body.rejected.map(({ index, reason }) => ({ index, reason })), [
    { index: 0, reason: 'unknown_file_number' },
    { index: 1, reason: 'unsupported_hash' },
    { index: 2, reason: 'invalid_username' },
    { index: 3, reason: 'invalid_contact' },
    { index: 4, reason: 'invalid_contact' },
    { index: 5, reason: 'hash_too_costly' },
  ]);
  assert.equal(res.body.rejected[1].username, items[1].username, 'each rejection names its username');
  const stored = await sql(app, `SELECT username FROM legacy_credentials WHERE username IN (${items.map((i) => quote(i.username)).join(',')})`);
  assert.deepEqual(stored.map((r) => r.username), [items[6].username], 'only the valid record was stored');
  const contacts = await sql(app, `SELECT email FROM contacts WHERE email IN (${items.map((i) => quote(i.contact.email)).join(',')})`);
  assert.deepEqual(contacts.map((r) => r.email), [items[6].contact.email], 'rejected records created no contact');
});

test('a legacy username with its PBKDF2 password links the account, whatever the case of the username', async () => {
  const { organisation } = await createOrganisation(app);
  const item = legacyItem(organisation.file_number, { password_hash: django(LEGACY_PASSWORD, { iterations: 260000 }), role: 'responsable' });
  assert.equal((await importLegacy([item])).body?.created, 1);
  const { client } = await signedUp(app);

  const res = await linkLegacy(client, item.username.toUpperCase(), LEGACY_PASSWORD);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.profile.kind, 'organisation');
  assert.equal(res.body.profile.role, 'responsable');
  assert.deepEqual(res.body.profile.organisation, { id: organisation.id, name: organisation.name, kind: organisation.kind, file_number: organisation.file_number });
  const [row] = await sql(app, `SELECT c.status FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id WHERE l.username = ${quote(item.username)}`);
  assert.equal(row.status, 'linked');
});

test('a legacy username with its bcrypt password links the account', async () => {
  const { organisation } = await createOrganisation(app);
  const items = [legacyItem(organisation.file_number, { username: legacyUsername('as'), password_hash: BCRYPT_2B }),
    legacyItem(organisation.file_number, { username: legacyUsername('ap'), password_hash: BCRYPT_2Y })];
  assert.equal((await importLegacy(items)).body?.created, 2);
  const [first, second] = [await signedUp(app), await signedUp(app)];

  const viaTwoB = await linkLegacy(first.client, items[0].username, LEGACY_PASSWORD);
  const viaTwoY = await linkLegacy(second.client, items[1].username, LEGACY_PASSWORD);

  for (const [label, res] of [['$2b$', viaTwoB], ['$2y$', viaTwoY]]) {
    assert.equal(res.status, 200, `${label}: ${res.text}`);
    assert.equal(res.body.profile.organisation.id, organisation.id, label);
  }
});

test('a wrong legacy password and an unknown username both answer 401 invalid_legacy_credentials, alike', async () => {
  const { organisation } = await createOrganisation(app);
  const item = legacyItem(organisation.file_number);
  await importLegacy([item]);
  const { client } = await signedUp(app);

  const wrong = await linkLegacy(client, item.username, 'pas-le-bon-mot-de-passe');
  const unknown = await linkLegacy(client, legacyUsername('er'), LEGACY_PASSWORD);

  assert.equal(wrong.status, 401, wrong.text);
  assert.equal(wrong.body.error.code, 'invalid_legacy_credentials');
  assert.deepEqual(unknown.body, wrong.body, 'nothing tells a wrong password from an unknown username');
  assert.equal(unknown.status, 401);
});

test('five wrong legacy passwords lock the username: the right password then answers 401 like a wrong one', async () => {
  const { organisation } = await createOrganisation(app);
  const item = legacyItem(organisation.file_number);
  await importLegacy([item]);
  const { client } = await signedUp(app);

  const statuses = [];
  let wrong;
  for (let i = 0; i < 5; i += 1) {
    wrong = await linkLegacy(client, item.username, `faux-${i}`);
    statuses.push(wrong.status);
  }
  const locked = await linkLegacy(client, item.username, LEGACY_PASSWORD);

  assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
  assert.equal(locked.status, 401, locked.text);
  assert.deepEqual(locked.body, wrong.body, 'a locked username answers exactly like a wrong password');
  const profiles = await client.profiles();
  assert.equal(profiles.body.items.length, 1, 'nothing was linked');
});

test('legacy credentials already linked to one account answer 410 link_used to another, and the trail records no link for it', async () => {
  const { organisation } = await createOrganisation(app);
  const item = legacyItem(organisation.file_number);
  await importLegacy([item]);
  const [owner, latecomer] = [await signedUp(app), await signedUp(app)];
  assert.equal((await linkLegacy(owner.client, item.username, LEGACY_PASSWORD)).status, 200);

  const again = await linkLegacy(owner.client, item.username, LEGACY_PASSWORD);
  const res = await linkLegacy(latecomer.client, item.username, LEGACY_PASSWORD);

  assert.equal(again.status, 200, `linking again is harmless for the owner: ${again.text}`);
  assert.equal(res.status, 410, `the contact is already linked to someone else, it is not revoked: ${res.text}`);
  assert.equal(res.body.error.code, 'link_used');
  const claimed = await sql(app, `SELECT id FROM audit_events WHERE action = 'contact.linked' AND user_id = ${quote(latecomer.user.id)}`);
  assert.deepEqual(claimed, [], 'no contact.linked event for an account that was not linked');
});

test('a revoked contact cannot link with legacy credentials either: 403 contact_revoked', async () => {
  const responsable = await linkedResponsible(app);
  const item = legacyItem(responsable.organisation.file_number);
  await importLegacy([item]);
  const found = await responsable.client.members({ q: item.contact.email });
  const contactId = found.body.items[0].id;
  assert.equal((await responsable.client.revokeMember(contactId)).status, 200);
  const { client } = await signedUp(app);

  const res = await linkLegacy(client, item.username, LEGACY_PASSWORD);

  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.error.code, 'contact_revoked');
});

test('legacy usernames without a known prefix answer 422 naming username', async () => {
  const { client } = await signedUp(app);
  for (const username of ['xx123456', 'er', 'er 123', 'ér123', 'ab123456', '123456']) {
    const res = await linkLegacy(client, username, LEGACY_PASSWORD);
    assert.equal(res.status, 422, `${username}: ${res.text}`);
    assert.equal(typeof res.body.error.fields?.username, 'string', `${username}: fields.username says why`);
  }
  const noPassword = await client.linkWithLegacy({ username: 'er123456' });
  assert.equal(noPassword.status, 422);
  assert.equal(typeof noPassword.body.error.fields?.password, 'string', 'the password is required');
});

// --- Known facts ---------------------------------------------------------------------------------

const knownFacts = (client, file_number, postal_code) => client.linkWithKnownFacts({ file_number, postal_code });

/** Emails of one template queued to `to` (written in the same request, so reading it is not racy). */
const queued = (to, template) => sql(app, `SELECT id FROM email_outbox WHERE to_email = ${quote(to)} AND template = ${quote(template)}`);

test('matching known facts answer 202 and email link credentials to the address on file (never to the requester), which then link', async () => {
  const { organisation, form } = await createOrganisation(app, { postal_code: 'G1R 4P5' });
  const requester = await signedUp(app);

  const res = await knownFacts(requester.client, organisation.file_number, 'g1r4p5');

  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.body, {});
  const sent = await credentialsSentTo(app, form.email);
  assert.match(sent.email.text, new RegExp(organisation.file_number), 'the email names the file');
  const toRequester = (await app.mailbox(requester.email)).filter(isLinkCredentialsEmail);
  assert.deepEqual(toRequester, [], 'nothing is sent to the requester');
  assert.deepEqual(await queued(requester.email, 'known_facts_link_code'), [], 'nothing is queued for the requester');
  const linked = await link(requester.client, sent);
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.body.profile.organisation.id, organisation.id);
});

test('wrong known facts answer the very same 202 and send nothing', async () => {
  const { organisation, form } = await createOrganisation(app, { postal_code: 'H3B 2Y5' });
  const requester = await signedUp(app);

  const wrongPostalCode = await knownFacts(requester.client, organisation.file_number, 'H3B 2Y6');
  const unknownFile = await knownFacts(requester.client, uniqueFileNumber(), 'H3B 2Y5');

  for (const [label, res] of [['a wrong postal code', wrongPostalCode], ['an unknown file number', unknownFile]]) {
    assert.equal(res.status, 202, `${label}: ${res.text}`);
    assert.equal(res.text, '{}', `${label}: the answer is identical to a match`);
  }
  assert.deepEqual(await queued(form.email, 'known_facts_link_code'), [], 'no email to the address on file');
  const contacts = await sql(app, `SELECT id FROM contacts WHERE organisation_id = ${quote(organisation.id)}`);
  assert.equal(contacts.length, 1, 'no contact was created for the address on file');
});

test('a sixth known-facts request for one file number within the hour answers 429 too_many_attempts', async () => {
  const { organisation, form } = await createOrganisation(app, { postal_code: 'J4K 1A1' });
  const other = await createOrganisation(app, { postal_code: 'J4K 1A1' });
  const requester = await signedUp(app);

  const statuses = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await knownFacts(requester.client, organisation.file_number, 'J4K 1A2')).status);
  const sixth = await knownFacts(requester.client, organisation.file_number, 'J4K 1A1');
  const anotherFile = await knownFacts(requester.client, other.organisation.file_number, 'J4K 1A2');

  assert.deepEqual(statuses, [202, 202, 202, 202, 202], 'five requests an hour are answered');
  assert.equal(sixth.status, 429, sixth.text);
  assert.equal(sixth.body.error.code, 'too_many_attempts');
  assert.ok(sixth.body.error.retry_after > 0, 'the answer says when to retry');
  assert.equal(sixth.headers.get('retry-after'), String(sixth.body.error.retry_after));
  assert.deepEqual(await queued(form.email, 'known_facts_link_code'), [], 'the refused request, although matching, sent nothing');
  assert.equal(anotherFile.status, 202, 'the budget is per file number');
});

test('malformed known facts answer 422 naming the field', async () => {
  const { client } = await signedUp(app);
  const cases = [
    [{ file_number: '12345', postal_code: 'H2X 1Y4' }, ['file_number'], 'fewer than 6 digits'],
    [{ file_number: '12345678901', postal_code: 'H2X 1Y4' }, ['file_number'], 'more than 10 digits'],
    [{ file_number: '12a456', postal_code: 'H2X 1Y4' }, ['file_number'], 'digits only'],
    [{ file_number: '123456', postal_code: '12345' }, ['postal_code'], 'a Canadian postal code is A1A 1A1'],
    [{ file_number: '123456', postal_code: 'HHX 1Y4' }, ['postal_code'], 'letters and digits alternate'],
    [{}, ['file_number', 'postal_code'], 'both are required'],
  ];
  for (const [body, fields, why] of cases) {
    const res = await client.linkWithKnownFacts(body);
    assert.equal(res.status, 422, `${JSON.stringify(body)}: ${why}: ${res.text}`);
    assert.deepEqual(Object.keys(res.body.error.fields).sort(), [...fields].sort(), `${JSON.stringify(body)}: ${why}`);
  }
});

// --- Profiles ------------------------------------------------------------------------------------

/** A user linked to two organisations (named so that `first` sorts before `second`). */
async function userWithTwoProfiles() {
  const first = await createOrganisation(app, { name: `Alpha Comptables ${uniqueFileNumber()}` });
  const second = await createOrganisation(app, { name: `Bêta Employeur ${uniqueFileNumber()}`, kind: 'employer' });
  const user = await linkedUser(app, first.responsible, { activate: false });
  const res = await link(user.client, second.responsible);
  assert.equal(res.status, 200, res.text);
  return { ...user, first, second };
}

test('GET /api/profiles lists the personal profile, then one profile per linked organisation', async () => {
  const { client, first, second } = await userWithTwoProfiles();

  const res = await client.profiles();

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.active, 'personal', 'linking does not change the active profile');
  assert.equal(res.body.items.length, 3);
  assert.equal(res.body.items[0].id, 'personal');
  assert.equal(res.body.items[0].kind, 'personal');
  assert.deepEqual(res.body.items.slice(1), [
    expectedProfile(first.responsible.contact_id, first.organisation, 'responsable'),
    expectedProfile(second.responsible.contact_id, second.organisation, 'responsable'),
  ]);
});

test('choosing a profile rotates the session cookie: the old cookie answers 401 and /api/me shows the choice', async () => {
  const { client, first } = await userWithTwoProfiles();
  const stale = app.client();
  stale.cookies = new Map(client.cookies);

  const res = await selectProfile(client, first.responsible.contact_id);

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.active_profile, expectedProfile(first.responsible.contact_id, first.organisation, 'responsable'));
  assert.notDeepEqual([...client.cookies], [...stale.cookies], 'a new session cookie is set');
  assert.equal((await stale.me()).status, 401, 'the previous session token is dead');
  const me = await client.me();
  assert.equal(me.body.active_profile.id, first.responsible.contact_id);
  assert.equal(me.body.linked_profiles, 2);
  const organisationView = await client.organisation();
  assert.equal(organisationView.body.organisation.id, first.organisation.id, 'later checks use the chosen profile');
});

test("a profile that is not the user's answers 404 profile_not_found and changes nothing", async () => {
  const responsable = await linkedResponsible(app);
  const invited = await invitedMember(app, responsable.client);
  const stranger = await linkedResponsible(app);
  const before = await responsable.client.me();

  const answers = [];
  for (const [label, id] of [["another user's linked contact", stranger.contactId], ['an invited contact of the own organisation', invited.contact.id],
    ['an id that does not exist', '0123456789abcdef0123456789abcdef']]) {
    answers.push([label, await selectProfile(responsable.client, id)]);
  }

  for (const [label, res] of answers) {
    assert.equal(res.status, 404, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'profile_not_found', label);
  }
  assert.deepEqual((await responsable.client.me()).body, before.body, 'the active profile is unchanged');
});

test('signing in with no linked profile answers next "link" and acts as the personal profile', async () => {
  const account = await signedUp(app);
  const client = app.client();

  const res = await client.logIn(account.email, account.password);

  assert.equal(account.user.next, 'link', 'validating the signup code leads to the linking screen');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.next, 'link');
  assert.deepEqual(res.body.active_profile, { id: 'personal', kind: 'personal' });
});

test('signing in with exactly one linked profile answers next "home" with that profile active', async () => {
  const responsable = await linkedResponsible(app);
  const client = app.client();

  const res = await client.logIn(responsable.email, responsable.password);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.next, 'home');
  assert.equal(res.body.active_profile.id, responsable.contactId);
  const me = await client.me();
  assert.equal(me.body.active_profile.id, responsable.contactId, 'the session acts for that organisation');
  assert.equal(me.body.linked_profiles, 1);
  assert.equal((await client.organisation()).status, 200);
});

test('signing in with two linked profiles answers next "choose_profile"; the choice then survives', async () => {
  const { email, password, second } = await userWithTwoProfiles();
  const client = app.client();

  const res = await client.logIn(email, password);
  const chosen = await selectProfile(client, second.responsible.contact_id);
  const reload = await client.me();
  const again = await client.me();
  const profiles = await client.profiles();

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.next, 'choose_profile');
  assert.equal(res.body.active_profile.id, 'personal', 'nothing is chosen for the user');
  assert.equal(chosen.status, 200, chosen.text);
  assert.equal(reload.body.active_profile.id, second.responsible.contact_id);
  assert.equal(again.body.active_profile.id, second.responsible.contact_id, 'the choice lives in the session');
  assert.equal(profiles.body.active, second.responsible.contact_id);
});

test('switching back to the personal profile needs no new login', async () => {
  const responsable = await linkedResponsible(app);

  const res = await selectProfile(responsable.client, 'personal');

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.active_profile, { id: 'personal', kind: 'personal' });
  const organisationView = await responsable.client.organisation();
  assert.equal(organisationView.status, 403);
  assert.equal(organisationView.body.error.code, 'organisation_profile_required');
});

// --- Bad input -----------------------------------------------------------------------------------

/** A bad-input table for one endpoint, sent by a signed-in user, then a check that nothing was written. */
function badInputTable(method, path, spec, { operator = false } = {}) {
  describe(`bad input on ${method} ${path}`, () => {
    let cookie;
    let counts;
    before(async () => {
      if (!operator) cookie = cookieOf((await signedUp(app)).client);
      counts = await writeCounts(app);
    });
    for (const c of badInputCases(spec)) {
      const naming = [c.expect.field, ...(c.expect.fields ?? [])].filter(Boolean);
      test(`${method} ${path} with ${c.name} answers ${c.expect.status} ${c.expect.code}${naming.length ? ` naming ${naming.join(', ')}` : ''}`, async () => {
        const res = await sendCase(app, method, path, c, operator ? { headers: { authorization: 'Bearer dev-operator-token' } } : { cookie });
        assertRejected(res, c.expect, `${method} ${path} with ${c.name}`);
      });
    }
    test(`none of the bad ${method} ${path} requests wrote anything`, async () => {
      const now = await writeCounts(app);
      assert.deepEqual(now, counts);
    });
  });
}

badInputTable('POST', '/api/links/credentials', {
  base: () => ({ identifier: 'SEL-7KQ2-M9XD', code: '4F7HK-QW2ZP' }),
  fields: { identifier: 'identifier', code: 'code' },
});

badInputTable('POST', '/api/links/legacy', {
  base: () => ({ username: 'er99999999', password: LEGACY_PASSWORD }),
  fields: { username: 'username', password: 'password' },
  // Any password is a possible legacy password: only its length is bounded.
  odd: (field, index) => (field === 'password' && index !== LONG
    ? { status: 401, code: 'invalid_legacy_credentials', why: 'no legacy credentials have this username' }
    : invalid(field)),
});

badInputTable('POST', '/api/links/known-facts', {
  base: () => ({ file_number: '123456', postal_code: 'H2X 1Y4' }),
  fields: { file_number: 'file_number', postal_code: 'postal_code' },
});

badInputTable('PUT', '/api/session/profile', {
  base: () => ({ profile_id: 'personal' }),
  fields: { profile_id: 'id' },
});

describe('bad input on POST /api/operator/legacy-credentials', () => {
  const path = '/api/operator/legacy-credentials';
  const auth = { authorization: 'Bearer dev-operator-token' };
  let counts;
  let fileNumber;
  before(async () => {
    fileNumber = (await createOrganisation(app)).organisation.file_number;
    counts = await writeCounts(app);
  });
  const base = () => ({ items: [legacyItem(uniqueFileNumber())] });
  const cases = [
    { name: 'a truncated JSON object', body: () => JSON.stringify(base()).slice(0, -3), expect: { status: 400, code: 'malformed_json' } },
    { name: 'a JSON array instead of an object', body: () => JSON.stringify(base().items), expect: { status: 400, code: 'body_not_object' } },
    { name: 'Content-Type text/plain', contentType: 'text/plain', body: () => JSON.stringify(base()), expect: { status: 415, code: 'unsupported_media_type' } },
    { name: 'a 2 MiB body', body: () => JSON.stringify({ items: [legacyItem(uniqueFileNumber(), { password_hash: 'x'.repeat(2 * 1024 * 1024) })] }), expect: { status: 413, code: 'body_too_large' } },
    { name: 'an empty object', body: () => '{}', expect: invalid('items') },
    { name: 'items as a string', body: () => JSON.stringify({ items: 'er123456' }), expect: invalid('items') },
    { name: 'items as an object', body: () => JSON.stringify({ items: legacyItem(uniqueFileNumber()) }), expect: invalid('items') },
    { name: 'items null', body: () => JSON.stringify({ items: null }), expect: invalid('items') },
  ];
  for (const c of cases) {
    test(`POST ${path} with ${c.name} answers ${c.expect.status} ${c.expect.code}`, async () => {
      const res = await sendCase(app, 'POST', path, c, { headers: auth });
      assertRejected(res, { why: 'the export is not a JSON object with an items array', ...c.expect }, c.name);
    });
  }
  test(`POST ${path} rejects items that are not records, with odd Unicode or the wrong types, by index`, async () => {
    const items = [42, null, 'er123456', [], {},
      legacyItem(fileNumber, { username: 'er\u0000123' }),
      legacyItem(fileNumber, { username: 'er123\u202E' }),
      legacyItem(fileNumber, { first_name: 'Ma\u200Brie' }),
      legacyItem(fileNumber, { email: 'e\u0301@exemple.ca' }),
      { ...legacyItem(fileNumber), password_hash: 42 },
      { ...legacyItem(fileNumber), username: ['er123456'] },
      { ...legacyItem(fileNumber), contact: 'Émile Héritage' },
    ];
    const res = await operatorRequest(app, path, { json: { items } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, 0);
    assert.deepEqual(res.body.rejected.map((r) => r.index), items.map((_, index) => index), 'every record is rejected, each by its index');
  });
  test(`none of the bad POST ${path} requests wrote anything`, async () => {
    assert.deepEqual(await writeCounts(app), counts);
  });
});

// --- The clock: 30-day lifetime and the hourly known-facts budget --------------------------------

describe('with a moving clock', () => {
  let clockApp;
  before(async () => { clockApp = await spawnApp(); });
  after(async () => { await clockApp?.stop(); });

  test('link credentials still link on their 29th day and answer 410 link_expired after 30 days', async () => {
    const responsable = await linkedResponsible(clockApp);
    const early = await invitedMember(clockApp, responsable.client);
    const late = await invitedMember(clockApp, responsable.client);

    await clockApp.advanceClock(29 * DAY);
    const onTime = await linkedUser(clockApp, early, { activate: false });
    await clockApp.advanceClock(DAY + MINUTE);
    const tooLate = await signedUp(clockApp);
    const expired = await link(tooLate.client, late);

    assert.equal(onTime.profile.id, early.contact.id, 'credentials are valid for 30 days');
    assert.equal(expired.status, 410, expired.text);
    assert.equal(expired.body.error.code, 'link_expired');
    const signedIn = clockApp.client();
    const login = await signedIn.logIn(responsable.email, responsable.password);
    assert.equal(login.body.next, 'home');
    const member = await signedIn.member(late.contact.id);
    assert.equal(member.body.contact.credential.state, 'expired', 'the responsable sees the credentials expired');
    const reissued = await signedIn.reissueLinkCredentials(late.contact.id, {});
    assert.equal(reissued.status, 201, reissued.text);
    const fresh = await credentialsSentTo(clockApp, late.email, { count: 2 });
    assert.equal((await link(tooLate.client, fresh)).status, 200, 'reissued credentials link again');
  });

  test('the known-facts budget of a file number renews after an hour', async () => {
    const { organisation } = await createOrganisation(clockApp, { postal_code: 'K1A 0B1' });
    const requester = await signedUp(clockApp);
    for (let i = 0; i < 5; i += 1) await requester.client.linkWithKnownFacts({ file_number: organisation.file_number, postal_code: 'K1A 0B2' });
    const refused = await requester.client.linkWithKnownFacts({ file_number: organisation.file_number, postal_code: 'K1A 0B2' });

    await clockApp.advanceClock(61 * MINUTE);
    const client = clockApp.client();
    await client.logIn(requester.email, GOOD_PASSWORD);
    const renewed = await client.linkWithKnownFacts({ file_number: organisation.file_number, postal_code: 'K1A 0B1' });

    assert.equal(refused.status, 429, refused.text);
    assert.equal(renewed.status, 202, renewed.text);
    await clockApp.waitForEmail((await sql(clockApp, `SELECT email_on_file FROM organisations WHERE id = ${quote(organisation.id)}`))[0].email_on_file, isLinkCredentialsEmail);
  });
});
