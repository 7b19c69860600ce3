// Organisations, contacts and profiles for the end-to-end tests of organisations: the operator commands
// (with the development operator token), link credentials as the invitation email carries them,
// signed-up users linked to a contact with that profile active, and a bad-input table shared by
// every new JSON endpoint.
import assert from 'node:assert/strict';
import { uniqueEmail, GOOD_PASSWORD, TestApp, waitFor } from './app.mjs';
import { enrolTotpOnce } from './client.mjs';
import { sql, quote } from './db.mjs';

export const OPERATOR_TOKEN = 'dev-operator-token';
export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What a raw JSON answer looks like once read: {status, headers, body, text}. */
async function answer(res) {
  const text = await res.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, headers: res.headers, body, text };
}

export { sql, quote };

// --- Operator ------------------------------------------------------------------------------------

/**
 * The operator's client: every request carries the operator token (`token: null`: none), and is
 * not a browser's (no cookie, no Sec-Fetch-Site). Its methods are the `operator…` ones of Api.
 */
export function operatorClient(app, { token = OPERATOR_TOKEN } = {}) {
  return app.client({ headers: { authorization: token === null ? null : `Bearer ${token}`, 'sec-fetch-site': null } });
}

/**
 * A raw request to an operator route, for the tests that send odd ones (any path, method or
 * Authorization); `token: null` sends no Authorization header.
 */
export async function operatorRequest(app, path, { json, body, token = OPERATOR_TOKEN, authorization, headers = {}, method = 'POST' } = {}) {
  const all = { ...headers };
  if (authorization !== undefined) all.authorization = authorization;
  else if (token !== null) all.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    all['content-type'] ??= 'application/json';
    body = JSON.stringify(json);
  }
  return answer(await fetch(app.baseUrl + path, { method, headers: all, body }));
}

let serial = 0;
/** A file number no other organisation of this test process uses: 8 digits. */
export function uniqueFileNumber() {
  serial += 1;
  return String(10_000_000 + ((process.pid % 900) * 10_000 + serial * 7) % 89_999_999);
}

/** The body of a valid operator request creating an organisation; `overrides` replace members. */
export function organisationForm(overrides = {}) {
  serial += 1;
  return {
    kind: 'accounting_firm',
    name: `Cabinet Essai ${serial}`,
    file_number: uniqueFileNumber(),
    postal_code: 'H2X 1Y4',
    email: uniqueEmail('dossier'),
    responsible: { first_name: 'Rachel', last_name: 'Responsable', email: uniqueEmail('responsable') },
    ...overrides,
  };
}

/**
 * Creates an organisation through the operator route. Resolves to the operator's answer plus what
 * was sent: {organisation, responsible: {contact_id, identifier, code, first_name, last_name, email}, form}.
 */
export async function createOrganisation(app, overrides = {}) {
  const form = organisationForm(overrides);
  const res = await operatorClient(app).operatorCreateOrganisation(form);
  if (res.status !== 201) throw new Error(`creating an organisation answered ${res.status}: ${res.text}`);
  return { organisation: res.body.organisation, responsible: { ...form.responsible, ...res.body.responsible }, form };
}

// --- Link credentials ----------------------------------------------------------------------------

const IDENTIFIER_LINE = /(?:Identifiant de liaison|Link identifier)\s*:\s*(SEL-[0-9A-Z]{4}-[0-9A-Z]{4})/;
const CODE_LINE = /(?:Code de liaison|Link code)\s*:\s*([0-9A-Z]{5}-[0-9A-Z]{5})/;

/** The identifier and code of a link-credentials email ("Identifiant de liaison : SEL-XXXX-XXXX"). */
export function linkCredentialsOf(email) {
  const identifier = email.text.match(IDENTIFIER_LINE)?.[1];
  const code = email.text.match(CODE_LINE)?.[1];
  if (!identifier || !code) throw new Error(`no link credentials in email: ${email.text}`);
  return { identifier, code };
}

export const isLinkCredentialsEmail = (email) => IDENTIFIER_LINE.test(email.text) && CODE_LINE.test(email.text);

