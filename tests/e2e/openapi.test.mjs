// The OpenAPI document and the worker agree: every documented operation is answered, every
// answer's status is documented for its operation, and real bodies (errors and the happy path)
// have the properties and types the document's schemas declare.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, TestApp, waitFor } from '../support/app.mjs';
import { linkedResponsible, createOrganisation } from '../support/orgs.mjs';
import { withReceiver, grant as grantWithWebhook } from '../support/webhooks.mjs';
import { bearerGet, primeRateLimit, ALL_SCOPES, CONTACTS_SCOPE } from '../support/tokens.mjs';
import { employer, firmWithMember, anotherMember, grantBody, seedMigrated, invitedContact, today, addDays } from '../support/authz.mjs';

let app;
let doc;
before(async () => {
  app = await spawnApp();
  const res = await fetch(`${app.baseUrl}/api/openapi.json`);
  doc = await res.json();
});
after(async () => { await app?.stop(); });

// ---------------------------------------------------------------------------------------------
// A tiny JSON Schema checker: $ref (local), type, required, properties, additionalProperties,
// items, const, enum, pattern, minimum, allOf, anyOf, oneOf. Returns the list of problems, each with its JSON path.

function resolveRef(ref) {
  assert.ok(ref.startsWith('#/'), `only local $refs are supported: ${ref}`);
  const target = ref.slice(2).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node, key) => node?.[key], doc);
  assert.ok(target !== undefined, `the $ref ${ref} resolves`);
  return target;
}

const deref = (node) => (node && node.$ref ? deref(resolveRef(node.$ref)) : node);

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(schema, value, path = '$') {
  schema = deref(schema);
  if (schema === undefined || schema === true) return [];
  const problems = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = [schema.type].flat();
    const ok = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!ok) return [`${path}: expected ${allowed.join(' or ')}, got ${actual} (${JSON.stringify(value)?.slice(0, 80)})`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) {
    problems.push(`${path}: expected the constant ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${path}: expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`);
  }
  if (schema.pattern && actual === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  for (const part of schema.allOf ?? []) problems.push(...check(part, value, path));
  for (const [keyword, wanted] of [['anyOf', (n) => n >= 1], ['oneOf', (n) => n === 1]]) {
    if (!schema[keyword]) continue;
    const matching = schema[keyword].filter((alternative) => check(alternative, value, path).length === 0).length;
    if (!wanted(matching)) problems.push(`${path}: ${matching} of the ${keyword} alternatives match ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) {
    problems.push(`${path}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (actual === 'object') {
    for (const name of schema.required ?? []) {
      if (!(name in value)) problems.push(`${path}: the required property "${name}" is missing`);
    }
    for (const [name, member] of Object.entries(value)) {
      if (schema.properties && name in schema.properties) {
        problems.push(...check(schema.properties[name], member, `${path}.${name}`));
      } else if (schema.additionalProperties === false) {
        problems.push(`${path}: the property "${name}" is not declared`);
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(...check(schema.additionalProperties, member, `${path}.${name}`));
      }
    }
  }
  if (actual === 'array' && schema.items) {
    value.forEach((item, i) => problems.push(...check(schema.items, item, `${path}[${i}]`)));
  }
  return problems;
}

/** The documented operations, as [METHOD, path, operation]. */
function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method))
    .map(([method, operation]) => [method.toUpperCase(), path, operation]));
}

