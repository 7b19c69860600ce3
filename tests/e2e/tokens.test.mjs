// Organisation API tokens end to end: a responsable creates a token (its secret shown once, stored
// hashed), lists tokens by prefix and last use, revokes at once; an accounting platform presents
// the token as `Authorization: Bearer` on GET /api/authorized-files and GET
// /api/organisation/members and syncs what changed since a cursor, within the token's scopes,
// expiry and rate limit; every refusal says why. Tests that move the worker's clock by days come
// last, as each of them makes its own organisations.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnApp, uniqueEmail } from '../support/app.mjs';
import {
  linkedResponsible, linkedMember, credentialsSentTo, linkedUser, signedUp, badInputCases, sendCase, cookieOf,
  assertRejected, invalid, RTL,
} from '../support/orgs.mjs';
import {
  employer, firmWithMember, anotherMember, granted, grantBody, seedMigrated, sqlWrite, workerNow, today, addDays,
  endOfDay, auditTrail, actAgain, sql, quote, DAY,
} from '../support/authz.mjs';
import {
  TOKENS, FILES, MEMBERS, FILES_SCOPE, CONTACTS_SCOPE, ALL_SCOPES, SECRET_SHAPE, tokenBody, createToken, listTokens,
  revokeToken, bearerGet, platformClient, syncPage, syncAll, primeRateLimit,
} from '../support/tokens.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Asserts a 401 that names its reason and tells the client how to authenticate. */
function assertUnauthorized(res, code, label) {
  assert.equal(res.status, 401, `${label}: ${res.text}`);
  assert.equal(res.body?.error?.code, code, label);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${label}: WWW-Authenticate says Bearer`);
  assert.equal(typeof res.body.error.message, 'string', label);
}

// --- Creating, listing ----------------------------------------------------------------------------

test('a responsable creates a token: the secret is in the answer once, and no list shows it again', async () => {
  const { client } = await linkedResponsible(app);
  const expiresOn = addDays(await today(app), 90);

  const res = await client.createToken({ name: 'Synchro Acomba', scopes: [FILES_SCOPE], expires_on: expiresOn });

  assert.equal(res.status, 201, res.text);
  const { token, secret } = res.body;
  assert.match(secret, SECRET_SHAPE, 'sel_ and 43 base64url characters (256 bits)');
  assert.equal(token.prefix, secret.slice(0, 12), 'the prefix is the start of the secret');
  assert.equal(token.name, 'Synchro Acomba');
  assert.deepEqual(token.scopes, [FILES_SCOPE]);
  assert.equal(token.expires_on, expiresOn);
  assert.equal(token.state, 'active');
  assert.equal(token.last_used_at, null, 'never used yet');
  assert.equal(token.revoked_at, null);
  assert.ok(!('secret' in token), 'the token object never carries the secret');
  const list = await client.tokens();
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((t) => t.id), [token.id]);
  assert.ok(!list.text.includes(secret), 'the list never shows the secret');
  assert.ok(!list.text.includes(secret.slice(12)), 'nor any part of it past the prefix');
});

test('only the hash of the secret is stored: no table of the database holds the secret', async () => {
  const { client } = await linkedResponsible(app);

  const { token, secret } = await createToken(app, client);

  const [row] = await sql(app, `SELECT * FROM api_tokens WHERE id = ${quote(token.id)}`);
  assert.equal(row.token_hash, sha256(secret), 'the stored value is the SHA-256 of the secret');
  const tables = (await sql(app, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")).map((t) => t.name);
  assert.ok(tables.includes('audit_events') && tables.includes('api_tokens'), `the tables are read (${tables.join(', ')})`);
  for (const table of tables) {
    const rows = await sql(app, `SELECT * FROM ${quote(table).replaceAll("'", '"')}`);
    const found = rows.filter((r) => JSON.stringify(r).includes(secret.slice(12)));
    assert.deepEqual(found, [], `${table} holds no part of the secret past its prefix`);
  }
});

test('tokens are listed newest first, with who created them, and the list shows the last use', async () => {
  const responsable = await linkedResponsible(app);
  const first = await createToken(app, responsable.client, { name: 'Premier jeton' });
  await app.advanceClock(1000);
  const second = await createToken(app, responsable.client, { name: 'Second jeton' });

  const before = await listTokens(responsable.client);
  const used = await platformClient(app, first.secret).authorizedFiles();
  const afterUse = await listTokens(responsable.client);

  assert.deepEqual(before.map((t) => t.name), ['Second jeton', 'Premier jeton'], 'newest first');
  assert.equal(before[0].created_by, responsable.email, 'the list names who created each token');
  assert.equal(before[1].last_used_at, null);
  assert.equal(used.status, 200, used.text);
  const now = await workerNow(app);
  const firstAfter = afterUse.find((t) => t.id === first.token.id);
  assert.equal(typeof firstAfter.last_used_at, 'number', 'a use is recorded');
  assert.ok(firstAfter.last_used_at >= firstAfter.created_at && firstAfter.last_used_at <= now, 'at the time of the request');
  assert.equal(afterUse.find((t) => t.id === second.token.id).last_used_at, null, 'the other token was not used');
});

test("an organisation's list holds only its own tokens", async () => {
  const a = await linkedResponsible(app);
  const b = await linkedResponsible(app);
  const mine = await createToken(app, a.client);
  const theirs = await createToken(app, b.client);

  assert.deepEqual((await listTokens(a.client)).map((t) => t.id), [mine.token.id]);
  assert.deepEqual((await listTokens(b.client)).map((t) => t.id), [theirs.token.id]);
});

// --- Who may manage tokens ------------------------------------------------------------------------

test('a membre may not list, create or revoke tokens: 403 responsable_required, and nothing is written', async () => {
  const responsable = await linkedResponsible(app);
  const membre = await linkedMember(app, responsable.client);
  const { token, secret } = await createToken(app, responsable.client);
  const countBefore = (await sql(app, 'SELECT COUNT(*) AS n FROM api_tokens'))[0].n;

  const answers = [
    ['list', await membre.client.tokens()],
    ['create', await membre.client.createToken(await tokenBody(app))],
    ['revoke', await revokeToken(membre.client, token.id)],
  ];

  for (const [label, res] of answers) {
    assert.equal(res.status, 403, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'responsable_required', label);
  }
  assert.equal((await sql(app, 'SELECT COUNT(*) AS n FROM api_tokens'))[0].n, countBefore, 'no token was created');
  assert.equal((await platformClient(app, secret).authorizedFiles()).status, 200, 'the token still works');
});

test("another organisation's token id answers 404 and the token keeps working", async () => {
  const a = await linkedResponsible(app);
  const b = await linkedResponsible(app);
  const theirs = await createToken(app, b.client);

  const res = await revokeToken(a.client, theirs.token.id);

  assert.equal(res.status, 404, res.text);
  assert.equal(res.body.error.code, 'not_found');
  assert.equal((await platformClient(app, theirs.secret).authorizedFiles()).status, 200, "B's token was not revoked");
  for (const id of ['0123456789abcdef0123456789abcdef', 'a'.repeat(65)]) {
    const unknown = await revokeToken(a.client, id);
    assert.equal(unknown.status, 404, `${id}: ${unknown.text}`);
  }
});

test('without a session the token routes answer 401, and without an organisation profile 403', async () => {
  const personal = await signedUp(app);
  const anonymous = app.client();

  for (const [method, json] of [['GET'], ['POST', {}], ['DELETE']]) {
    const path = method === 'DELETE' ? `${TOKENS}/0123456789abcdef` : TOKENS;
    const anon = await anonymous.request(method, path, json ? { json } : {});
    assert.equal(anon.status, 401, `${method} anonymous: ${anon.text}`);
    assert.equal(anon.body.error.code, 'unauthenticated');
    const noProfile = await personal.client.request(method, path, json ? { json } : {});
    assert.equal(noProfile.status, 403, `${method} personal: ${noProfile.text}`);
    assert.equal(noProfile.body.error.code, 'organisation_profile_required');
  }
});

test('a token is no session: it opens only the two listing routes', async () => {
  const { client } = await linkedResponsible(app);
  const { secret } = await createToken(app, client);

  for (const path of ['/api/organisation', TOKENS, '/api/organisation/audit', '/api/me', '/api/authorized-files.csv']) {
    const res = await bearerGet(app, path, secret);
    assert.equal(res.status, 401, `${path} with a token: ${res.text}`);
    assert.equal(res.body.error.code, 'unauthenticated', path);
  }
});

// --- Audit ----------------------------------------------------------------------------------------

test('creating and revoking a token are audit events naming the token, never its secret', async () => {
  const responsable = await linkedResponsible(app);
  const { token, secret } = await createToken(app, responsable.client, { name: 'Jeton audité', scopes: [CONTACTS_SCOPE] });
  const revoked = await revokeToken(responsable.client, token.id);
  assert.equal(revoked.status, 200, revoked.text);
  const again = await revokeToken(responsable.client, token.id);
  assert.equal(again.status, 200, 'revoking twice is harmless');

  const trail = (await auditTrail(responsable.client)).filter((e) => e.action.startsWith('token.'));

  assert.deepEqual(trail.map((e) => e.action), ['token.revoked', 'token.created'], 'one creation, one revocation (the second revocation changed nothing)');
  for (const event of trail) {
    assert.equal(event.actor?.email, responsable.email, `${event.action}: the actor`);
    assert.equal(event.details.token_id, token.id, `${event.action}: the token`);
    assert.equal(event.details.name, 'Jeton audité');
    assert.equal(event.details.prefix, token.prefix);
    assert.ok(!JSON.stringify(event).includes(secret.slice(12)), `${event.action}: never the secret`);
  }
  assert.deepEqual(trail[1].details.scopes, [CONTACTS_SCOPE], 'the creation names the scopes');
});

// --- Refusals -------------------------------------------------------------------------------------

test('a token only opens the routes of its scopes: 403 token_scope_missing names the scope it lacks', async () => {
  const { client } = await linkedResponsible(app);
  const filesOnly = await createToken(app, client, { scopes: [FILES_SCOPE] });
  const contactsOnly = await createToken(app, client, { scopes: [CONTACTS_SCOPE] });
  const both = await createToken(app, client, { scopes: ALL_SCOPES });

  const cases = [
    [filesOnly, FILES, 200], [filesOnly, MEMBERS, 403, CONTACTS_SCOPE],
    [contactsOnly, MEMBERS, 200], [contactsOnly, FILES, 403, FILES_SCOPE],
    [both, FILES, 200], [both, MEMBERS, 200],
  ];
  for (const [token, path, status, missing] of cases) {
    const label = `${token.token.scopes.join('+')} on ${path}`;
    const res = await bearerGet(app, path, token.secret);
    assert.equal(res.status, status, `${label}: ${res.text}`);
    if (missing) {
      assert.equal(res.body.error.code, 'token_scope_missing', label);
      assert.equal(res.body.error.required_scope, missing, `${label}: the answer names the missing scope`);
    }
  }
});

test('a revoked token answers 401 token_revoked from the very next request', async () => {
  const { client } = await linkedResponsible(app);
  const { token, secret } = await createToken(app, client);
  assert.equal((await platformClient(app, secret).authorizedFiles()).status, 200, 'the token works before');

  const res = await revokeToken(client, token.id);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.token.state, 'revoked');
  assert.equal(typeof res.body.token.revoked_at, 'number');
  for (const path of [FILES, MEMBERS]) assertUnauthorized(await bearerGet(app, path, secret), 'token_revoked', `${path} after revocation`);
  const listed = (await listTokens(client)).find((t) => t.id === token.id);
  assert.equal(listed.state, 'revoked', 'the list keeps the revoked token with its state');
});

test('malformed and unknown tokens answer 401 token_invalid with WWW-Authenticate', async () => {
  const { client } = await linkedResponsible(app);
  const { secret } = await createToken(app, client);
  const other = secret.at(-1) === 'A' ? 'B' : 'A';
  const cases = [
    ['an unknown token of the right shape', `Bearer sel_${'A'.repeat(43)}`],
    ['the secret with its last character changed', `Bearer ${secret.slice(0, -1)}${other}`],
    ['the secret with a character more', `Bearer ${secret}A`],
    ['the secret with a character less', `Bearer ${secret.slice(0, -1)}`],
    ['the secret without a scheme', secret],
    ['the secret in the Basic scheme', `Basic ${Buffer.from(`x:${secret}`).toString('base64')}`],
    ['an empty bearer token', 'Bearer '],
    ['another prefix', `Bearer tok_${secret.slice(4)}`],
    ['a character outside base64url', `Bearer ${secret.slice(0, -1)}!`],
    ['the operator token', 'Bearer dev-operator-token'],
  ];
  for (const [label, authorization] of cases) {
    for (const path of [FILES, MEMBERS]) {
      assertUnauthorized(await bearerGet(app, path, null, { authorization }), 'token_invalid', `${label} on ${path}`);
    }
  }
});

test('the scheme name is case-insensitive (RFC 7235): "bearer" works like "Bearer"', async () => {
  const { client } = await linkedResponsible(app);
  const { secret } = await createToken(app, client);

  for (const scheme of ['bearer', 'BEARER']) {
    const res = await bearerGet(app, FILES, null, { authorization: `${scheme} ${secret}` });
    assert.equal(res.status, 200, `${scheme}: ${res.text}`);
  }
});

test('the 401 and 403 messages follow Accept-Language', async () => {
  const { client } = await linkedResponsible(app);
  const { secret } = await createToken(app, client, { scopes: [CONTACTS_SCOPE] });

  const fr = await platformClient(app, secret).authorizedFiles(undefined, { headers: { 'accept-language': 'fr-CA' } });
  const en = await platformClient(app, secret).authorizedFiles(undefined, { headers: { 'accept-language': 'en' } });
  const frInvalid = await platformClient(app, null, { authorization: 'Bearer x' }).authorizedFiles(undefined, { headers: { 'accept-language': 'fr-CA' } });
  const enInvalid = await platformClient(app, null, { authorization: 'Bearer x' }).authorizedFiles(undefined, { headers: { 'accept-language': 'en' } });

  assert.match(fr.body.error.message, /jeton/i);
  assert.match(en.body.error.message, /token/i);
  assert.notEqual(fr.body.error.message, en.body.error.message);
  assert.match(frInvalid.body.error.message, /jeton/i);
  assert.match(enInvalid.body.error.message, /token/i);
});

// --- Rate limit -----------------------------------------------------------------------------------

// Sending 600 requests would take minutes on this shared machine: the test sets the token's
// counter for the current minute in D1 (as 599 requests would have left it), then sends the 600th
// and the 601st for real. The policy itself (600 a minute, then wait for the minute to end) is
// unit-tested in src/domain/api_token.rs.
test('the 601st request of a token within a minute answers 429 with Retry-After; the next minute it works again', async () => {
  const { client } = await linkedResponsible(app);
  const limited = await createToken(app, client);
  const neighbour = await createToken(app, client);
  assert.equal((await platformClient(app, limited.secret).authorizedFiles()).status, 200, 'the first request');
  await primeRateLimit(app, limited.token.id, 599);

  const six_hundredth = await platformClient(app, limited.secret).authorizedFiles();
  const refused = await platformClient(app, limited.secret).members();
  const neighbourRes = await platformClient(app, neighbour.secret).authorizedFiles();

  assert.equal(six_hundredth.status, 200, `the 600th request is allowed: ${six_hundredth.text}`);
  assert.equal(refused.status, 429, refused.text);
  assert.equal(refused.body.error.code, 'too_many_requests');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After is within the minute (${refused.headers.get('retry-after')})`);
  assert.equal(neighbourRes.status, 200, 'another token of the same organisation has its own limit');
  await app.advanceClock(61_000);
  assert.equal((await platformClient(app, limited.secret).authorizedFiles()).status, 200, 'a new minute, a new budget');
});