/**
 * Waits for `count` emails matching `predicate` to `to`; resolves to the newest. Like
 * app.waitForEmail, but allows for one delivery retry (the consumer retries after 10 s or more).
 */
export async function emailTo(app, to, predicate = () => true, { count = 1, timeoutMs = 45000 } = {}) {
  return waitFor(`${count} email(s) to ${to}`, async () => {
    const matching = (await app.mailbox(to)).filter(predicate);
    return matching.length >= count ? matching[0] : undefined;
  }, { timeoutMs, intervalMs: 150 });
}

/** Waits for the `count`-th link-credentials email to `to`; resolves to the newest one's credentials. */
export async function credentialsSentTo(app, to, { count = 1 } = {}) {
  const email = await emailTo(app, to, isLinkCredentialsEmail, { count });
  return { ...linkCredentialsOf(email), email };
}

/** The same code with one character changed: well formed, but wrong. */
export function wrongCode(code) {
  const first = code[0] === 'A' ? 'B' : 'A';
  return first + code.slice(1);
}

// --- Users, links and profiles --------------------------------------------------------------------

const isSignupCodeEmail = (email) => /code de validation|verification code/i.test(email.subject);

/**
 * Like app.signedUpUser, but waits for the signup-code email itself: an invited address already
 * holds a link-credentials email, which app.signedUpUser would take for the code email.
 */