/** The JSON schema documented for `status` of an operation, or a failure saying it is undocumented. */
function documentedResponse(method, path, status) {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${path} is documented`);
  const response = deref(operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default);
  assert.ok(response, `${method} ${path} answered ${status}, which the document does not list (it lists ${Object.keys(operation.responses).join(', ')})`);
  return response;
}

/** Asserts that a real answer is documented for its operation and matches the documented schema. */
function assertDocumented(method, path, res) {
  const response = documentedResponse(method, path, res.status);
  const media = response.content && Object.keys(response.content)[0];
  if (!media) {
    assert.equal(res.text, '', `${method} ${path} ${res.status} is documented without a body but answered ${res.text}`);
    return;
  }
  assert.match(res.headers.get('content-type') ?? '', new RegExp(`^${media.replace('/', '\\/')}`), `${method} ${path} ${res.status}: the documented media type`);
  const schema = response.content[media].schema;
  if (media === 'application/json' && schema) {
    const problems = check(schema, res.body);
    assert.deepEqual(problems, [], `${method} ${path} ${res.status}: the body ${res.text.slice(0, 300)} matches the documented schema`);
  }
}

// ---------------------------------------------------------------------------------------------
// The document itself.

test('the schema checker of this file rejects a missing required property, a wrong type and an unknown enum value', () => {
  const me = { $ref: '#/components/schemas/Me' };
  const good = { id: 'u1', email: 'a@b.ca', first_name: 'A', last_name: 'B', locale: 'fr', active_profile: { id: 'personal', kind: 'personal' } };

  assert.deepEqual(check(me, good), []);
  assert.equal(check(me, { ...good, id: undefined, email: 3 }).length, 2, 'a missing id and a numeric email');
  assert.equal(check(me, { ...good, locale: 'de' }).length, 1, 'an unknown locale');
  assert.equal(check({ type: 'integer' }, 1.5).length, 1, 'a fraction is not an integer');
});

test('GET /api/openapi.json is an OpenAPI 3.1 document whose every $ref resolves', async () => {
  const res = await app.client().openapiDocument();

  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(String(res.body.openapi), /^3\.1\.\d+$/, 'openapi is 3.1.x');
  assert.equal(typeof res.body.info?.title, 'string', 'info.title');
  assert.equal(typeof res.body.info?.version, 'string', 'info.version');
  assert.ok(Object.keys(res.body.paths ?? {}).length > 0, 'paths are described');
  const refs = JSON.stringify(res.body).match(/"\$ref":"[^"]+"/g) ?? [];
  assert.ok(refs.length > 0, 'the document uses shared components');
  for (const ref of refs) resolveRef(JSON.parse(`{${ref}}`).$ref);
  for (const [method, path, operation] of operations()) {
    assert.ok(Object.keys(operation.responses ?? {}).length > 0, `${method} ${path} documents its responses`);
  }
});

test('every documented error response declares the body {error: {code, message}}, and its examples match it', () => {
  const errorShape = {
    type: 'object', required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
  };
  let checked = 0;
  for (const [method, path, operation] of operations()) {
    for (const [status, raw] of Object.entries(operation.responses)) {
      if (Number(status) < 400 && !/^[45]XX$/.test(status)) continue;
      const label = `${method} ${path} ${status}`;
      const content = deref(raw).content?.['application/json'];
      assert.ok(content?.schema, `${label}: the error is documented as JSON with a schema`);
      const schema = deref(content.schema);
      assert.ok(schema.required?.includes('error'), `${label}: the schema requires "error"`);
      const inner = deref(schema.properties?.error);
      assert.ok(inner?.required?.includes('code') && inner.required.includes('message'), `${label}: error.code and error.message are required`);
      assert.equal(deref(inner.properties?.code)?.type, 'string', `${label}: error.code is a string`);
      assert.equal(deref(inner.properties?.message)?.type, 'string', `${label}: error.message is a string`);
      const examples = [content.example, ...Object.values(content.examples ?? {}).map((e) => deref(e).value),
        schema.example, ...(schema.examples ?? [])].filter((e) => e !== undefined);
      for (const example of examples) {
        assert.deepEqual(check(errorShape, example), [], `${label}: the example ${JSON.stringify(example)} is {error: {code, message}}`);
        assert.deepEqual(check(schema, example), [], `${label}: the example matches the documented schema`);
      }
      checked += 1;
    }
  }
  assert.ok(checked > 10, `the error responses were found (${checked})`);
});

// ---------------------------------------------------------------------------------------------
// Every documented operation exists in the worker.

for (const [method, path] of [
  ['GET', '/api/health'], ['GET', '/api/openapi.json'], ['POST', '/api/signup/validate'], ['POST', '/api/signup'],
  ['POST', '/api/signup/verify'], ['POST', '/api/signup/resend'], ['POST', '/api/session'], ['DELETE', '/api/session'],
  ['GET', '/api/me'], ['POST', '/api/password/forgot'], ['POST', '/api/password/reset'],
]) {
  test(`the document describes ${method} ${path}`, () => {
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is in the document`);
  });
}