test('a refused token spends no budget: requests with a missing scope are not counted', async () => {
  const { client } = await linkedResponsible(app);
  const { token, secret } = await createToken(app, client, { scopes: [FILES_SCOPE] });

  await platformClient(app, secret).members();
  await platformClient(app, secret).authorizedFiles();

  const [row] = await sql(app, `SELECT count FROM rate_limits WHERE key = ${quote(`api-token:${token.id}`)}`);
  assert.equal(row?.count, 1, 'only the allowed request is counted');
});

// --- Sync: authorized files -----------------------------------------------------------------------

/**
 * A firm whose contacts hold authorizations in every state (active, revoked, ended, migrated), and
 * another firm authorized by the same employer (which the first firm's token must never see).
 */
async function firmWithHistory() {
  const boss = await employer(app);
  const firm = await firmWithMember(app);
  const colleague = await anotherMember(app, firm.responsable.client, { first_name: 'Colette', last_name: 'Collègue' });
  const stranger = await firmWithMember(app);
  // A migrated relation whose end date passed, as the lifecycle job leaves it: ended.
  const ended = await seedMigrated(app, { employer: boss.organisation, firm: firm.organisation, contactId: firm.member.contactId, endsAt: (await workerNow(app)) - DAY });
  sqlWrite(app, `UPDATE authorizations SET status = 'ended', ended_at = ${(await workerNow(app)) - DAY} WHERE id = ${quote(ended)}`);
  const active = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['workforce'] }));
  const toRevoke = await granted(boss.client, grantBody(firm.organisation, colleague.email));
  const revoked = await boss.client.revokeAuthorization(toRevoke.id);
  assert.equal(revoked.status, 200, revoked.text);
  const foreign = await granted(boss.client, grantBody(stranger.organisation, stranger.member.email));
  return { boss, firm, colleague, stranger, ids: { active: active.id, revoked: toRevoke.id, ended, foreign: foreign.id } };
}

