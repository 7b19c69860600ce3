// Who may call what, for every route of authorizations: each route × (anonymous, a user without an
// organisation profile, a firm member, a firm responsable, an employer responsable, a plain membre
// of the employer, another employer's responsable, another firm's member) with the expected status
// and code in one table; targets that a call changes are made fresh for each cell and checked
// after it. Then no IDOR: another employer's authorization, another firm's access request and
// another contact's authorized file answer 404 and change nothing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import { signedUp, createOrganisation } from '../support/orgs.mjs';
import {
  employer, firmWithMember, anotherMember, invitedContact, granted, grantBody, seedMigrated, authorizationRow, authzCounts,
  sql, quote, randomPostalCode, EMPLOYER_AUTHORIZATIONS, EMPLOYER_REQUESTS, REVIEW, ACCESS_REQUESTS, FILES, FILES_CSV, MEMBERS,
} from '../support/authz.mjs';

let app;
const actors = {};
let f; // fixtures

const ANON = 'anonymous';
const PERSONAL = 'a user without an organisation profile';
const FIRM_MEMBER = 'a firm member';
const FIRM_RESP = 'the firm responsable';
const EMP_RESP = 'the employer responsable';
const EMP_PLAIN = 'a plain membre of the employer';
const OTHER_EMP = "another employer's responsable";
const OTHER_FIRM = "another firm's member";
const ORG_ACTORS = [FIRM_MEMBER, FIRM_RESP, EMP_RESP, EMP_PLAIN, OTHER_EMP, OTHER_FIRM];

before(async () => {
  app = await spawnApp();
  const boss = await employer(app, { name: 'Employeur Matrice inc.' });
  const plain = await anotherMember(app, boss.client, { first_name: 'Paul', last_name: 'Simple' });
  const otherBoss = await employer(app, { name: 'Autre Employeur ltée' });
  const firm = await firmWithMember(app, { overrides: { name: 'Cabinet Matrice' } });
  const otherFirm = await firmWithMember(app, { overrides: { name: 'Autre Cabinet' } });
  const personal = await signedUp(app);
  // An employer for the firm-side requests: made by the operator, nobody links it.
  const requestedPostal = randomPostalCode();
  const requested = await createOrganisation(app, { kind: 'employer', name: 'Employeur Sollicité', postal_code: requestedPostal });
  const file = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report', 'workforce'] }));
  actors[ANON] = { client: app.client(), profileId: null };
  actors[PERSONAL] = { client: personal.client, profileId: 'personal' };
  actors[FIRM_MEMBER] = { client: firm.member.client, profileId: firm.member.contactId };
  actors[FIRM_RESP] = { client: firm.responsable.client, profileId: firm.responsable.contactId };
  actors[EMP_RESP] = { client: boss.client, profileId: boss.contactId };
  actors[EMP_PLAIN] = { client: plain.client, profileId: plain.contactId };
  actors[OTHER_EMP] = { client: otherBoss.client, profileId: otherBoss.contactId };
  actors[OTHER_FIRM] = { client: otherFirm.member.client, profileId: otherFirm.member.contactId };
  f = { boss, plain, otherBoss, firm, otherFirm, file, requested: { ...requested.organisation, postal_code: requestedPostal } };
});
after(async () => { await app?.stop(); });

const unauthenticated = [401, 'unauthenticated'];
const noProfile = [403, 'organisation_profile_required'];
const notEmployer = [403, 'employer_profile_required'];
const notAdmin = [403, 'authorization_admin_required'];
const notResponsable = [403, 'responsable_required'];
const notFound = [404, 'not_found'];
const ok = (status = 200) => [status, null];