/** The answer of the worker to each documented operation, called with an empty JSON body. */
async function callEveryOperation() {
  const answers = [];
  for (const [method, path] of operations()) {
    // Path parameters get a well-formed id that exists nowhere.
    const url = path.replaceAll(/\{[^}]+\}/g, 'sample-id');
    answers.push([method, path, await app.client().request(method, url, method === 'GET' ? {} : { json: {} })]);
  }
  return answers;
}

test('every documented operation is answered by the worker, never with 404 not_found or 405', async (t) => {
  const answers = await callEveryOperation();
  assert.ok(answers.length >= 11, `the operations are listed (${answers.length})`);
  for (const [method, path, res] of answers) {
    await t.test(`${method} ${path}`, () => {
      const label = `${method} ${path} answered ${res.status}: ${res.text.slice(0, 200)}`;
      assert.notEqual(res.status, 405, `the worker routes this method — ${label}`);
      assert.ok(!(res.status === 404 && res.body?.error?.code === 'not_found'), `the worker knows this path — ${label}`);
    });
  }
});

test('the status each operation answers to an empty JSON body is documented for it, with a body matching its schema', async (t) => {
  for (const [method, path, res] of await callEveryOperation()) {
    await t.test(`${method} ${path} (${res.status})`, () => assertDocumented(method, path, res));
  }
});

// ---------------------------------------------------------------------------------------------
// The errors every JSON endpoint can give are documented for it, with the documented body.

const JSON_ENDPOINTS = ['/api/signup/validate', '/api/signup', '/api/signup/verify', '/api/signup/resend',
  '/api/session', '/api/password/forgot', '/api/password/reset'];
const BODY_ERRORS = [
  ['malformed JSON', 400, { body: '{"email":', headers: { 'content-type': 'application/json' } }],
  ['a body over 16 KiB', 413, { body: JSON.stringify({ email: 'x'.repeat(20_000) }), headers: { 'content-type': 'application/json' } }],
  ['a text/plain body', 415, { body: '{}', headers: { 'content-type': 'text/plain' } }],
  ['an empty object', 422, { json: {} }],
];