export async function signedUp(app, { email = uniqueEmail(), password = GOOD_PASSWORD, first_name = 'Marie', last_name = 'Tremblay' } = {}) {
  const client = app.client();
  const started = await client.signUp({ email, password, password_confirmation: password, first_name, last_name, accept_terms: true });
  if (started.status !== 202) throw new Error(`signup answered ${started.status}: ${started.text}`);
  const code = TestApp.codeOf(await emailTo(app, email, isSignupCodeEmail));
  const verified = await client.verify(started.body.verification_id, code);
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${verified.text}`);
  return { client, email, password, user: verified.body };
}

export const link = (client, credentials) =>
  client.linkWithCredentials({ identifier: credentials.identifier, code: credentials.code });

/**
 * Makes `profile_id` active. A profile that needs a second factor (a firm's, a responsible's or an
 * administrator's) gets one first: the account is enrolled in TOTP, as its owner would be led to.
 */
export async function selectProfile(client, profile_id) {
  const select = () => client.selectProfile(profile_id);
  const res = await select();
  if (res.status !== 403 || res.body?.error?.code !== 'mfa_enrolment_required') return res;
  await enrolTotpOnce(client);
  return select();
}

/**
 * Signs up a fresh user (by default at `email`), links them with `credentials` and makes that
 * profile active. Resolves to {client, email, password, user, profile}.
 */
export async function linkedUser(app, credentials, { email = uniqueEmail('lie'), first_name = 'Marie', last_name = 'Tremblay', activate = true } = {}) {
  const account = await signedUp(app, { email, first_name, last_name });
  const linked = await link(account.client, credentials);
  if (linked.status !== 200) throw new Error(`linking answered ${linked.status}: ${linked.text}`);
  const profile = linked.body.profile;
  if (activate) {
    const selected = await selectProfile(account.client, profile.id);
    if (selected.status !== 200) throw new Error(`selecting the profile answered ${selected.status}: ${selected.text}`);
  }
  return { ...account, profile };
}

/**
 * A new organisation and its first responsible, signed up, linked and acting for it. Resolves to
 * {client, email, password, user, profile, contactId, organisation, form}.
 */
export async function linkedResponsible(app, overrides = {}) {
  const created = await createOrganisation(app, overrides);
  const { responsible } = created;
  const linked = await linkedUser(app, responsible, {
    email: responsible.email, first_name: responsible.first_name, last_name: responsible.last_name,
  });
  return { ...linked, contactId: responsible.contact_id, organisation: created.organisation, form: created.form };
}

/**
 * The responsible (a client acting for the organisation) invites a contact. Resolves to
 * {contact, email, identifier, code} once the invitation email has arrived.
 */
export async function invitedMember(app, responsibleClient, { first_name = 'Martin', last_name = 'Membre', email = uniqueEmail('membre'), role = 'membre' } = {}) {
  const res = await responsibleClient.inviteMember({ first_name, last_name, email, role });
  if (res.status !== 201) throw new Error(`inviting answered ${res.status}: ${res.text}`);
  const sent = await credentialsSentTo(app, email);
  return { contact: res.body.contact, email, identifier: sent.identifier, code: sent.code };
}

/** An invited contact who signed up with the invited address, linked, and acts for the organisation. */
export async function linkedMember(app, responsibleClient, options = {}) {
  const invited = await invitedMember(app, responsibleClient, options);
  const linked = await linkedUser(app, invited, { email: invited.email, first_name: options.first_name ?? 'Martin', last_name: options.last_name ?? 'Membre' });
  return { ...linked, contact: invited.contact, contactId: invited.contact.id };
}

// --- Bad input -----------------------------------------------------------------------------------

export const MALFORMED = { status: 400, code: 'malformed_json', why: 'the body is not valid JSON' };
export const NOT_OBJECT = { status: 400, code: 'body_not_object', why: 'the body must be a JSON object' };
export const TOO_LARGE = { status: 413, code: 'body_too_large', why: 'bodies over the size limit are refused' };
export const NOT_JSON = { status: 415, code: 'unsupported_media_type', why: 'only application/json is accepted' };

export function invalid(field, why = `${field} is rejected`) {
  return { status: 422, code: 'validation_failed', field, why };
}

export const ODD_CASES = ['a NUL byte', 'a right-to-left override (U+202E)', 'a zero-width space (U+200B)',
  'emoji', 'combining characters', 'a 10,000-character string', 'right-to-left script'];
export const LONG = ODD_CASES.indexOf('a 10,000-character string');
export const RTL = ODD_CASES.indexOf('right-to-left script');

/** One odd value per ODD_CASES entry, for each kind of field. */
export const ODD_VALUES = {
  email: ['x\u0000y@exemple.ca', 'x\u202Ey@exemple.ca', 'x\u200By@exemple.ca', '🎉@exemple.ca', 'e\u0301@exemple.ca', `${'a'.repeat(10000)}@exemple.ca`, 'مريم@مثال.ca'],
  name: ['Ma\u0000rie', 'Marie\u202E', 'Ma\u200Brie', '🎉🎉🎉', '\u0301\u0308\u0327', 'e'.repeat(10000), 'مريم'],
  identifier: ['SEL-7KQ2\u0000-M9XD', 'SEL-7KQ2-\u202EM9XD', 'SEL-7KQ2\u200B-M9XD', 'SEL-🎉🎉-M9XD', 'SEL-7KQ2-M9X\u0301D', 'S'.repeat(10000), 'SEL-٧٨٩٠-١٢٣٤'],
  code: ['4F7HK\u0000QW2ZP', '4F7HK-\u202EQW2ZP', '4F7HK\u200BQW2ZP', '4F7HK-🎉🎉', '4F7HK-QW2Z\u0301P', '4'.repeat(10000), '١٢٣٤٥-٦٧٨٩٠'],
  username: ['er\u0000123', 'er123\u202E', 'er\u200B123', 'er🎉123', 'er1\u03012', `er${'1'.repeat(9998)}`, 'erمريم'],
  password: ['mot\u0000de passe', 'mot de \u202Epasse', 'mot\u200Bde passe', 'mot 🐈 de passe', 'mo\u0301t de passe', 'x'.repeat(10000), 'كلمة السر'],
  file_number: ['123\u0000456', '123456\u202E', '123\u200B456', '123🎉456', '1\u03012345', '1'.repeat(10000), '١٢٣٤٥٦'],
  postal_code: ['H2X\u00001Y4', 'H2X1Y4\u202E', 'H2X\u200B1Y4', 'H2X🎉1Y4', 'H\u03012X1Y4', 'H'.repeat(10000), 'ح٢خ١ي٤'],
  id: ['a1b2\u0000c3d4', 'a1b2\u202Ec3d4', 'a1b2\u200Bc3d4', 'a1b2🎉c3d4', 'a\u0301b2c3d4', 'a'.repeat(10000), 'معرف'],
  choice: ['membre\u0000', 'membre\u202E', 'mem\u200Bbre', '🎉', 'membre\u0301', 'm'.repeat(10000), 'عضو'],
};

function getPath(object, path) {
  return path.split('.').reduce((o, key) => (o == null ? undefined : o[key]), object);
}

function setPath(object, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  let target = object;
  for (const key of keys) {
    if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
    target = target[key];
  }
  if (value === undefined) delete target[last]; else target[last] = value;
  return object;
}

const json = (value) => JSON.stringify(value);
const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

/** The raw JSON text of `object` with the value at `path` replaced by raw JSON text. */
function withRawValue(object, path, rawValue) {
  const marker = `__raw_${path}__`;
  return json(setPath(structuredClone(object), path, marker)).replace(`"${marker}"`, rawValue);
}

/**
 * The bad-input cases of one JSON endpoint. `base()` is a valid body, `fields` maps each (dotted)
 * field path to its kind in ODD_VALUES, `required` lists the fields an empty object must name,
 * `odd(field, index)` says what an odd value must produce (or null to skip it), and `limit` is the
 * body size limit in bytes.
 */
export function badInputCases({ base, fields, required = Object.keys(fields), odd = (field) => invalid(field), limit = 16 * 1024 }) {
  const paths = Object.keys(fields);
  const first = paths[0];
  const oversized = 'x'.repeat(limit + 4 * 1024);
  const cases = [
    { name: 'a truncated JSON object', body: () => json(base()).slice(0, -3), expect: MALFORMED },
    { name: 'a trailing comma', body: () => json(base()).replace(/}$/, ',}'), expect: MALFORMED },
    { name: 'single-quoted JSON', body: () => json(base()).replaceAll('"', "'"), expect: MALFORMED },
    { name: 'an empty body', body: () => '', expect: MALFORMED },
    { name: 'bytes that are not UTF-8', body: () => Buffer.concat([Buffer.from(`{"${first}":"`), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]), expect: MALFORMED },
    { name: 'a lone surrogate escape in a string', body: () => withRawValue(base(), first, '"x\\ud800y"'), expect: MALFORMED },
    { name: 'a JSON array instead of an object', body: () => json([base()]), expect: NOT_OBJECT },
    { name: 'a JSON string instead of an object', body: () => json('hello'), expect: NOT_OBJECT },
    { name: 'JSON null instead of an object', body: () => 'null', expect: NOT_OBJECT },
    { name: 'a JSON number instead of an object', body: () => '42', expect: NOT_OBJECT },
    { name: `an oversized ${first}`, body: () => json(setPath(base(), first, oversized)), expect: TOO_LARGE },
    { name: `an oversized ${first} streamed without a Content-Length`, stream: true, body: () => json(setPath(base(), first, oversized)), expect: TOO_LARGE },
    { name: '7,000 nested arrays', body: () => nested(7_000), expect: limit > 14_000 ? MALFORMED : TOO_LARGE },
    { name: `7,000 nested arrays as the ${first}`, body: () => withRawValue(base(), first, nested(7_000)), expect: MALFORMED },
    { name: 'Content-Type text/plain', contentType: 'text/plain', body: () => json(base()), expect: NOT_JSON },
    { name: 'a form-urlencoded body', contentType: 'application/x-www-form-urlencoded', body: () => 'a=b', expect: NOT_JSON },
    { name: 'no Content-Type at all', contentType: null, body: () => Buffer.from(json(base())), expect: NOT_JSON },
    { name: 'an empty object', body: () => '{}', expect: { ...invalid(null, 'every field is missing'), fields: required } },
  ];
  for (const field of paths) {
    const without = () => setPath(base(), field, undefined);
    cases.push({ name: `${field} missing`, body: () => json(without()), expect: invalid(field, `${field} is required`) });
    cases.push({ name: `${field} null`, body: () => json(setPath(base(), field, null)), expect: invalid(field, `${field} is required`) });
    cases.push({ name: `${field} empty`, body: () => json(setPath(base(), field, '')), expect: invalid(field, `${field} is required`) });
    for (const [label, value] of [['a number', 42], ['an object', { value: 'x' }], ['an array', ['x']], ['a boolean', true]]) {
      cases.push({ name: `${label} as ${field}`, body: () => json(setPath(base(), field, value)), expect: invalid(field, `${field} must be a string`) });
    }
    ODD_VALUES[fields[field]].forEach((value, index) => {
      const expected = odd(field, index);
      if (!expected) return;
      cases.push({ name: `${ODD_CASES[index]} in ${field}`, body: () => json(setPath(base(), field, value)), expect: expected });
    });
  }
  return cases;
}