/** Employer routes on the employer's own objects: only its administrators; another employer gets `other`. */
const employerRoute = (success, other = notFound) => ({
  [ANON]: unauthenticated, [PERSONAL]: noProfile, [FIRM_MEMBER]: notEmployer, [FIRM_RESP]: notEmployer,
  [EMP_RESP]: success, [EMP_PLAIN]: notAdmin, [OTHER_EMP]: other, [OTHER_FIRM]: notEmployer,
});
/** Routes every organisation profile may call. */
const anyOrganisation = (success) => ({ [ANON]: unauthenticated, [PERSONAL]: noProfile, ...Object.fromEntries(ORG_ACTORS.map((a) => [a, success])) });
/** Routes on one contact's object: that contact only, everyone else 404. */
const ownerOnly = (owner, success = ok()) => ({ ...anyOrganisation(notFound), [owner]: success });

// --- Targets made fresh for each cell ----------------------------------------------------------------

/** An authorization of the employer on a newly invited contact of the firm. */
async function freshAuthorization() {
  const contact = await invitedContact(f.firm.responsable.client, { first_name: 'Cible', last_name: 'Matrice' });
  return granted(f.boss.client, grantBody(f.firm.organisation, contact.email));
}
/** A migrated relation of the employer awaiting review. */
async function freshMigrated() {
  const contact = await invitedContact(f.firm.responsable.client, { first_name: 'Migré', last_name: 'Matrice' });
  return { id: await seedMigrated(app, { employer: f.boss.organisation, firm: f.firm.organisation, contactId: contact.id }) };
}
/** A pending request of the firm's responsable to `emp` ({file_number, postal_code}). */
async function freshRequest(emp) {
  const res = await f.firm.responsable.client.requestAccess({ file_number: emp.file_number, postal_code: emp.postal_code, services: ['workforce'] });
  assert.equal(res.status, 201, `a request as target: ${res.text}`);
  return res.body.access_request;
}
/** Leaves no pending request nor authorization behind a request target, so the next cell can make one. */
async function clearRequest(target) {
  const [row] = await sql(app, `SELECT status, authorization_id FROM access_requests WHERE id = ${quote(target.id)}`);
  if (row.status === 'pending') assert.equal((await f.firm.responsable.client.cancelAccessRequest(target.id)).status, 200);
  if (row.authorization_id) assert.equal((await f.boss.client.revokeAuthorization(row.authorization_id)).status, 200);
}
const requestStatus = async (id) => (await sql(app, `SELECT status FROM access_requests WHERE id = ${quote(id)}`))[0].status;

const bossEmployer = () => ({ file_number: f.boss.organisation.file_number, postal_code: f.boss.postalCode });

/**
 * The matrix. Each route: how to call it (`request(actor, target)` → {method, path, json}), an
 * optional fresh `target()` per cell with an `after(res, target, actor)` check, and the expected
 * [status, code] per actor.
 */
