// Who may call what: every route of organisations and contacts, and the audit and token routes, ×
// (anonymous, a user without an organisation profile, a member, a responsable, the responsable of
// another organisation), with the expected status in one table; ids of another organisation answer 404 (no IDOR) and change nothing; the
// operator routes need the operator token, and the development token never opens production.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail } from '../support/app.mjs';
import {
  sql, quote, operatorRequest, organisationForm, linkedResponsible, linkedMember, signedUp, uniqueFileNumber, writeCounts,
} from '../support/orgs.mjs';

let app;
const actors = {};
let fixtures;

before(async () => {
  app = await spawnApp();
  const responsable = await linkedResponsible(app);
  const member = await linkedMember(app, responsable.client);
  const other = await linkedResponsible(app);
  const otherInvited = await invite(other.client);
  const personal = await signedUp(app);
  actors.anonymous = { client: app.client(), profileId: null };
  actors['a user without an organisation profile'] = { client: personal.client, profileId: 'personal' };
  actors['a member'] = { client: member.client, profileId: member.contactId };
  actors['the responsable'] = { client: responsable.client, profileId: responsable.contactId };
  actors['the responsable of another organisation'] = { client: other.client, profileId: other.contactId };
  fixtures = { responsable, member, other, otherInvited };
});
after(async () => { await app?.stop(); });

const MEMBERS = '/api/organisation/members';
const TOKENS = '/api/organisation/tokens';

/** The Montreal day `n` days from now (this file never moves the worker's clock). */
const inDays = (n) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal' }).format(Date.now() + n * 24 * 60 * 60 * 1000);

/** Invites a contact without waiting for the email; resolves to the contact. */
async function invite(client, role = 'membre') {
  const res = await client.inviteMember({ first_name: 'Cible', last_name: 'Essai', email: uniqueEmail('cible'), role });
  assert.equal(res.status, 201, `inviting a target: ${res.text}`);
  return res.body.contact;
}

const ANON = 'anonymous';
const PERSONAL = 'a user without an organisation profile';
const MEMBER = 'a member';
const RESPONSABLE = 'the responsable';
const OTHER = 'the responsable of another organisation';

const unauthenticated = [401, 'unauthenticated'];
const noProfile = [403, 'organisation_profile_required'];
const notResponsable = [403, 'responsable_required'];
const notFound = [404, 'not_found'];
const ok = (status = 200) => [status, null];

/**
 * The matrix. Each route: how to call it (`request(actor)` → {method, path, json}; targets that a
 * call changes are made fresh for each cell) and the expected [status, error code] per actor.
 */