test("since=0 gives every authorization of the firm's contacts, revoked and ended ones included, and none of another firm", async () => {
  const { firm, stranger, ids } = await firmWithHistory();
  const { secret } = await createToken(app, firm.responsable.client, { scopes: [FILES_SCOPE] });

  const page = await syncPage(app, FILES, secret, { since: 0 });

  const byId = Object.fromEntries(page.items.map((item) => [item.id, item]));
  assert.deepEqual(Object.keys(byId).sort(), [ids.active, ids.revoked, ids.ended].sort(), 'exactly the firm\'s authorizations');
  assert.equal(byId[ids.active].status, 'active');
  assert.equal(byId[ids.revoked].status, 'revoked');
  assert.equal(byId[ids.ended].status, 'ended');
  assert.ok(page.items.every((item) => item.firm.id === firm.organisation.id), 'all of this firm');
  assert.ok(page.items.every((item) => item.firm.id !== stranger.organisation.id));
  const versions = page.items.map((item) => item.version);
  assert.ok(versions.every((v, i) => Number.isInteger(v) && (i === 0 || v > versions[i - 1])), `oldest change first, each with its version (${versions})`);
  assert.equal(page.next_cursor, String(versions.at(-1)), 'next_cursor is the last version given');
  assert.equal(page.has_more, false);
});