const ROUTES = [
  {
    route: 'GET /api/employer/authorizations',
    request: () => ({ method: 'GET', path: `${EMPLOYER_AUTHORIZATIONS}?page_size=100` }),
    expect: employerRoute(ok(), ok()),
    check: (actor, res) => {
      if (res.status !== 200) return;
      const own = actor === OTHER_EMP ? f.otherBoss.organisation.id : f.boss.organisation.id;
      assert.ok(res.body.items.every((a) => a.employer.id === own), 'each employer sees only its own authorizations');
      assert.equal(res.body.items.some((a) => a.id === f.file.id), actor === EMP_RESP);
    },
  },
  {
    route: 'POST /api/employer/authorizations',
    target: () => invitedContact(f.firm.responsable.client, { first_name: 'Nouvelle', last_name: 'Autorisation' }),
    request: (actor, target) => ({ method: 'POST', path: EMPLOYER_AUTHORIZATIONS, json: grantBody(f.firm.organisation, target.email) }),
    expect: employerRoute(ok(201), ok(201)),
    after: async (res, target, actor) => {
      const rows = await sql(app, `SELECT employer_id FROM authorizations WHERE contact_id = ${quote(target.id)}`);
      assert.equal(rows.length, res.status === 201 ? 1 : 0, 'only an accepted grant writes');
      if (rows.length) assert.equal(rows[0].employer_id, actor === OTHER_EMP ? f.otherBoss.organisation.id : f.boss.organisation.id, "on the grantor's own file");
    },
  },
  {
    route: 'GET /api/employer/authorizations/{id}',
    request: () => ({ method: 'GET', path: `${EMPLOYER_AUTHORIZATIONS}/${f.file.id}` }),
    expect: employerRoute(ok()),
  },
  {
    route: 'PATCH /api/employer/authorizations/{id}',
    target: freshAuthorization,
    request: (actor, target) => ({ method: 'PATCH', path: `${EMPLOYER_AUTHORIZATIONS}/${target.id}`, json: { level: 'transmission' } }),
    expect: employerRoute(ok()),
    after: async (res, target) => assert.equal((await authorizationRow(app, target.id)).level, res.status === 200 ? 'transmission' : 'consultation'),
  },
  {
    route: 'DELETE /api/employer/authorizations/{id}',
    target: freshAuthorization,
    request: (actor, target) => ({ method: 'DELETE', path: `${EMPLOYER_AUTHORIZATIONS}/${target.id}` }),
    expect: employerRoute(ok()),
    after: async (res, target) => assert.equal((await authorizationRow(app, target.id)).status, res.status === 200 ? 'revoked' : 'active'),
  },
  {
    route: 'POST /api/employer/authorizations/{id}/confirm',
    target: freshMigrated,
    request: (actor, target) => ({ method: 'POST', path: `${EMPLOYER_AUTHORIZATIONS}/${target.id}/confirm`, json: {} }),
    expect: employerRoute(ok()),
    after: async (res, target) => assert.equal((await authorizationRow(app, target.id)).confirmed_at !== null, res.status === 200),
  },
  {
    route: 'POST /api/employer/migrated-relations/review',
    target: freshMigrated,
    request: (actor, target) => ({ method: 'POST', path: REVIEW, json: { decision: 'confirm', ids: [target.id] } }),
    // Another employer's review finds none of its own relations among these ids.
    expect: employerRoute(ok(), ok()),
    check: (actor, res) => {
      if (actor === EMP_RESP) assert.deepEqual(res.body, { confirmed: 1 });
      if (actor === OTHER_EMP) assert.deepEqual(res.body, { confirmed: 0 }, "another employer's ids are not reviewed");
    },
    after: async (res, target, actor) => assert.equal((await authorizationRow(app, target.id)).confirmed_at !== null, actor === EMP_RESP),
  },
  {
    route: 'GET /api/employer/access-requests',
    request: () => ({ method: 'GET', path: `${EMPLOYER_REQUESTS}?status=all&page_size=100` }),
    expect: employerRoute(ok(), ok()),
    check: (actor, res) => {
      if (res.status !== 200) return;
      const own = actor === OTHER_EMP ? f.otherBoss.organisation.id : f.boss.organisation.id;
      assert.ok(res.body.items.every((r) => r.employer.id === own), 'each employer sees only requests for its own file');
    },
  },
  {
    route: 'POST /api/employer/access-requests/{id}/approve',
    target: () => freshRequest(bossEmployer()),
    request: (actor, target) => ({ method: 'POST', path: `${EMPLOYER_REQUESTS}/${target.id}/approve`, json: { services: ['workforce'], level: 'consultation' } }),
    expect: employerRoute(ok()),
    after: async (res, target) => {
      assert.equal(await requestStatus(target.id), res.status === 200 ? 'approved' : 'pending');
      await clearRequest(target);
    },
  },
  {
    route: 'POST /api/employer/access-requests/{id}/decline',
    target: () => freshRequest(bossEmployer()),
    request: (actor, target) => ({ method: 'POST', path: `${EMPLOYER_REQUESTS}/${target.id}/decline`, json: { reason: 'Non' } }),
    expect: employerRoute(ok()),
    after: async (res, target) => {
      assert.equal(await requestStatus(target.id), res.status === 200 ? 'declined' : 'pending');
      await clearRequest(target);
    },
  },
  {
    route: 'PATCH /api/organisation/members/{id} with manages_authorizations',
    target: () => invitedContact(f.boss.client, { first_name: 'Futur', last_name: 'Administrateur' }),
    request: (actor, target) => ({ method: 'PATCH', path: `${MEMBERS}/${target.id}`, json: { manages_authorizations: true } }),
    expect: {
      [ANON]: unauthenticated, [PERSONAL]: noProfile, [FIRM_MEMBER]: notResponsable, [FIRM_RESP]: [422, 'validation_failed'],
      [EMP_RESP]: ok(), [EMP_PLAIN]: notResponsable, [OTHER_EMP]: notFound, [OTHER_FIRM]: notResponsable,
    },
    after: async (res, target) => {
      const [row] = await sql(app, `SELECT manages_authorizations FROM contacts WHERE id = ${quote(target.id)}`);
      assert.equal(row.manages_authorizations, res.status === 200 ? 1 : 0);
    },
  },
  {
    route: 'POST /api/access-requests',
    request: () => ({ method: 'POST', path: ACCESS_REQUESTS, json: { file_number: f.requested.file_number, postal_code: f.requested.postal_code, services: ['workforce'] } }),
    expect: anyOrganisation(ok(201)),
    check: async (actor, res) => {
      if (res.status !== 201) return;
      assert.equal(res.body.access_request.contact.id, actors[actor].profileId, "the request is the active contact's");
      assert.equal((await actors[actor].client.cancelAccessRequest(res.body.access_request.id)).status, 200, 'its maker may cancel it');
    },
  },
  {
    route: 'GET /api/access-requests',
    request: () => ({ method: 'GET', path: `${ACCESS_REQUESTS}?page_size=100` }),
    expect: anyOrganisation(ok()),
    check: (actor, res) => {
      if (res.status !== 200) return;
      assert.ok(res.body.items.every((r) => r.firm.id === (res.body.items[0]?.firm.id)), "only the requester's organisation's requests");
      if (actor === OTHER_FIRM) assert.ok(!res.body.items.some((r) => r.firm.id === f.firm.organisation.id), "another firm's requests are invisible");
    },
  },
  {
    route: 'DELETE /api/access-requests/{id}',
    target: () => freshRequest(f.requested),
    request: (actor, target) => ({ method: 'DELETE', path: `${ACCESS_REQUESTS}/${target.id}` }),
    expect: ownerOnly(FIRM_RESP),
    after: async (res, target) => {
      assert.equal(await requestStatus(target.id), res.status === 200 ? 'cancelled' : 'pending');
      await clearRequest(target);
    },
  },
  {
    route: 'GET /api/authorized-files',
    request: () => ({ method: 'GET', path: `${FILES}?page_size=100` }),
    expect: anyOrganisation(ok()),
    check: (actor, res) => {
      if (res.status !== 200) return;
      assert.equal(res.body.items.some((x) => x.id === f.file.id), actor === FIRM_MEMBER, "only the authorized contact lists the file");
    },
  },
  {
    route: 'GET /api/authorized-files.csv',
    request: () => ({ method: 'GET', path: FILES_CSV }),
    expect: anyOrganisation(ok()),
    check: (actor, res) => {
      if (res.status !== 200) return;
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.equal(res.text.includes(f.boss.organisation.file_number), actor === FIRM_MEMBER, 'only the authorized contact exports the file');
    },
  },
  {
    route: 'GET /api/authorized-files/{id}',
    request: () => ({ method: 'GET', path: `${FILES}/${f.file.id}` }),
    expect: ownerOnly(FIRM_MEMBER),
  },
  {
    route: 'GET /api/authorized-files/{id}/monthly-report',
    request: () => ({ method: 'GET', path: `${FILES}/${f.file.id}/monthly-report` }),
    expect: ownerOnly(FIRM_MEMBER),
  },
  ...monthlyReportRoutes(),
];