/** Sends one bad-input case as raw bytes, with the given cookie header. */
export async function sendCase(app, method, path, c, { cookie, headers = {} } = {}) {
  const all = { 'sec-fetch-site': 'same-origin', ...headers };
  if (cookie) all.cookie = cookie;
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (contentType) all['content-type'] = contentType;
  let body = c.body();
  let duplex;
  if (c.stream) {
    const bytes = Buffer.from(body);
    body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
        controller.close();
      },
    });
    duplex = 'half';
  }
  return answer(await fetch(app.baseUrl + path, { method, headers: all, body, ...(duplex ? { duplex } : {}) }));
}

/** The cookie header a Client would send. */
export const cookieOf = (client) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** The common contract of every answer to bad input, then the specific expectation. */
export function assertRejected(res, expected, label) {
  const context = `${label}\n  answered ${res.status}: ${res.text.slice(0, 400)}`;
  assert.ok(res.status < 500, `a 5xx is never an answer to bad input — ${context}`);
  assert.ok(res.status >= 400, `bad input must be refused with a 4xx — ${context}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `the error is JSON — ${context}`);
  assert.ok(res.body?.error && typeof res.body.error === 'object', `the body is {error: {...}} — ${context}`);
  assert.equal(typeof res.body.error.message, 'string', `error.message is a string — ${context}`);
  assert.equal(res.status, expected.status, `expected ${expected.status} because ${expected.why} — ${context}`);
  assert.equal(res.body.error.code, expected.code, `expected code ${expected.code} because ${expected.why} — ${context}`);
  for (const field of [expected.field, ...(expected.fields ?? [])].filter(Boolean)) {
    assert.equal(typeof res.body.error.fields?.[field], 'string', `error.fields["${field}"] says what is wrong with it — ${context}`);
  }
}

/**
 * Counts of everything organisations and contacts write, to compare before and after a bad-input table. Session
 * rows are counted too (choosing a profile creates one).
 */
export async function writeCounts(app) {
  const [row] = await sql(app, `SELECT
    (SELECT COUNT(*) FROM organisations) AS organisations,
    (SELECT COUNT(*) FROM contacts) AS contacts,
    (SELECT COUNT(*) FROM contacts WHERE status = 'linked') AS linked_contacts,
    (SELECT COUNT(*) FROM contacts WHERE status = 'revoked') AS revoked_contacts,
    (SELECT group_concat(id || ':' || role, ',') FROM (SELECT id, role FROM contacts ORDER BY id)) AS roles,
    (SELECT COUNT(*) FROM link_credentials) AS link_credentials,
    (SELECT COALESCE(SUM(attempts), 0) FROM link_credentials) AS link_attempts,
    (SELECT COUNT(*) FROM link_credentials WHERE used_at IS NOT NULL) AS used_credentials,
    (SELECT COUNT(*) FROM legacy_credentials) AS legacy_credentials,
    (SELECT COALESCE(SUM(attempts), 0) FROM legacy_credentials) AS legacy_attempts,
    (SELECT COUNT(*) FROM rate_limits WHERE key LIKE 'known-facts%') AS known_facts_counters,
    (SELECT COALESCE(SUM(count), 0) FROM rate_limits WHERE key LIKE 'known-facts%') AS known_facts_requests,
    (SELECT COUNT(*) FROM email_outbox) AS emails,
    (SELECT COUNT(*) FROM sessions) AS sessions,
    (SELECT COUNT(*) FROM audit_events WHERE action LIKE 'contact.%' OR action LIKE 'link.%' OR action LIKE 'profile.%' OR action LIKE 'organisation.%') AS audit_events`);
  return row;
}

export { getPath, setPath };