test('from next_cursor, a sync gives only later changes: a grant, a change and a revocation each appear once, in order', async () => {
  const { boss, firm, colleague, ids } = await firmWithHistory();
  const { secret } = await createToken(app, firm.responsable.client, { scopes: [FILES_SCOPE] });
  const start = (await syncPage(app, FILES, secret)).next_cursor;
  assert.deepEqual((await syncPage(app, FILES, secret, { since: start })).items, [], 'nothing changed yet');

  const fresh = await granted(boss.client, grantBody(firm.organisation, colleague.email, { services: ['status_letter'] }));
  const afterGrant = await syncPage(app, FILES, secret, { since: start });
  const changed = await boss.client.updateAuthorization(ids.active, { level: 'transmission' });
  assert.equal(changed.status, 200, changed.text);
  const afterChange = await syncPage(app, FILES, secret, { since: afterGrant.next_cursor });
  const revoked = await boss.client.revokeAuthorization(fresh.id);
  assert.equal(revoked.status, 200, revoked.text);
  const afterRevoke = await syncPage(app, FILES, secret, { since: afterChange.next_cursor });
  const quiet = await syncPage(app, FILES, secret, { since: afterRevoke.next_cursor });
  const all = await syncPage(app, FILES, secret, { since: start });

  assert.deepEqual(afterGrant.items.map((i) => [i.id, i.status]), [[fresh.id, 'active']], 'the grant');
  assert.deepEqual(afterChange.items.map((i) => [i.id, i.level]), [[ids.active, 'transmission']], 'the change');
  assert.deepEqual(afterRevoke.items.map((i) => [i.id, i.status]), [[fresh.id, 'revoked']], 'the revocation');
  assert.deepEqual(quiet, { items: [], next_cursor: afterRevoke.next_cursor, has_more: false }, 'nothing more: the cursor stays');
  assert.deepEqual(all.items.map((i) => [i.id, i.status]), [[ids.active, 'active'], [fresh.id, 'revoked']],
    'from the start cursor: each changed authorization once, at its latest change, in order');
  for (const [a, b] of [[start, afterGrant.next_cursor], [afterGrant.next_cursor, afterChange.next_cursor], [afterChange.next_cursor, afterRevoke.next_cursor]]) {
    assert.ok(Number(b) > Number(a), `the cursor moves forward (${a} → ${b})`);
  }
});