const ROUTES = [
  {
    route: 'GET /api/organisation',
    request: () => ({ method: 'GET', path: '/api/organisation' }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: ok(), [RESPONSABLE]: ok(), [OTHER]: ok() },
    check: (actor, res) => {
      if (res.status !== 200) return;
      const own = actor === OTHER ? fixtures.other.organisation : fixtures.responsable.organisation;
      assert.equal(res.body.organisation.id, own.id, 'each sees their own organisation');
    },
  },
  {
    route: 'GET /api/profiles',
    request: () => ({ method: 'GET', path: '/api/profiles' }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: ok(), [MEMBER]: ok(), [RESPONSABLE]: ok(), [OTHER]: ok() },
  },
  {
    route: 'PUT /api/session/profile',
    // Each actor re-selects the profile it already acts as, so the matrix keeps its actors.
    request: (actor) => ({ method: 'PUT', path: '/api/session/profile', json: { profile_id: actors[actor].profileId ?? 'personal' } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: ok(), [MEMBER]: ok(), [RESPONSABLE]: ok(), [OTHER]: ok() },
  },
  {
    route: 'GET /api/organisation/members',
    request: () => ({ method: 'GET', path: MEMBERS }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: ok(), [RESPONSABLE]: ok(), [OTHER]: ok() },
    check: (actor, res) => {
      if (actor !== OTHER) return;
      const ids = res.body.items.map((c) => c.id);
      assert.ok(!ids.includes(fixtures.responsable.contactId) && !ids.includes(fixtures.member.contactId), "another organisation's contacts are invisible");
    },
  },
  {
    route: 'POST /api/organisation/members',
    request: () => ({ method: 'POST', path: MEMBERS, json: { first_name: 'Nouveau', last_name: 'Contact', email: uniqueEmail('matrice'), role: 'membre' } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(201), [OTHER]: ok(201) },
    check: async (actor, res) => {
      if (res.status !== 201) return;
      const [row] = await sql(app, `SELECT organisation_id FROM contacts WHERE id = ${quote(res.body.contact.id)}`);
      const own = actor === OTHER ? fixtures.other.organisation : fixtures.responsable.organisation;
      assert.equal(row.organisation_id, own.id, 'a responsable invites into their own organisation only');
    },
  },
  {
    route: 'GET /api/organisation/members/{id}',
    request: () => ({ method: 'GET', path: `${MEMBERS}/${fixtures.member.contactId}` }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: ok(), [RESPONSABLE]: ok(), [OTHER]: notFound },
  },
  {
    route: 'PATCH /api/organisation/members/{id}',
    target: true,
    request: (actor, target) => ({ method: 'PATCH', path: `${MEMBERS}/${target.id}`, json: { role: 'responsable' } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: notFound },
    after: async (res, target) => {
      const [row] = await sql(app, `SELECT role FROM contacts WHERE id = ${quote(target.id)}`);
      assert.equal(row.role, res.status === 200 ? 'responsable' : 'membre', 'only an accepted change changes the role');
    },
  },
  {
    route: 'DELETE /api/organisation/members/{id}',
    target: true,
    request: (actor, target) => ({ method: 'DELETE', path: `${MEMBERS}/${target.id}` }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: notFound },
    after: async (res, target) => {
      const [row] = await sql(app, `SELECT status FROM contacts WHERE id = ${quote(target.id)}`);
      assert.equal(row.status, res.status === 200 ? 'revoked' : 'invited', 'only an accepted revocation revokes');
    },
  },
  {
    route: 'POST /api/organisation/members/{id}/link-credentials',
    target: true,
    request: (actor, target) => ({ method: 'POST', path: `${MEMBERS}/${target.id}/link-credentials`, json: {} }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(201), [OTHER]: notFound },
    after: async (res, target) => {
      const rows = await sql(app, `SELECT id FROM link_credentials WHERE contact_id = ${quote(target.id)}`);
      assert.equal(rows.length, res.status === 201 ? 2 : 1, 'only an accepted reissue makes new credentials');
    },
  },
  {
    route: 'GET /api/organisation/audit',
    request: () => ({ method: 'GET', path: '/api/organisation/audit' }),
    // The trail is the responsables': a membre is refused.
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: ok() },
    check: (actor, res) => {
      if (actor !== OTHER) return;
      const subjects = res.body.items.map((e) => e.subject?.contact_id);
      assert.ok(!subjects.includes(fixtures.member.contactId), "another organisation's events are invisible");
    },
  },
  {
    route: 'GET /api/organisation/audit.csv',
    request: () => ({ method: 'GET', path: '/api/organisation/audit.csv' }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: ok() },
    check: (actor, res) => {
      if (actor !== OTHER) return;
      assert.ok(!res.text.includes(fixtures.member.email), "another organisation's events are not exported");
    },
  },
  {
    route: 'GET /api/organisation/tokens',
    request: () => ({ method: 'GET', path: TOKENS }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: ok() },
    check: async (actor, res) => {
      if (res.status !== 200) return;
      const own = actor === OTHER ? fixtures.other.organisation : fixtures.responsable.organisation;
      const rows = await sql(app, `SELECT id FROM api_tokens WHERE organisation_id = ${quote(own.id)}`);
      assert.deepEqual(res.body.items.map((t) => t.id).sort(), rows.map((r) => r.id).sort(), 'each lists their own tokens only');
    },
  },
  {
    route: 'POST /api/organisation/tokens',
    request: () => ({ method: 'POST', path: TOKENS, json: { name: 'Matrice', scopes: ['authorized_files:read'], expires_on: inDays(30) } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(201), [OTHER]: ok(201) },
    check: async (actor, res) => {
      if (res.status !== 201) return;
      const [row] = await sql(app, `SELECT organisation_id FROM api_tokens WHERE id = ${quote(res.body.token.id)}`);
      const own = actor === OTHER ? fixtures.other.organisation : fixtures.responsable.organisation;
      assert.equal(row.organisation_id, own.id, 'a responsable creates tokens for their own organisation only');
    },
  },
  {
    route: 'DELETE /api/organisation/tokens/{id}',
    target: async () => {
      const res = await fixtures.responsable.client.createToken({ name: 'Cible', scopes: ['contacts:read'], expires_on: inDays(30) });
      assert.equal(res.status, 201, `creating a target token: ${res.text}`);
      return res.body.token;
    },
    request: (actor, target) => ({ method: 'DELETE', path: `${TOKENS}/${target.id}` }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: noProfile, [MEMBER]: notResponsable, [RESPONSABLE]: ok(), [OTHER]: notFound },
    after: async (res, target) => {
      const [row] = await sql(app, `SELECT revoked_at FROM api_tokens WHERE id = ${quote(target.id)}`);
      assert.equal(row.revoked_at !== null, res.status === 200, 'only an accepted revocation revokes');
    },
  },
  {
    route: 'POST /api/links/credentials',
    request: () => ({ method: 'POST', path: '/api/links/credentials', json: { identifier: 'SEL-ZZZZ-ZZZZ', code: 'ZZZZZ-ZZZZZ' } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: [404, 'link_not_found'], [MEMBER]: [404, 'link_not_found'], [RESPONSABLE]: [404, 'link_not_found'], [OTHER]: [404, 'link_not_found'] },
  },
  {
    route: 'POST /api/links/legacy',
    request: () => ({ method: 'POST', path: '/api/links/legacy', json: { username: 'er00000000', password: 'motdepasse' } }),
    expect: {
      [ANON]: unauthenticated, [PERSONAL]: [401, 'invalid_legacy_credentials'], [MEMBER]: [401, 'invalid_legacy_credentials'],
      [RESPONSABLE]: [401, 'invalid_legacy_credentials'], [OTHER]: [401, 'invalid_legacy_credentials'],
    },
  },
  {
    route: 'POST /api/links/known-facts',
    request: () => ({ method: 'POST', path: '/api/links/known-facts', json: { file_number: uniqueFileNumber(), postal_code: 'H2X 1Y4' } }),
    expect: { [ANON]: unauthenticated, [PERSONAL]: ok(202), [MEMBER]: ok(202), [RESPONSABLE]: ok(202), [OTHER]: ok(202) },
  },
];

describe('the access matrix', () => {
  for (const spec of ROUTES) {
    for (const [actor, [status, code]] of Object.entries(spec.expect)) {
      test(`${spec.route} as ${actor} answers ${status}${code ? ` ${code}` : ''}`, async () => {
        const target = spec.target ? await (typeof spec.target === 'function' ? spec.target() : invite(fixtures.responsable.client)) : undefined;
        const { method, path, json } = spec.request(actor, target);

        const res = await actors[actor].client.request(method, path, json === undefined ? {} : { json });

        assert.equal(res.status, status, `${spec.route} as ${actor}: ${res.text.slice(0, 300)}`);
        if (code) assert.equal(res.body?.error?.code, code, `${spec.route} as ${actor}`);
        await spec.check?.(actor, res);
        if (target) await spec.after(res, target);
      });
    }
  }

  test('the matrix left every actor acting as before', async () => {
    for (const [actor, { client, profileId }] of Object.entries(actors)) {
      const me = await client.me();
      if (profileId === null) assert.equal(me.status, 401, actor);
      else assert.equal(me.body.active_profile.id, profileId, actor);
    }
  });
});

// --- No IDOR -------------------------------------------------------------------------------------

describe("ids of another organisation", () => {
  const organisationB = () => fixtures.other.organisation.id;
  const snapshotB = () => sql(app, `SELECT c.id, c.role, c.status, c.user_id,
      (SELECT COUNT(*) FROM link_credentials l WHERE l.contact_id = c.id) AS credentials
    FROM contacts c WHERE c.organisation_id = ${quote(organisationB())} ORDER BY c.id`);
  let initial;
  test('are taken before the probes', async () => { initial = await snapshotB(); assert.ok(initial.length >= 2, 'the other organisation has its responsable and an invited contact'); });

  const probes = [
    ['GET', (id) => `${MEMBERS}/${id}`, undefined],
    ['PATCH', (id) => `${MEMBERS}/${id}`, { role: 'membre' }],
    ['PATCH', (id) => `${MEMBERS}/${id}`, { role: 'responsable' }],
    ['DELETE', (id) => `${MEMBERS}/${id}`, undefined],
    ['POST', (id) => `${MEMBERS}/${id}/link-credentials`, {}],
  ];
  for (const [method, pathOf, json] of probes) {
    for (const [label, idOf] of [["another organisation's responsable", () => fixtures.other.contactId], ["another organisation's invited contact", () => fixtures.otherInvited.id]]) {
      test(`${method} ${pathOf('{id}')}${json ? ` ${JSON.stringify(json)}` : ''} on ${label} answers 404 not_found`, async () => {
        const res = await fixtures.responsable.client.request(method, pathOf(idOf()), json === undefined ? {} : { json });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.error.code, 'not_found');
      });
    }
  }

  test("choosing another organisation's contact as a profile answers 404 profile_not_found", async () => {
    const res = await fixtures.responsable.client.selectProfile(fixtures.other.contactId);
    assert.equal(res.status, 404, res.text);
    assert.equal(res.body.error.code, 'profile_not_found');
    assert.equal((await fixtures.responsable.client.me()).body.active_profile.id, fixtures.responsable.contactId);
  });

  test('changed nothing in the other organisation', async () => {
    assert.deepEqual(await snapshotB(), initial);
  });

  for (const [label, id] of [['an id that does not exist', '0123456789abcdef0123456789abcdef'], ['an id of 65 characters', 'a'.repeat(65)],
    ['an id with a percent-encoded slash', 'abc%2Fdef'], ['an id with non-ASCII letters', '%C3%A9t%C3%A9'], ['an id with a dot', 'abc.def']]) {
    test(`every member route with ${label} answers 404`, async () => {
      for (const [method, pathOf, json] of probes) {
        const res = await fixtures.responsable.client.request(method, pathOf(id), json === undefined ? {} : { json });
        assert.equal(res.status, 404, `${method} ${pathOf(id)}: ${res.text}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${pathOf(id)} answers JSON`);
      }
    });
  }
});

// --- Operator routes -----------------------------------------------------------------------------

describe('the operator routes', () => {
  const routes = [
    ['/api/operator/organisations', () => organisationForm()],
    ['/api/operator/legacy-credentials', () => ({ items: [] })],
  ];
  const refused = [
    ['no Authorization header', { token: null }],
    ['a wrong token', { token: 'not-the-token' }],
    ['the token with a character more', { token: 'dev-operator-tokenx' }],
    ['the token with a character less', { token: 'dev-operator-toke' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['the token in another scheme', { authorization: `Basic ${Buffer.from('operator:dev-operator-token').toString('base64')}` }],
    ['the token without a scheme', { authorization: 'dev-operator-token' }],
  ];
  for (const [path, body] of routes) {
    for (const [label, options] of refused) {
      test(`POST ${path} with ${label} answers 401 operator_token_required and writes nothing`, async () => {
        const counts = await writeCounts(app);
        const res = await operatorRequest(app, path, { json: body(), ...options });
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.error.code, 'operator_token_required');
        assert.deepEqual(await writeCounts(app), counts);
      });
    }
    test(`POST ${path} with a responsable's session cookie but no token answers 401 operator_token_required`, async () => {
      const res = await fixtures.responsable.client.request('POST', path, { json: body() });
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.error.code, 'operator_token_required');
    });
    test(`POST ${path} checks the token before the body: a bad body without a token answers 401`, async () => {
      const res = await operatorRequest(app, path, { body: '{"broken', token: null, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 401, res.text);
    });
  }
});

describe('in production', () => {
  let production;
  before(async () => {
    production = await spawnApp({ vars: { ENVIRONMENT: 'production', EMAIL_PROVIDER: 'http', EMAIL_API_KEY: 'test-key', CODE_HASH_KEY: 'a-production-key-for-tests-only' } });
  });
  after(async () => { await production?.stop(); });

  for (const path of ['/api/operator/organisations', '/api/operator/legacy-credentials']) {
    test(`POST ${path} refuses the development token when no OPERATOR_TOKEN secret is set`, async () => {
      const res = await operatorRequest(production, path, { json: path.endsWith('organisations') ? organisationForm() : { items: [] } });
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.error.code, 'operator_token_required');
    });
  }
});
