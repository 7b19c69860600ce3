// Bad input on every JSON endpoint: whatever arrives (broken JSON, the wrong JSON, the wrong
// types, missing or null fields, oversized or deeply nested bodies, the wrong media type, odd
// Unicode), the worker answers a 4xx — never a 5xx — with {"error": {"code", "message", "fields"?}},
// names the faulty field, and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, GOOD_PASSWORD } from '../support/app.mjs';
import { sql } from '../support/db.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

// Every address used below contains TAG, so the database can be searched for anything written.
const TAG = `badinput${process.pid}x${Date.now().toString(36)}`;
let serial = 0;
const email = () => `${TAG}.${++serial}@exemple.ca`;
// A fresh client IP per request keeps the login throttles (per account, per IP) out of the way.
let ipSerial = 0;
const freshIp = () => { ipSerial += 1; return `198.51.${(ipSerial >> 8) & 255}.${ipSerial & 255}`; };

const FAKE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

// Odd Unicode, one value per kind of field (addresses, names, passwords, identifiers, codes) in
// the order of ODD_CASES. What each must produce depends on the endpoint (its `odd` below).
const ODD_CASES = ['a NUL byte', 'a right-to-left override (U+202E)', 'a zero-width space (U+200B)',
  'emoji', 'combining characters', 'a 10,000-character string', 'right-to-left script'];
const LONG = ODD_CASES.indexOf('a 10,000-character string');

const ODD_VALUES = {
  email: [`${TAG}\u0000x@exemple.ca`, `${TAG}\u202Ex@exemple.ca`, `${TAG}\u200Bx@exemple.ca`,
    `${TAG}🎉@exemple.ca`, `${TAG}e\u0301@exemple.ca`, `${TAG}${'a'.repeat(10000)}@exemple.ca`, `${TAG}مريم@مثال.ca`],
  name: ['Ma\u0000rie', 'Marie\u202E', 'Ma\u200Brie', '🎉🎉🎉', '\u0301\u0308\u0327', 'e'.repeat(10000), null /* see the RTL name case */],
  password: ['Trois chats\u0000gris dorment', 'Trois chats \u202Egris dorment', 'Trois chats\u200Bgris dorment',
    'Trois chats 🐈🐈🐈 dorment', 'Tro\u0301is cha\u0308ts gris dorment', 'x'.repeat(10000), 'ثلاث قطط رمادية نائمة'],
  id: ['a1b2\u0000c3d4', 'a1b2\u202Ec3d4', 'a1b2\u200Bc3d4', 'a1b2🎉c3d4', 'a\u0301b2c3d4', 'a'.repeat(10000), 'معرف'],
  code: ['123\u0000456', '123\u202E456', '123\u200B456', '12🎉456', '1\u03012\u03013456', '1'.repeat(10000), '١٢٣٤٥٦'],
};

/**
 * The endpoints, with a request body that is valid except where a case changes it, and the kind
 * of each field. `odd(field, index)` says what an odd value in that field must produce.
 */
const ENDPOINTS = [
  {
    path: '/api/signup/validate',
    base: () => ({ email: email(), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD }),
    fields: { email: 'email', password: 'password', password_confirmation: 'password' },
    odd: newPasswordOdd('password', 'password_confirmation'),
  },
  {
    path: '/api/signup',
    base: () => ({ email: email(), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
      first_name: 'Marie', last_name: 'Tremblay', accept_terms: true }),
    fields: { email: 'email', password: 'password', password_confirmation: 'password', first_name: 'name', last_name: 'name' },
    odd: newPasswordOdd('password', 'password_confirmation'),
  },
  {
    path: '/api/signup/verify',
    base: () => ({ verification_id: FAKE_ID, code: '123456' }),
    fields: { verification_id: 'id', code: 'code' },
    odd: (field) => invalid(field),
  },
  {
    path: '/api/signup/resend',
    base: () => ({ verification_id: FAKE_ID }),
    fields: { verification_id: 'id' },
    odd: (field) => invalid(field),
  },
  {
    path: '/api/session',
    base: () => ({ email: email(), password: GOOD_PASSWORD }),
    fields: { email: 'email', password: 'password' },
    // The address at login is not validated (an unknown spelling simply matches no account), but
    // its length is bounded (nothing longer than an address can be is counted or stored); the
    // password length is bounded too, so hashing cost stays bounded.
    odd: (field, index) => (index === LONG
      ? invalid(field)
      : { status: 401, code: 'invalid_credentials', why: 'no account has these credentials' }),
  },
  {
    path: '/api/password/forgot',
    base: () => ({ email: email() }),
    fields: { email: 'email' },
    odd: (field) => invalid(field),
  },
  {
    path: '/api/password/reset',
    base: () => ({ reset_id: FAKE_ID, code: '123456', new_password: GOOD_PASSWORD, new_password_confirmation: GOOD_PASSWORD }),
    fields: { reset_id: 'id', code: 'code', new_password: 'password', new_password_confirmation: 'password' },
    // The new password is only judged once the reset request is found; FAKE_ID never is.
    odd: (field) => (field.startsWith('new_password')
      ? { status: 404, code: 'verification_not_found', why: 'the reset request does not exist' }
      : invalid(field)),
  },
];