test('limit pages the sync: following next_cursor while has_more gives every change once, without gaps', async () => {
  const { boss, firm } = await firmWithHistory();
  for (const service of ['site_identification', 'status_letter', 'monthly_report']) {
    const other = await anotherMember(app, firm.responsable.client, { first_name: 'Paul', last_name: `Page ${service.length}` });
    await granted(boss.client, grantBody(firm.organisation, other.email, { services: [service] }));
  }
  const { secret } = await createToken(app, firm.responsable.client, { scopes: [FILES_SCOPE] });
  const everything = await syncPage(app, FILES, secret, { since: 0, limit: 500 });
  assert.equal(everything.items.length, 6, 'three in the history, three more');

  for (const limit of [1, 2, 4]) {
    const { items, pages } = await syncAll(app, FILES, secret, { since: 0, limit });
    assert.deepEqual(items.map((i) => i.id), everything.items.map((i) => i.id), `limit=${limit}: the same items in the same order, none twice`);
    assert.equal(pages.length, Math.ceil(6 / limit), `limit=${limit}: no empty page at the end`);
    assert.ok(pages.slice(0, -1).every((p) => p.has_more && p.items.length === limit), `limit=${limit}: full pages say has_more`);
    assert.equal(pages.at(-1).has_more, false, `limit=${limit}: the last page says no more`);
  }
});