/** A month of the 2000s no other cell used: each cell's reports start afresh. */
let reportMonths = 0;
const freshReportMonth = () => {
  reportMonths += 1;
  return `${2001 + Math.floor(reportMonths / 12)}-${String((reportMonths % 12) + 1).padStart(2, '0')}`;
};
const EMPLOYER_REPORTS = '/api/employer/monthly-reports';
const REPORT_CSV = 'worker_name;worker_id;trade;region;regular_hours;overtime_hours;gross_wages\nAna;1234567;electricien;montreal;1;0;10\n';

/**
 * The monthly report: the firm member (authorized at level consultation) reads the file's reports
 * and may not write them; every contact of the employer reads and writes its own; another
 * employer reaches only its own reports (so its transmission or correction of the same month finds
 * nothing); every other organisation's profile finds no such file.
 */
function monthlyReportRoutes() {
  const fileReports = () => `${FILES}/${f.file.id}/monthly-reports`;
  const readOnly = [403, 'transmission_not_authorized'];
  const ownReports = (success, other = success) => ({
    [ANON]: unauthenticated, [PERSONAL]: noProfile, [FIRM_MEMBER]: notEmployer, [FIRM_RESP]: notEmployer,
    [EMP_RESP]: success, [EMP_PLAIN]: success, [OTHER_EMP]: other, [OTHER_FIRM]: notEmployer,
  });
  const drafted = async () => {
    const month = freshReportMonth();
    const res = await f.boss.client.saveEmployerReport(month, { no_activity: true });
    assert.equal(res.status, 200, res.text);
    return { month };
  };
  const transmitted = async () => {
    const { month } = await drafted();
    assert.equal((await f.boss.client.transmitEmployerReport(month)).status, 200);
    return { month };
  };
  return [
    { route: 'GET /api/authorized-files/{id}/monthly-reports', request: () => ({ method: 'GET', path: fileReports() }), expect: ownerOnly(FIRM_MEMBER) },
    { route: 'GET /api/authorized-files/{id}/monthly-reports/{month}', request: () => ({ method: 'GET', path: `${fileReports()}/2001-01` }), expect: ownerOnly(FIRM_MEMBER) },
    { route: 'PUT /api/authorized-files/{id}/monthly-reports/{month}', request: () => ({ method: 'PUT', path: `${fileReports()}/2001-01`, json: { no_activity: true } }), expect: ownerOnly(FIRM_MEMBER, readOnly) },
    {
      route: 'POST /api/authorized-files/{id}/monthly-reports/{month}/import',
      request: () => ({ method: 'POST', path: `${fileReports()}/2001-01/import`, body: REPORT_CSV, headers: { 'content-type': 'text/csv' } }),
      expect: ownerOnly(FIRM_MEMBER, readOnly),
    },
    { route: 'POST /api/authorized-files/{id}/monthly-reports/{month}/transmit', target: drafted, request: (a, t) => ({ method: 'POST', path: `${fileReports()}/${t.month}/transmit` }), expect: ownerOnly(FIRM_MEMBER, readOnly) },
    { route: 'POST /api/authorized-files/{id}/monthly-reports/{month}/correct', target: transmitted, request: (a, t) => ({ method: 'POST', path: `${fileReports()}/${t.month}/correct` }), expect: ownerOnly(FIRM_MEMBER, readOnly) },
    { route: 'GET /api/employer/monthly-reports', request: () => ({ method: 'GET', path: EMPLOYER_REPORTS }), expect: ownReports(ok()) },
    { route: 'GET /api/employer/monthly-reports/{month}', request: () => ({ method: 'GET', path: `${EMPLOYER_REPORTS}/2001-01` }), expect: ownReports(ok()) },
    { route: 'PUT /api/employer/monthly-reports/{month}', request: () => ({ method: 'PUT', path: `${EMPLOYER_REPORTS}/2001-02`, json: { no_activity: true } }), expect: ownReports(ok()) },
    {
      route: 'POST /api/employer/monthly-reports/{month}/import',
      request: () => ({ method: 'POST', path: `${EMPLOYER_REPORTS}/2001-03/import`, body: REPORT_CSV, headers: { 'content-type': 'text/csv' } }),
      expect: ownReports(ok()),
    },
    {
      route: 'POST /api/employer/monthly-reports/{month}/transmit',
      target: drafted,
      request: (a, t) => ({ method: 'POST', path: `${EMPLOYER_REPORTS}/${t.month}/transmit` }),
      expect: ownReports(ok(), [409, 'monthly_report_no_draft']),
    },
    {
      route: 'POST /api/employer/monthly-reports/{month}/correct',
      target: transmitted,
      request: (a, t) => ({ method: 'POST', path: `${EMPLOYER_REPORTS}/${t.month}/correct` }),
      expect: ownReports(ok(201), [409, 'monthly_report_nothing_to_correct']),
    },
  ];
}