for (const path of JSON_ENDPOINTS) {
  for (const [label, status, request] of BODY_ERRORS) {
    test(`POST ${path} with ${label} answers ${status}, documented with its error body`, async () => {
      const res = await app.client().request('POST', path, request);

      assert.equal(res.status, status, res.text);
      assertDocumented('POST', path, res);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A real flow: every success body has what the document declares.

test('the answers of a real signup, sign-in and password reset match the documented schemas', async () => {
  const email = uniqueEmail('openapi');
  const client = app.client();
  const fields = { email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Hélène', last_name: 'Côté', accept_terms: true, locale: 'fr' };
  const steps = [];
  const step = async (method, path, res) => { steps.push([method, path, res]); return res; };

  await step('POST', '/api/signup/validate', await client.validateSignup({ email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD }));
  const started = await step('POST', '/api/signup', await client.signUp(fields));
  assert.equal(started.status, 202, started.text);
  await app.waitForEmail(email);
  await app.advanceClock(61_000);
  const resent = await step('POST', '/api/signup/resend', await client.resend(started.body.verification_id));
  assert.equal(resent.status, 202, resent.text);
  const email2 = await app.waitForEmail(email, () => true, { count: 2 });
  const verified = await step('POST', '/api/signup/verify', await client.verify(started.body.verification_id, TestApp.codeOf(email2)));
  assert.equal(verified.status, 200, verified.text);
  assert.ok(verified.headers.getSetCookie().length > 0, 'the documented Set-Cookie header is sent');
  const me = await step('GET', '/api/me', await client.me());
  assert.equal(me.status, 200, me.text);
  await step('DELETE', '/api/session', await client.logOut());
  const loggedIn = await step('POST', '/api/session', await client.logIn(email, GOOD_PASSWORD));
  assert.equal(loggedIn.status, 200, loggedIn.text);
  const forgot = await step('POST', '/api/password/forgot', await app.client().forgotPassword(email));
  assert.equal(forgot.status, 202, forgot.text);
  const resetMail = await app.waitForEmail(email, (m) => /réinitialisation/.test(m.subject));
  const reset = await step('POST', '/api/password/reset', await app.client().resetPassword(forgot.body.reset_id, TestApp.codeOf(resetMail), 'Quatre hiboux blancs veillent'));
  assert.equal(reset.status, 200, reset.text);
  await step('GET', '/api/health', await app.client().health());
  await step('GET', '/dev/mailbox', await app.client().devMailbox({ to: email }));

  for (const [method, path, res] of steps) {
    assert.ok(res.status < 300, `${method} ${path} succeeded: ${res.status} ${res.text}`);
    assertDocumented(method, path, res);
  }
  for (const res of [verified, me, loggedIn]) {
    const documented = Object.keys(doc.components.schemas.Me.properties);
    for (const key of Object.keys(res.body)) assert.ok(documented.includes(key), `Me property ${key} is documented`);
    assert.equal(res.body.email, email);
    assert.equal(res.body.first_name, 'Hélène');
  }
});

// ---------------------------------------------------------------------------------------------
// Issue 4: authorizations (employer side), access requests, "Mes dossiers autorisés". Each
// operation's happy path and its usual errors, with bodies matching the documented schemas.

const ISSUE4_OPERATIONS = [
  ['GET', '/api/employer/authorizations'], ['POST', '/api/employer/authorizations'], ['GET', '/api/employer/authorizations/{id}'],
  ['PATCH', '/api/employer/authorizations/{id}'], ['DELETE', '/api/employer/authorizations/{id}'],
  ['POST', '/api/employer/authorizations/{id}/confirm'], ['POST', '/api/employer/migrated-relations/review'],
  ['GET', '/api/employer/access-requests'], ['POST', '/api/employer/access-requests/{id}/approve'],
  ['POST', '/api/employer/access-requests/{id}/decline'], ['GET', '/api/access-requests'], ['POST', '/api/access-requests'],
  ['DELETE', '/api/access-requests/{id}'], ['GET', '/api/authorized-files'], ['GET', '/api/authorized-files.csv'],
  ['GET', '/api/authorized-files/{id}'], ['GET', '/api/authorized-files/{id}/monthly-report'],
];

for (const [method, path] of ISSUE4_OPERATIONS) {
  test(`the document describes ${method} ${path}`, () => {
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is in the document`);
  });
}

/** The properties of `value` that the named component schema does not declare. */
function undeclared(schemaName, value) {
  const declared = Object.keys(deref({ $ref: `#/components/schemas/${schemaName}` }).properties ?? {});
  return Object.keys(value).filter((key) => !declared.includes(key));
}

/** An employer, a firm with a linked member, and the steps of one real journey through authorizations. */
async function issue4Journey() {
  const boss = await employer(app, { name: 'Béton Documenté inc.' });
  const other = await employer(app, { name: 'Autre Documenté ltée' });
  const firm = await firmWithMember(app);
  const steps = [];
  const step = async (method, path, promise, expected) => {
    const res = await promise;
    assert.equal(res.status, expected, `${method} ${path}: ${res.text.slice(0, 300)}`);
    steps.push([method, path, res]);
    return res;
  };
  const A = '/api/employer/authorizations';
  const R = '/api/employer/access-requests';

  const grantedRes = await step('POST', A, boss.client.grantAuthorization(grantBody(firm.organisation, firm.member.email, { services: ['monthly_report', 'workforce'], ends_on: addDays(await today(app), 30) })), 201);
  const id = grantedRes.body.authorization.id;
  await step('POST', A, boss.client.grantAuthorization(grantBody(firm.organisation, firm.member.email)), 409);
  await step('POST', A, boss.client.grantAuthorization(grantBody(firm.organisation, firm.member.email, { services: [] })), 422);
  await step('POST', A, firm.member.client.grantAuthorization(grantBody(firm.organisation, firm.member.email)), 403);
  await step('GET', A, boss.client.authorizations({ status: 'active' }), 200);
  await step('GET', `${A}/{id}`, boss.client.authorization(id), 200);
  await step('GET', `${A}/{id}`, other.client.authorization(id), 404);
  await step('PATCH', `${A}/{id}`, boss.client.updateAuthorization(id, { level: 'transmission' }), 200);
  await step('PATCH', `${A}/{id}`, boss.client.updateAuthorization(id, { level: 'tout' }), 422);

  await step('GET', '/api/authorized-files', firm.member.client.authorizedFiles({ page_size: '1' }), 200);
  await step('GET', '/api/authorized-files', firm.member.client.authorizedFiles({ cursor: 'abc' }), 422);
  await step('GET', '/api/authorized-files.csv', firm.member.client.authorizedFilesCsv(), 200);
  await step('GET', '/api/authorized-files/{id}', firm.member.client.authorizedFile(id), 200);
  await step('GET', '/api/authorized-files/{id}', firm.responsable.client.authorizedFile(id), 404);
  await step('GET', '/api/authorized-files/{id}/monthly-report', firm.member.client.fileReportSummary(id), 200);

  const migratedContact = await invitedContact(firm.responsable.client, { first_name: 'Migré', last_name: 'Documenté' });
  const migrated = await seedMigrated(app, { employer: boss.organisation, firm: firm.organisation, contactId: migratedContact.id });
  await step('POST', `${A}/{id}/confirm`, boss.client.confirmAuthorization(migrated, {}), 200);
  await step('POST', `${A}/{id}/confirm`, boss.client.confirmAuthorization(id, {}), 409);
  await step('POST', '/api/employer/migrated-relations/review', boss.client.reviewMigratedRelations({ decision: 'confirm' }), 200);
  await step('POST', '/api/employer/migrated-relations/review', boss.client.reviewMigratedRelations({ decision: 'oui' }), 422);

  const requestBody = { file_number: other.organisation.file_number, postal_code: other.postalCode, services: ['workforce'], message: 'Bonjour' };
  const made = await step('POST', '/api/access-requests', firm.member.client.requestAccess(requestBody), 201);
  await step('POST', '/api/access-requests', firm.member.client.requestAccess(requestBody), 409);
  await step('POST', '/api/access-requests', firm.member.client.requestAccess({ ...requestBody, postal_code: 'H0H 0H0' }), 422);
  await step('GET', '/api/access-requests', firm.member.client.accessRequests(), 200);
  await step('GET', R, other.client.employerAccessRequests(), 200);
  await step('POST', `${R}/{id}/approve`, other.client.approveAccessRequest(made.body.access_request.id, { services: ['workforce'], level: 'consultation' }), 200);
  await step('POST', `${R}/{id}/approve`, other.client.approveAccessRequest(made.body.access_request.id, { services: ['workforce'], level: 'consultation' }), 409);
  const colleague = await anotherMember(app, firm.responsable.client);
  const toDecline = await step('POST', '/api/access-requests', colleague.client.requestAccess(requestBody), 201);
  await step('POST', `${R}/{id}/decline`, other.client.declineAccessRequest(toDecline.body.access_request.id, { reason: 'Non merci' }), 200);
  const toCancel = await step('POST', '/api/access-requests', firm.responsable.client.requestAccess(requestBody), 201);
  await step('DELETE', '/api/access-requests/{id}', firm.responsable.client.cancelAccessRequest(toCancel.body.access_request.id), 200);
  await step('DELETE', '/api/access-requests/{id}', firm.member.client.cancelAccessRequest(toCancel.body.access_request.id), 404);

  await step('DELETE', `${A}/{id}`, boss.client.revokeAuthorization(id), 200);
  await step('PATCH', `${A}/{id}`, boss.client.updateAuthorization(id, { level: 'consultation' }), 409);
  await step('GET', '/api/authorized-files/{id}', firm.member.client.authorizedFile(id), 404);
  return steps;
}

test('a real journey through every issue-4 operation answers documented statuses with bodies matching the schemas', async (t) => {
  const steps = await issue4Journey();

  for (const [method, path, res] of steps) {
    await t.test(`${method} ${path} (${res.status}${res.body?.error ? ` ${res.body.error.code}` : ''})`, () => assertDocumented(method, path, res));
  }
  const succeeded = new Set(steps.filter(([, , res]) => res.status < 300).map(([method, path]) => `${method} ${path}`));
  for (const [method, path] of ISSUE4_OPERATIONS) assert.ok(succeeded.has(`${method} ${path}`), `the happy path of ${method} ${path} was checked`);
  for (const [method, path, res] of steps) {
    if (res.status >= 300) continue;
    const b = res.body ?? {};
    for (const [schema, value] of [['Authorization', b.authorization], ['AccessRequest', b.access_request], ['AuthorizedFile', b.file],
      ...(Array.isArray(b.items) ? b.items.map((item) => [path.includes('access-requests') ? 'AccessRequest' : path.includes('authorized-files') ? 'AuthorizedFile' : 'Authorization', item]) : [])]) {
      if (value && typeof value === 'object') assert.deepEqual(undeclared(schema, value), [], `${method} ${path}: every ${schema} property is documented`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Webhooks: every operation is documented, and a real flow's answers match the schemas.

for (const [method, path] of [
  ['GET', '/api/organisation/webhooks'], ['POST', '/api/organisation/webhooks'], ['GET', '/api/organisation/webhooks/{id}'],
  ['PATCH', '/api/organisation/webhooks/{id}'], ['DELETE', '/api/organisation/webhooks/{id}'],
  ['POST', '/api/organisation/webhooks/{id}/rotate-secret'], ['GET', '/api/organisation/webhooks/{id}/deliveries'],
  ['POST', '/api/organisation/webhooks/deliveries/{id}/replay'],
]) {
  test(`the document describes ${method} ${path}`, () => {
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is in the document`);
  });
}

test('the document describes the webhook of every event an endpoint may subscribe to, and of the test event', () => {
  const events = deref(doc.components.schemas.Webhook).properties.events.items.enum;
  for (const event of [...events, 'webhook.test']) {
    const operation = doc.webhooks?.[event]?.post;
    assert.ok(operation?.requestBody?.content?.['application/json']?.schema, `${event} is in the document's webhooks`);
    assert.equal(operation.requestBody.content['application/json'].schema.properties.type.const, event);
  }
});

test('the answers of the webhook routes, successes and errors, match the documented schemas', async () => {
  await withReceiver(async (receiver) => {
    const { client } = await linkedResponsible(app, { kind: 'employer' });
    const base = '/api/organisation/webhooks';
    const steps = [];
    const step = async (method, path, res, status) => {
      assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
      steps.push([method, path, res]);
      return res;
    };

    const created = await step('POST', base, await client.post(base, { url: `${receiver.url}/hook`, events: ['authorization.granted'] }), 201);
    const id = created.body.webhook.id;
    await step('GET', base, await client.get(base), 200);
    await step('GET', `${base}/{id}`, await client.get(`${base}/${id}`), 200);
    await step('PATCH', `${base}/{id}`, await client.request('PATCH', `${base}/${id}`, { json: { description: 'Synchronisation' } }), 200);
    await step('POST', `${base}/{id}/rotate-secret`, await client.post(`${base}/${id}/rotate-secret`, {}), 200);
    await grantWithWebhook(client, await createOrganisation(app));
    const [received] = await receiver.waitFor(1);
    const webhook = doc.webhooks[received.body.type].post.requestBody.content['application/json'].schema;
    assert.deepEqual(check(webhook, received.body), [], `the webhook ${received.text.slice(0, 300)} matches the document's webhooks`);
    await waitFor('the attempt to be logged', async () => (await client.get(`${base}/${id}/deliveries`)).body.items[0]?.status === 'succeeded');
    await step('GET', `${base}/{id}/deliveries`, await client.get(`${base}/${id}/deliveries`), 200);
    const replay = `${base}/deliveries/${received.headers['webhook-id']}/replay`;
    await step('POST', `${base}/deliveries/{id}/replay`, await client.post(replay, {}), 202);
    await step('POST', base, await client.post(base, { url: 'http://10.0.0.1/', events: [] }), 422);
    await step('PATCH', `${base}/{id}`, await client.request('PATCH', `${base}/${id}`, { json: { status: 'disabled' } }), 200);
    await step('POST', `${base}/deliveries/{id}/replay`, await client.post(replay, {}), 409);
    await step('DELETE', `${base}/{id}`, await client.request('DELETE', `${base}/${id}`), 204);
    await step('GET', `${base}/{id}`, await client.get(`${base}/${id}`), 404);

    for (const [method, path, res] of steps) assertDocumented(method, path, res);
  });
});

// ---------------------------------------------------------------------------------------------
// Issue 5: API tokens (session side) and the bearer variants of the listing routes, the audit
// trail with its filters and its CSV export.

const ISSUE5_OPERATIONS = [
  ['GET', '/api/organisation/tokens'], ['POST', '/api/organisation/tokens'], ['DELETE', '/api/organisation/tokens/{id}'],
  ['GET', '/api/organisation/audit'], ['GET', '/api/organisation/audit.csv'],
];

for (const [method, path] of ISSUE5_OPERATIONS) {
  test(`the document describes ${method} ${path}`, () => {
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is in the document`);
  });
}

test('the listing routes document the token as an alternative to the session', () => {
  for (const path of ['/api/authorized-files', '/api/organisation/members']) {
    const security = doc.paths[path].get.security.map((s) => Object.keys(s)[0]);
    assert.deepEqual(security.sort(), ['session', 'token'], path);
    assert.equal(doc.components.securitySchemes.token.scheme, 'bearer');
    for (const status of ['401', '403', '429']) assert.ok(doc.paths[path].get.responses[status], `${path} documents ${status}`);
  }
});

/** A firm whose responsable has tokens, and the steps of one real journey through tokens and sync. */
async function issue5Journey() {
  const boss = await employer(app);
  const firm = await firmWithMember(app);
  const other = await firmWithMember(app);
  const granted = await boss.client.grantAuthorization(grantBody(firm.organisation, firm.member.email));
  assert.equal(granted.status, 201, granted.text);
  const steps = [];
  const step = async (method, path, promise, expected, label = '') => {
    const res = await promise;
    assert.equal(res.status, expected, `${method} ${path} ${label}: ${res.text.slice(0, 300)}`);
    steps.push([method, path, res, label]);
    return res;
  };
  const T = '/api/organisation/tokens';
  const F = '/api/authorized-files';
  const M = '/api/organisation/members';
  const A = '/api/organisation/audit';
  const day = await today(app);
  const body = { name: 'Synchro documentée', scopes: ALL_SCOPES, expires_on: addDays(day, 30) };
  const responsable = firm.responsable.client;

  const created = await step('POST', T, responsable.createToken(body), 201);
  const { token, secret } = created.body;
  const narrow = await step('POST', T, responsable.createToken({ ...body, scopes: [CONTACTS_SCOPE] }), 201);
  await step('POST', T, responsable.createToken({ ...body, scopes: [] }), 422);
  await step('POST', T, responsable.request('POST', T, { body: '{"name":', headers: { 'content-type': 'application/json' } }), 400);
  await step('POST', T, firm.member.client.createToken(body), 403);
  await step('POST', T, app.client().createToken(body), 401);
  await step('GET', T, responsable.tokens(), 200);
  await step('GET', T, firm.member.client.tokens(), 403);

  await step('GET', F, bearerGet(app, `${F}?since=0`, secret), 200, 'token');
  await step('GET', F, bearerGet(app, `${F}?since=0&limit=1`, secret), 200, 'token, limit 1');
  await step('GET', M, bearerGet(app, `${M}?since=0&limit=1`, secret), 200, 'token');
  await step('GET', M, responsable.members(), 200, 'session');
  await step('GET', F, firm.member.client.authorizedFiles(), 200, 'session');
  await step('GET', F, bearerGet(app, F, null, { authorization: 'Bearer sel_nope' }), 401, 'token_invalid');
  await step('GET', F, bearerGet(app, `${F}?limit=0`, secret), 422, 'bad limit');
  await step('GET', F, bearerGet(app, F, narrow.body.secret), 403, 'token_scope_missing');
  await primeRateLimit(app, narrow.body.token.id, 600);
  await step('GET', M, bearerGet(app, M, narrow.body.secret), 429, 'too_many_requests');

  await step('DELETE', `${T}/{id}`, firm.member.client.revokeToken(token.id), 403);
  await step('DELETE', `${T}/{id}`, other.responsable.client.revokeToken(token.id), 404);
  await step('DELETE', `${T}/{id}`, responsable.revokeToken(token.id), 200);
  await step('GET', F, bearerGet(app, F, secret), 401, 'token_revoked');

  await step('GET', A, responsable.audit({ action: 'token.', from: day, to: addDays(day, 1), page_size: '5' }), 200);
  await step('GET', A, responsable.audit(), 200);
  await step('GET', A, responsable.audit({ from: 'hier' }), 422);
  await step('GET', A, firm.member.client.audit(), 403);
  await step('GET', `${A}.csv`, responsable.auditCsv({ action: 'token.' }), 200);
  await step('GET', `${A}.csv`, responsable.auditCsv({ to: '2026-13-40' }), 422);
  await step('GET', `${A}.csv`, firm.member.client.auditCsv(), 403);
  await step('GET', `${A}.csv`, app.client().auditCsv(), 401);
  return steps;
}

test('a real journey through every issue-5 operation answers documented statuses with bodies matching the schemas', async (t) => {
  const steps = await issue5Journey();

  for (const [method, path, res, label] of steps) {
    await t.test(`${method} ${path} ${label} (${res.status}${res.body?.error ? ` ${res.body.error.code}` : ''})`, () => assertDocumented(method, path, res));
  }
  const succeeded = new Set(steps.filter(([, , res]) => res.status < 300).map(([method, path]) => `${method} ${path}`));
  for (const [method, path] of ISSUE5_OPERATIONS) assert.ok(succeeded.has(`${method} ${path}`), `the happy path of ${method} ${path} was checked`);
  for (const [method, path, res] of steps) {
    if (res.status >= 300 || !res.body || typeof res.body !== 'object') continue;
    for (const value of [res.body.token, ...(path.includes('tokens') ? res.body.items ?? [] : [])]) {
      if (value) assert.deepEqual(undeclared('ApiToken', value), [], `${method} ${path}: every ApiToken property is documented`);
    }
    if (path === '/api/organisation/audit') {
      assert.ok(res.body.items.length > 0, 'the trail has events to check');
      for (const event of res.body.items) assert.deepEqual(undeclared('AuditEvent', event), [], 'every AuditEvent property is documented');
    }
  }
  const synced = steps.filter(([, , res, label]) => label.startsWith('token') && res.status === 200);
  assert.ok(synced.length >= 3 && synced.every(([, , res]) => res.body.items.length > 0), 'the sync answers had items to check against the schema');
});

// ---------------------------------------------------------------------------------------------
// "Mon compte": the person's own account.

test('the answers of the account console, successes and errors, match the documented schemas', async () => {
  const { client, email, password } = await app.signedUpUser({ email: uniqueEmail('compte') });
  const other = app.client();
  assert.equal((await other.logIn(email, password)).status, 200);
  const steps = [];
  const step = async (method, path, res, status) => {
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
    steps.push([method, path, res]);
    return res;
  };
  const NEW = 'Quatre hiboux blancs veillent';

  await step('PATCH', '/api/me', await client.updateMe({ first_name: 'Hélène', locale: 'en' }), 200);
  await step('PATCH', '/api/me', await client.updateMe({ last_name: '\u202E' }), 422);
  const sessions = await step('GET', '/api/me/sessions', await client.sessions(), 200);
  const otherId = sessions.body.items.find((s) => !s.current).id;
  await step('DELETE', '/api/me/sessions/{id}', await client.endSession(otherId), 204);
  await step('DELETE', '/api/me/sessions/{id}', await client.endSession(otherId), 404);
  await step('DELETE', '/api/me/sessions', await client.endOtherSessions(), 200);
  await step('GET', '/api/me/activity', await client.activity(), 200);
  await step('GET', '/api/me/activity', await client.activity({ cursor: 'nope' }), 422);
  await step('GET', '/api/me/export', await client.exportMyData(), 200);
  const started = await step('POST', '/api/me/email', await client.changeEmail({ new_email: uniqueEmail('nouvelle'), current_password: password }), 202);
  await step('POST', '/api/me/email/confirm', await client.confirmEmail({ verification_id: started.body.verification_id, code: '000000' }), 422);
  await step('POST', '/api/me/password', await client.changePassword({ current_password: password, new_password: NEW, new_password_confirmation: NEW }), 204);
  await step('POST', '/api/me/password', await client.changePassword({ current_password: password, new_password: NEW, new_password_confirmation: NEW }), 422);
  await step('DELETE', '/api/me', await client.closeAccount({ current_password: NEW }), 204);

  for (const [method, path, res] of steps) assertDocumented(method, path, res);
});