test('the default page holds 100 changes and limit is at most 500', async () => {
  const { client } = await linkedResponsible(app);
  const { secret } = await createToken(app, client);

  for (const [params, field] of [[{ limit: 0 }, 'limit'], [{ limit: 501 }, 'limit'], [{ limit: 'abc' }, 'limit'], [{ limit: '1.5' }, 'limit'],
    [{ since: -1 }, 'since'], [{ since: 'abc' }, 'since'], [{ since: '99999999999999999999999' }, 'since'],
    // Above 2^53 - 1 a number no longer reaches D1 exactly: refused, not a server error.
    [{ since: '9007199254740992' }, 'since'], [{ since: '9223372036854775807' }, 'since']]) {
    const res = await bearerGet(app, `${FILES}?${new URLSearchParams(params)}`, secret, { headers: { 'accept-language': 'en' } });
    assertRejected(res, invalid(field, 'since is a version (0 or more), limit 1 to 500'), `GET ${FILES}?${new URLSearchParams(params)}`);
    assert.match(res.body.error.fields[field], field === 'limit' ? /1 to 500/ : /next_cursor/, 'the message says what is expected');
  }
  const page = await syncPage(app, FILES, secret, { since: 0, limit: 500 });
  assert.equal(page.has_more, false);
});

test("a token sees only its organisation's data, even with another organisation's session cookie", async () => {
  const { firm, stranger, ids } = await firmWithHistory();
  const mine = await createToken(app, firm.responsable.client);

  const files = await platformClient(app, mine.secret).authorizedFiles(undefined, { headers: { cookie: cookieOf(stranger.responsable.client) } });
  const contacts = await platformClient(app, mine.secret).members(undefined, { headers: { cookie: cookieOf(stranger.member.client) } });

  assert.equal(files.status, 200, files.text);
  assert.ok(files.body.items.length > 0);
  assert.ok(files.body.items.every((i) => i.firm.id === firm.organisation.id), 'only the token\'s firm');
  assert.ok(!files.body.items.some((i) => i.id === ids.foreign), "never the other firm's authorization");
  const strangerContacts = new Set([stranger.responsable.contactId, stranger.member.contactId]);
  assert.ok(contacts.body.items.length > 0);
  assert.ok(contacts.body.items.every((c) => !strangerContacts.has(c.id)), "never the other firm's contacts");
});

test("an employer's token syncs the authorizations the employer granted", async () => {
  const { boss, firm, stranger, ids } = await firmWithHistory();
  const { secret } = await createToken(app, boss.client, { scopes: [FILES_SCOPE] });

  const { items } = await syncAll(app, FILES, secret, { limit: 2 });

  assert.deepEqual(items.map((i) => i.id).sort(), [ids.active, ids.revoked, ids.ended, ids.foreign].sort(),
    'every authorization on its file, for both firms, whatever its state');
  assert.ok(items.every((i) => i.employer.id === boss.organisation.id));
  assert.ok(items.some((i) => i.firm.id === firm.organisation.id) && items.some((i) => i.firm.id === stranger.organisation.id));
});

// --- Sync: contacts -------------------------------------------------------------------------------