function invalid(field, why = `${field} is rejected`) {
  return { status: 422, code: 'validation_failed', field, why };
}

/** Odd characters in a new password are allowed by the policy, so the confirmation no longer matches. */
function newPasswordOdd(password, confirmation) {
  return (field, index) => {
    if (field === password && index === LONG) return invalid(password, 'the password is longer than 128 characters');
    if (field === password || field === confirmation) return invalid(confirmation, 'the confirmation no longer matches');
    return invalid(field);
  };
}

// ---------------------------------------------------------------------------------------------
// Sending raw requests and checking the answer.

async function send(path, { body, contentType = 'application/json', headers = {}, method = 'POST', duplex } = {}) {
  const all = { 'cf-connecting-ip': freshIp(), ...headers };
  if (contentType) all['content-type'] = contentType;
  const res = await fetch(app.baseUrl + path, { method, headers: all, body, ...(duplex ? { duplex } : {}) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, body: json };
}

/** The common contract of every answer to bad input, then the specific expectation. */
function assertRejected(res, expected, label) {
  const context = `${label}\n  answered ${res.status}: ${res.text.slice(0, 400)}`;
  assert.ok(res.status < 500, `a 5xx is never an answer to bad input — ${context}`);
  assert.ok(res.status >= 400, `bad input must be refused with a 4xx — ${context}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `the error is JSON — ${context}`);
  assert.ok(res.body && typeof res.body === 'object' && res.body.error && typeof res.body.error === 'object',
    `the body is {error: {...}} — ${context}`);
  assert.equal(typeof res.body.error.code, 'string', `error.code is a string — ${context}`);
  assert.equal(typeof res.body.error.message, 'string', `error.message is a string — ${context}`);
  assert.ok(res.body.error.message.length > 0, `error.message is not empty — ${context}`);
  assert.equal(res.status, expected.status, `expected ${expected.status} because ${expected.why} — ${context}`);
  assert.equal(res.body.error.code, expected.code, `expected code ${expected.code} because ${expected.why} — ${context}`);
  for (const field of [expected.field, ...(expected.fields ?? [])].filter(Boolean)) {
    assert.equal(typeof res.body.error.fields, 'object', `error.fields lists the faulty fields — ${context}`);
    assert.equal(typeof res.body.error.fields[field], 'string', `error.fields.${field} says what is wrong with it — ${context}`);
  }
  if (expected.onlyFields) {
    assert.deepEqual(Object.keys(res.body.error.fields ?? {}).sort(), [...expected.onlyFields].sort(),
      `only ${expected.onlyFields.join(', ')} may be at fault — ${context}`);
  }
}

const json = (value) => JSON.stringify(value);

/** The raw JSON text of `object` with `field`'s value replaced by raw JSON text. */
function withRawValue(object, field, rawValue) {
  const marker = `__raw_${field}__`;
  return json({ ...object, [field]: marker }).replace(`"${marker}"`, rawValue);
}

function nested(depth) { return '['.repeat(depth) + ']'.repeat(depth); }

// ---------------------------------------------------------------------------------------------
// The table.

const MALFORMED = { status: 400, code: 'malformed_json', why: 'the body is not valid JSON' };
const NOT_OBJECT = { status: 400, code: 'body_not_object', why: 'the body must be a JSON object' };
const TOO_LARGE = { status: 413, code: 'body_too_large', why: 'bodies over 16 KiB are refused' };
const NOT_JSON = { status: 415, code: 'unsupported_media_type', why: 'only application/json is accepted' };

function casesFor(endpoint) {
  const { path, base, fields, odd } = endpoint;
  const requiredFields = Object.keys(base());
  const firstString = Object.keys(fields)[0];
  const padField = fields.password ? 'password' : firstString;
  const cases = [
    // Not JSON at all.
    { name: 'a truncated JSON object', body: () => json(base()).slice(0, -3), expect: MALFORMED },
    { name: 'a trailing comma', body: () => json(base()).replace(/}$/, ',}'), expect: MALFORMED },
    { name: 'single-quoted JSON', body: () => json(base()).replaceAll('"', "'"), expect: MALFORMED },
    { name: 'an empty body', body: () => '', expect: MALFORMED },
    { name: 'bytes that are not UTF-8', body: () => Buffer.concat([Buffer.from(`{"${firstString}":"`), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]), expect: MALFORMED },
    { name: 'a UTF-8 byte order mark before the JSON', body: () => `\uFEFF${json(base())}`, expect: MALFORMED },
    { name: 'a lone leading surrogate escape ("\\ud800") in a string', body: () => withRawValue(base(), firstString, '"x\\ud800y"'), expect: MALFORMED },
    { name: 'a lone trailing surrogate escape ("\\udc00") in a string', body: () => withRawValue(base(), firstString, '"\\udc00"'), expect: MALFORMED },
    // JSON, but not an object.
    { name: 'a JSON array instead of an object', body: () => json([base()]), expect: NOT_OBJECT },
    { name: 'an empty JSON array', body: () => '[]', expect: NOT_OBJECT },
    { name: 'a JSON string instead of an object', body: () => json('hello'), expect: NOT_OBJECT },
    { name: 'a JSON number instead of an object', body: () => '42', expect: NOT_OBJECT },
    { name: 'JSON null instead of an object', body: () => 'null', expect: NOT_OBJECT },
    { name: 'JSON true instead of an object', body: () => 'true', expect: NOT_OBJECT },
    // Too big or too deep.
    { name: `a 20 KB ${padField}`, body: () => json({ ...base(), [padField]: 'x'.repeat(20_000) }), expect: TOO_LARGE },
    { name: 'a 20 KB body streamed without a Content-Length', stream: true, body: () => json({ ...base(), [padField]: 'x'.repeat(20_000) }), expect: TOO_LARGE },
    { name: '10,000 nested arrays (20 KB)', body: () => nested(10_000), expect: TOO_LARGE },
    { name: '7,000 nested arrays (under the size limit)', body: () => nested(7_000), expect: MALFORMED },
    { name: '10,000 unclosed opening brackets', body: () => '['.repeat(10_000), expect: MALFORMED },
    { name: `7,000 nested arrays as the ${firstString}`, body: () => withRawValue(base(), firstString, nested(7_000)), expect: MALFORMED },
    { name: '2,500 nested objects', body: () => '{"a":'.repeat(2_500) + '1' + '}'.repeat(2_500), expect: MALFORMED },
    // Not sent as JSON.
    { name: 'Content-Type text/plain', contentType: 'text/plain', body: () => json(base()), expect: NOT_JSON },
    { name: 'a form-urlencoded body', contentType: 'application/x-www-form-urlencoded', body: () => new URLSearchParams(base()).toString(), expect: NOT_JSON },
    { name: 'a multipart/form-data body', contentType: 'multipart/form-data; boundary=xyz', body: () => `--xyz\r\nContent-Disposition: form-data; name="${firstString}"\r\n\r\nx\r\n--xyz--\r\n`, expect: NOT_JSON },
    { name: 'no Content-Type at all', contentType: null, body: () => Buffer.from(json(base())), expect: NOT_JSON },
    { name: 'Content-Type application/json-patch+json', contentType: 'application/json-patch+json', body: () => json(base()), expect: NOT_JSON },
    // An object, but not the right one.
    { name: 'an empty object', body: () => '{}', expect: { ...invalid(null, 'every field is missing'), fields: requiredFields } },
  ];
  for (const field of requiredFields) {
    const without = () => { const b = base(); delete b[field]; return b; };
    cases.push({ name: `${field} missing`, body: () => json(without()), expect: invalid(field, `${field} is required`) });
    cases.push({ name: `${field} null`, body: () => json({ ...base(), [field]: null }), expect: invalid(field, `${field} is required`) });
  }
  for (const field of Object.keys(fields)) {
    for (const [label, value] of [['a number', 42], ['an object', { value: 'x' }], ['an array', ['x']], ['a boolean', true]]) {
      cases.push({ name: `${label} as ${field}`, body: () => json({ ...base(), [field]: value }), expect: invalid(field, `${field} must be a string`) });
    }
    ODD_VALUES[fields[field]].forEach((value, index) => {
      if (value === null) return;
      cases.push({ name: `${ODD_CASES[index]} in ${field}`, body: () => json({ ...base(), [field]: value }), expect: odd(field, index) });
    });
  }
  if (path === '/api/signup') {
    for (const [label, value] of [['the string "true"', 'true'], ['the number 1', 1], ['an object', {}], ['false', false]]) {
      cases.push({ name: `${label} as accept_terms`, body: () => json({ ...base(), accept_terms: value }), expect: invalid('accept_terms', 'the terms must be accepted with the boolean true') });
    }
    for (const [label, value] of [['a number', 42], ['an array', ['fr']], ['an unknown language', 'de'], ['a NUL byte', 'f\u0000r']]) {
      cases.push({ name: `${label} as locale`, body: () => json({ ...base(), locale: value }), expect: invalid('locale', 'the locale is fr or en') });
    }
    // A right-to-left name is a real name: it is not at fault, but the request is still refused
    // because of the terms, and only because of them.
    cases.push({
      name: 'right-to-left names (Arabic, Hebrew) with the terms refused',
      body: () => json({ ...base(), first_name: 'مريم', last_name: 'כהן', accept_terms: false }),
      expect: { ...invalid('accept_terms', 'the terms are refused; RTL names are valid'), onlyFields: ['accept_terms'] },
    });
  }
  return cases;
}

for (const endpoint of ENDPOINTS) {
  for (const c of casesFor(endpoint)) {
    const expected = c.expect;
    const naming = [expected.field, ...(expected.fields ?? [])].filter(Boolean);
    const suffix = naming.length ? ` naming ${naming.join(', ')}` : '';
    test(`POST ${endpoint.path} with ${c.name} answers ${expected.status} ${expected.code}${suffix}`, async () => {
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
      const res = await send(endpoint.path, { body, contentType: c.contentType === undefined ? 'application/json' : c.contentType, duplex });
      assertRejected(res, expected, `POST ${endpoint.path} with ${c.name}`);
    });
  }
}

test('none of the bad signups, validations or reset requests above wrote a user, a code or an email', async () => {
  const like = `%${TAG}%`;
  const users = await sql(app, `SELECT email FROM users WHERE email LIKE '${like}'`);
  const verifications = await sql(app, `SELECT email, purpose FROM verifications WHERE email LIKE '${like}'`);
  const outbox = await sql(app, `SELECT to_email, template FROM email_outbox WHERE to_email LIKE '${like}'`);
  assert.deepEqual(users, [], 'no user row for the addresses used');
  assert.deepEqual(verifications, [], 'no verification (code) row for the addresses used');
  assert.deepEqual(outbox, [], 'no email queued for the addresses used');
});

// ---------------------------------------------------------------------------------------------
// The language of the messages.

test('error messages are in French by default', async () => {
  const malformed = await send('/api/signup/validate', { body: '{"email":' });
  const missing = await send('/api/signup/validate', { body: '{}' });

  assert.equal(malformed.body.error.message, "Le corps de la requête n'est pas un JSON valide.");
  assert.equal(missing.body.error.message, 'Certains champs sont à corriger.');
  assert.equal(missing.body.error.fields.email, 'Ce champ est obligatoire.');
});

test('error messages are in English with Accept-Language: en', async () => {
  const headers = { 'accept-language': 'en' };
  const malformed = await send('/api/signup/validate', { body: '{"email":', headers });
  const missing = await send('/api/signup/validate', { body: '{}', headers });
  const wrongType = await send('/api/signup/validate', { body: '[]', headers: { 'accept-language': 'en-CA,en;q=0.9,fr;q=0.5' } });

  assert.equal(malformed.body.error.message, 'The request body is not valid JSON.');
  assert.equal(missing.body.error.message, 'Some fields need to be corrected.');
  assert.equal(missing.body.error.fields.email, 'This field is required.');
  assert.equal(wrongType.body.error.message, 'The request body must be a JSON object.');
});