describe('the access matrix of authorizations', () => {
  for (const spec of ROUTES) {
    for (const [actor, [status, code]] of Object.entries(spec.expect)) {
      test(`${spec.route} as ${actor} answers ${status}${code ? ` ${code}` : ''}`, async () => {
        const target = spec.target ? await spec.target() : undefined;
        const { method, path, json, body, headers } = spec.request(actor, target);

        const res = await actors[actor].client.request(method, path, json === undefined ? { body, headers } : { json });

        assert.equal(res.status, status, `${spec.route} as ${actor}: ${res.text.slice(0, 300)}`);
        if (code) assert.equal(res.body?.error?.code, code, `${spec.route} as ${actor}`);
        await spec.check?.(actor, res);
        if (target && spec.after) await spec.after(res, target, actor);
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

  test('the matrix covers every issue-4 route of the OpenAPI document', async () => {
    const doc = await (await fetch(`${app.baseUrl}/api/openapi.json`)).json();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => /\/api\/(employer|access-requests|authorized-files)/.test(r));
    const covered = new Set(ROUTES.map((r) => r.route));
    assert.deepEqual(documented.filter((r) => !covered.has(r)), [], 'every documented route is in the matrix');
  });
});

// --- No IDOR -------------------------------------------------------------------------------------------

describe("another organisation's ids", () => {
  let before_;
  let victims;
  test('are set up: an authorization, a migrated relation and a pending request of the employer, a file of the firm member', async () => {
    victims = {
      authorization: await freshAuthorization(),
      migrated: await freshMigrated(),
      request: await freshRequest(bossEmployer()),
      firmRequest: await freshRequest(f.requested),
    };
    before_ = await authzCounts(app);
    assert.ok(before_.authorizations >= 3);
  });

  // [actor, method, what is probed, path of the victims, body]
  const PROBES = [
    [OTHER_EMP, 'GET', "the employer's authorization", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.authorization.id}`],
    [OTHER_EMP, 'PATCH', "the employer's authorization (level)", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.authorization.id}`, { level: 'transmission' }],
    [OTHER_EMP, 'PATCH', "the employer's authorization (every service)", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.authorization.id}`, { services: ['workforce', 'site_identification', 'status_letter', 'monthly_report'] }],
    [OTHER_EMP, 'PATCH', "the employer's authorization (no end date)", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.authorization.id}`, { ends_on: null }],
    [OTHER_EMP, 'DELETE', "the employer's authorization", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.authorization.id}`],
    [OTHER_EMP, 'GET', "the employer's migrated relation", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.migrated.id}`],
    [OTHER_EMP, 'POST', "the confirmation of the employer's migrated relation", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.migrated.id}/confirm`, {}],
    [OTHER_EMP, 'DELETE', "the employer's migrated relation", (v) => `${EMPLOYER_AUTHORIZATIONS}/${v.migrated.id}`],
    [OTHER_EMP, 'POST', "the approval of a request to the employer", (v) => `${EMPLOYER_REQUESTS}/${v.request.id}/approve`, { services: ['workforce'], level: 'transmission' }],
    [OTHER_EMP, 'POST', "the decline of a request to the employer", (v) => `${EMPLOYER_REQUESTS}/${v.request.id}/decline`, { reason: 'Non' }],
    [OTHER_FIRM, 'DELETE', "the firm's request to another employer", (v) => `${ACCESS_REQUESTS}/${v.firmRequest.id}`],
    [OTHER_FIRM, 'DELETE', "the firm's request to the employer", (v) => `${ACCESS_REQUESTS}/${v.request.id}`],
    [FIRM_MEMBER, 'DELETE', "a colleague's request", (v) => `${ACCESS_REQUESTS}/${v.firmRequest.id}`],
    [EMP_RESP, 'DELETE', 'a request made to it, as if the employer were the requester', (v) => `${ACCESS_REQUESTS}/${v.request.id}`],
    [FIRM_RESP, 'GET', "a member's authorized file", () => `${FILES}/${f.file.id}`],
    [FIRM_RESP, 'GET', "a member's monthly report", () => `${FILES}/${f.file.id}/monthly-report`],
    [OTHER_FIRM, 'GET', "another firm's member's authorized file", () => `${FILES}/${f.file.id}`],
    [OTHER_FIRM, 'GET', "another firm's member's monthly report", () => `${FILES}/${f.file.id}/monthly-report`],
    [EMP_RESP, 'GET', 'the authorized file of the contact it authorized', () => `${FILES}/${f.file.id}`],
    [EMP_RESP, 'GET', 'the monthly report of the contact it authorized', () => `${FILES}/${f.file.id}/monthly-report`],
    [FIRM_MEMBER, 'GET', "a colleague's authorized file", (v) => `${FILES}/${v.authorization.id}`],
  ];
  for (const [actor, method, what, pathOf, json] of PROBES) {
    test(`${method} on ${what}, as ${actor}, answers 404 not_found`, async () => {
      const path = pathOf(victims);

      const res = await actors[actor].client.request(method, path, json === undefined ? {} : { json });

      assert.equal(res.status, 404, `${actor}: ${method} ${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'not_found', `${actor}: ${method} ${path}`);
    });
  }

  test("the probes changed nothing: same authorizations, requests, events and totals", async () => {
    assert.deepEqual(await authzCounts(app), before_);
  });

  test("another employer's review with their ids confirms nothing", async () => {
    const res = await actors[OTHER_EMP].client.reviewMigratedRelations({ decision: 'revoke', ids: [victims.migrated.id, victims.authorization.id] });
    assert.ok(res.status === 404 || (res.status === 200 && res.body.revoked === 0), `${res.status} ${res.text}`);
    assert.deepEqual(await authzCounts(app), before_);
  });

  for (const [label, id] of [['an id that does not exist', '0123456789abcdef0123456789abcdef'], ['an id of 65 characters', 'a'.repeat(65)],
    ['an id with a percent-encoded slash', 'abc%2Fdef'], ['an id with non-ASCII letters', '%C3%A9t%C3%A9'], ['an id with a dot', 'abc.def']]) {
    test(`every {id} route with ${label} answers a JSON 404`, async () => {
      const routes = [
        [EMP_RESP, 'GET', `${EMPLOYER_AUTHORIZATIONS}/${id}`], [EMP_RESP, 'PATCH', `${EMPLOYER_AUTHORIZATIONS}/${id}`, { level: 'transmission' }],
        [EMP_RESP, 'DELETE', `${EMPLOYER_AUTHORIZATIONS}/${id}`], [EMP_RESP, 'POST', `${EMPLOYER_AUTHORIZATIONS}/${id}/confirm`, {}],
        [EMP_RESP, 'POST', `${EMPLOYER_REQUESTS}/${id}/approve`, { services: ['workforce'], level: 'consultation' }],
        [EMP_RESP, 'POST', `${EMPLOYER_REQUESTS}/${id}/decline`, {}], [FIRM_RESP, 'DELETE', `${ACCESS_REQUESTS}/${id}`],
        [FIRM_MEMBER, 'GET', `${FILES}/${id}`], [FIRM_MEMBER, 'GET', `${FILES}/${id}/monthly-report`],
      ];
      for (const [actor, method, path, json] of routes) {
        const res = await actors[actor].client.request(method, path, json === undefined ? {} : { json });
        assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path} answers JSON`);
      }
      assert.deepEqual(await authzCounts(app), before_, 'nothing changed');
    });
  }
});