test('the contacts sync gives every contact, then an invitation, a link and a revocation each once, in order', async () => {
  const responsable = await linkedResponsible(app);
  const member = await linkedMember(app, responsable.client);
  const { secret } = await createToken(app, responsable.client, { scopes: [CONTACTS_SCOPE] });

  const initial = await syncPage(app, MEMBERS, secret, { since: 0 });
  const email = uniqueEmail('synchro');
  const invited = await responsable.client.inviteMember({ first_name: 'Sylvie', last_name: 'Synchro', email, role: 'membre' });
  assert.equal(invited.status, 201, invited.text);
  const afterInvite = await syncPage(app, MEMBERS, secret, { since: initial.next_cursor });
  const credentials = await credentialsSentTo(app, email);
  await linkedUser(app, credentials, { email, first_name: 'Sylvie', last_name: 'Synchro' });
  const afterLink = await syncPage(app, MEMBERS, secret, { since: afterInvite.next_cursor });
  const revoked = await responsable.client.revokeMember(invited.body.contact.id);
  assert.equal(revoked.status, 200, revoked.text);
  const afterRevoke = await syncPage(app, MEMBERS, secret, { since: afterLink.next_cursor });

  assert.deepEqual(initial.items.map((c) => [c.id, c.status]).sort(), [[responsable.contactId, 'linked'], [member.contactId, 'linked']].sort(), 'since=0: every contact');
  assert.ok(initial.items.every((c) => Number.isInteger(c.version)), 'each with its version');
  const id = invited.body.contact.id;
  assert.deepEqual(afterInvite.items.map((c) => [c.id, c.status]), [[id, 'invited']]);
  assert.deepEqual(afterLink.items.map((c) => [c.id, c.status]), [[id, 'linked']]);
  assert.equal(afterLink.items[0].linked_user?.email, email);
  assert.deepEqual(afterRevoke.items.map((c) => [c.id, c.status]), [[id, 'revoked']]);
  const all = await syncAll(app, MEMBERS, secret, { since: 0, limit: 1 });
  assert.deepEqual(all.items.map((c) => c.id).sort(), [responsable.contactId, member.contactId, id].sort(), 'paging by one: every contact once');
});

test("a member's activity is not a change: the contacts sync stays quiet while they use the portal", async () => {
  const responsable = await linkedResponsible(app);
  const member = await linkedMember(app, responsable.client);
  const { secret } = await createToken(app, responsable.client, { scopes: [CONTACTS_SCOPE] });
  const start = await syncPage(app, MEMBERS, secret, { since: 0 });

  await app.advanceClock(2 * 60_000);
  const active = await member.client.organisation();
  assert.equal(active.status, 200, active.text);
  const [row] = await sql(app, `SELECT last_activity_at FROM contacts WHERE id = ${quote(member.contactId)}`);
  assert.ok(row.last_activity_at > start.items.find((c) => c.id === member.contactId).last_activity_at, 'the activity was recorded');

  const later = await syncPage(app, MEMBERS, secret, { since: start.next_cursor });

  assert.deepEqual(later.items, [], 'activity alone does not make a contact changed');
});

// --- Bad input ------------------------------------------------------------------------------------

/** Counts of what creating a token writes. */
async function tokenCounts() {
  const [row] = await sql(app, `SELECT (SELECT COUNT(*) FROM api_tokens) AS tokens,
    (SELECT COUNT(*) FROM audit_events WHERE action LIKE 'token.%') AS events`);
  return { ...row };
}

describe('bad input on POST /api/organisation/tokens', () => {
  let cookie;
  let day;
  let counts;
  before(async () => {
    const responsable = await linkedResponsible(app);
    cookie = cookieOf(responsable.client);
    day = addDays(await today(app), 10);
    counts = await tokenCounts();
  });
  // A right-to-left name is a valid token name: that case would create a token.
  const odd = (field, index) => (index === RTL && field === 'name' ? null : invalid(field));
  for (const c of badInputCases({ base: () => ({ name: 'Synchro', expires_on: day, scopes: [FILES_SCOPE] }), fields: { name: 'name', expires_on: 'choice' }, required: ['name', 'scopes', 'expires_on'], odd })) {
    const naming = [c.expect.field, ...(c.expect.fields ?? [])].filter(Boolean);
    test(`POST ${TOKENS} with ${c.name} answers ${c.expect.status} ${c.expect.code}${naming.length ? ` naming ${naming.join(', ')}` : ''}`, async () => {
      const res = await sendCase(app, 'POST', TOKENS, c, { cookie });
      assertRejected(res, c.expect, `POST ${TOKENS} with ${c.name}`);
    });
  }
  const specific = [
    ['no scope', { scopes: [] }, 'scopes'],
    ['an unknown scope', { scopes: ['admin'] }, 'scopes'],
    ['a scope twice', { scopes: [FILES_SCOPE, FILES_SCOPE] }, 'scopes'],
    ['scopes as a string', { scopes: FILES_SCOPE }, 'scopes'],
    ['a number in scopes', { scopes: [42] }, 'scopes'],
    ['scopes null', { scopes: null }, 'scopes'],
    ['scopes missing', { scopes: undefined }, 'scopes'],
    ['a scope in capitals', { scopes: ['AUTHORIZED_FILES:READ'] }, 'scopes'],
    ['21 scopes', { scopes: Array(21).fill(FILES_SCOPE) }, 'scopes'],
    ['an expiry in the past', { expires_on: '2020-01-01' }, 'expires_on'],
    ['an expiry more than a year ahead', { expires_on: '2099-01-01' }, 'expires_on'],
    ['an impossible date', { expires_on: '2026-02-30' }, 'expires_on'],
    ['a date written the French way', { expires_on: '27/11/2026' }, 'expires_on'],
    ['a date and time', { expires_on: '2026-11-27T12:00:00Z' }, 'expires_on'],
    ['a name of 101 characters', { name: 'n'.repeat(101) }, 'name'],
    ['a name without letters', { name: '2026' }, 'name'],
    ['a name with a line break', { name: 'Synchro\nAcomba' }, 'name'],
  ];
  for (const [label, override, field] of specific) {
    test(`POST ${TOKENS} with ${label} answers 422 naming ${field}`, async () => {
      const res = await sendCase(app, 'POST', TOKENS, { body: () => JSON.stringify({ name: 'Synchro', expires_on: day, scopes: [FILES_SCOPE], ...override }) }, { cookie });
      assertRejected(res, invalid(field, `${label} is refused`), `POST ${TOKENS} with ${label}`);
    });
  }
  test('an expiry of today and one of a year from today are accepted (the bounds)', async () => {
    const now = await today(app);
    for (const expires_on of [now, addDays(now, 365)]) {
      const res = await sendCase(app, 'POST', TOKENS, { body: () => JSON.stringify({ name: 'Bornes', expires_on, scopes: [FILES_SCOPE] }) }, { cookie });
      assert.equal(res.status, 201, `${expires_on}: ${res.text}`);
    }
    counts = { tokens: counts.tokens + 2, events: counts.events + 2 };
  });
  test('none of the bad requests wrote a token or an audit event', async () => {
    assert.deepEqual(await tokenCounts(), counts);
  });
});

// --- Expiry (moves the clock by a day: last) ------------------------------------------------------

test('a token works until the end of its expiry day (Montreal), then answers 401 token_expired', async () => {
  const { client } = await linkedResponsible(app);
  const day = await today(app);
  const { token, secret } = await createToken(app, client, { expires_on: day });
  assert.equal(token.expires_at, endOfDay(day), 'it expires when its day ends in Montreal');

  await app.advanceClock(endOfDay(day) - (await workerNow(app)) - 60_000);
  const lastMinute = await platformClient(app, secret).authorizedFiles();
  await app.advanceClock(61_000);
  const expired = await platformClient(app, secret).authorizedFiles();
  const contacts = await platformClient(app, secret).members();

  assert.equal(lastMinute.status, 200, `a minute before the end of its day: ${lastMinute.text}`);
  assertUnauthorized(expired, 'token_expired', 'once its day is over');
  assertUnauthorized(contacts, 'token_expired', 'on every route');
  const res = await sql(app, `SELECT revoked_at FROM api_tokens WHERE id = ${quote(token.id)}`);
  assert.equal(res[0].revoked_at, null, 'expiry is not revocation');
});

test('the list shows an expired token as expired', async () => {
  const responsable = await linkedResponsible(app);
  const { token } = await createToken(app, responsable.client, { expires_on: await today(app) });

  await app.advanceClock(DAY);
  const client = await actAgain(app, responsable);

  const listed = (await listTokens(client)).find((t) => t.id === token.id);
  assert.equal(listed.state, 'expired');
});
