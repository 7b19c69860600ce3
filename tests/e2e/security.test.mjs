// Security properties seen from outside: response headers (API and static pages), no inline
// script in the UI, cross-site request refusal, the session cookie, what is stored for passwords,
// sessions and one-time codes, and what a production configuration exposes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, TestApp, ROOT, freePort, waitFor, sessionCookieOf } from '../support/app.mjs';
import { sql, quote } from '../support/db.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const sha256hex = (text) => createHash('sha256').update(text).digest('hex');

/** The directives of a Content-Security-Policy, by name. */
function parseCsp(header) {
  const directives = new Map();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** The headers every answer must carry, HTML page or JSON. */
function assertBaselineHeaders(headers, label) {
  const csp = parseCsp(headers.get('content-security-policy'));
  assert.ok(csp.size > 0, `${label}: a Content-Security-Policy is sent`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${label}: CSP frame-ancestors 'none' forbids framing (clickjacking)`);
  const hsts = headers.get('strict-transport-security') ?? '';
  const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0);
  assert.ok(maxAge >= 31_536_000, `${label}: HSTS max-age of at least a year, got ${JSON.stringify(hsts)}`);
  assert.match(hsts, /includeSubDomains/i, `${label}: HSTS covers subdomains`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${label}: X-Content-Type-Options nosniff`);
  const referrer = headers.get('referrer-policy');
  assert.ok(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(referrer),
    `${label}: a Referrer-Policy that never leaks paths cross-origin, got ${JSON.stringify(referrer)}`);
  return csp;
}

// ---------------------------------------------------------------------------------------------
// Headers.

test('every kind of API answer carries the security headers and Cache-Control no-store', async () => {
  const { client } = await app.signedUpUser();
  const anonymous = app.client();
  const answers = [
    ['GET /api/health (200)', await anonymous.get('/api/health')],
    ['GET /api/me signed in (200, personal data)', await client.me()],
    ['GET /api/me anonymous (401)', await anonymous.me()],
    ['POST /api/session with {} (422)', await anonymous.post('/api/session', {})],
    ['GET /api/nope (404)', await anonymous.get('/api/nope')],
    ['PUT /api/session (405)', await anonymous.request('PUT', '/api/session', { json: {} })],
    ['DELETE /api/session (204)', await client.logOut()],
  ];

  for (const [label, res] of answers) {
    assert.equal(res.status, Number(/\((\d{3})/.exec(label)[1]), `${label}: the expected kind of answer (${res.text.slice(0, 200)})`);
    const csp = assertBaselineHeaders(res.headers, label);
    assert.deepEqual(csp.get('default-src'), ["'none'"], `${label}: a JSON answer needs no resource at all (default-src 'none')`);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/, `${label}: Cache-Control no-store keeps API answers out of caches`);
  }
});

test('the API document is a static asset with the baseline security headers', async () => {
  const res = await app.client().get('/api/openapi.json');
  assert.equal(res.status, 200, res.text.slice(0, 200));
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assertBaselineHeaders(res.headers, 'GET /api/openapi.json');
});

// Every page of public/ (index.html is '/'; 404.html answers unknown paths, checked after them).
const STATIC_PAGES = readdirSync(join(ROOT, 'public'))
  .filter((name) => name.endsWith('.html') && name !== '404.html')
  .map((name) => (name === 'index.html' ? '/' : `/${name.slice(0, -'.html'.length)}`));

for (const path of STATIC_PAGES) {
  test(`the static page ${path} carries a CSP without inline script, HSTS, nosniff and frame-ancestors 'none'`, async () => {
    const res = await fetch(app.baseUrl + path, { redirect: 'manual' });
    await res.arrayBuffer();

    assert.equal(res.status, 200, `${path} is served`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${path} is an HTML page`);
    const csp = assertBaselineHeaders(res.headers, path);
    const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
    assert.ok(scriptSrc, `${path}: the CSP restricts scripts (script-src or default-src)`);
    for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:']) {
      assert.ok(!scriptSrc.includes(unsafe), `${path}: script-src must not allow ${unsafe}, got ${scriptSrc.join(' ')}`);
    }
    assert.ok(csp.has('object-src') || csp.get('default-src')?.includes("'none'"), `${path}: plugins are blocked (object-src)`);
    assert.deepEqual(csp.get('base-uri'), ["'none'"], `${path}: <base> cannot redirect relative script URLs`);
  });
}

test('an unknown page answers 404 with the portal\'s page not found and the same headers', async () => {
  const res = await fetch(`${app.baseUrl}/no-such-page`, { redirect: 'manual' });
  const html = await res.text();

  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(html, readFileSync(join(ROOT, 'public', '404.html'), 'utf8'), 'the page is public/404.html');
  assertBaselineHeaders(res.headers, '/no-such-page');
});

test('static scripts and styles are served with nosniff and the CSP too', async () => {
  for (const path of ['/js/api.js', '/css/app.css']) {
    const res = await fetch(app.baseUrl + path);
    await res.arrayBuffer();
    assert.equal(res.status, 200, `${path} is served`);
    assertBaselineHeaders(res.headers, path);
  }
});

// ---------------------------------------------------------------------------------------------
// The UI's HTML, read from disk.

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}

test('no HTML page in public/ has an inline script, an inline event handler or a javascript: URL', () => {
  const files = htmlFiles(join(ROOT, 'public'));
  assert.ok(files.length >= 5, `the UI pages are found (${files.length})`);
  for (const file of files) {
    const name = relative(ROOT, file);
    const html = readFileSync(file, 'utf8');
    for (const [, attributes] of html.matchAll(/<script\b([^>]*)>/gi)) {
      assert.match(attributes, /\ssrc\s*=\s*["']?[^"'\s>]+/i, `${name}: every <script> loads a file (no inline script): <script${attributes}>`);
    }
    const handler = /<[a-z][^>]*\s(on[a-z]+)\s*=/i.exec(html);
    assert.equal(handler, null, `${name}: no inline event handler attribute (found ${handler?.[1]})`);
    assert.doesNotMatch(html, /\b(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i, `${name}: no javascript: URL`);
  }
});

test('no HTML page in public/ has an inline style, which the CSP (style-src \'self\') would block', () => {
  for (const file of htmlFiles(join(ROOT, 'public'))) {
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /<style\b/i, `${relative(ROOT, file)}: no <style> element`);
    assert.doesNotMatch(html, /<[a-z][^>]*\sstyle\s*=/i, `${relative(ROOT, file)}: no style attribute`);
  }
});

// ---------------------------------------------------------------------------------------------
// Cross-site requests.

async function logInWith(email, password, headers) {
  return app.client().request('POST', '/api/session', { json: { email, password }, headers });
}

const CROSS_SITE = [
  ['Origin: https://evil.example', { origin: 'https://evil.example' }],
  ['Origin: null (sandboxed frame)', { origin: 'null' }],
  ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ['a same-origin Sec-Fetch-Site but a foreign Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }],
];

for (const [label, headers] of CROSS_SITE) {
  test(`a sign-in with valid credentials and ${label} answers 403 cross_site_request without a cookie`, async () => {
    const { email, password } = await app.signedUpUser();

    const res = await logInWith(email, password, headers);

    assert.equal(res.status, 403, `a cross-site sign-in is refused: ${res.text}`);
    assert.equal(res.body.error.code, 'cross_site_request');
    assert.equal(typeof res.body.error.message, 'string');
    assert.equal(sessionCookieOf(res.headers.getSetCookie()), undefined, 'no session cookie is handed out');
  });
}

test('a sign-in from the portal itself (same Origin, Sec-Fetch-Site same-origin) is allowed', async () => {
  const { email, password } = await app.signedUpUser();

  const withOrigin = await logInWith(email, password, { origin: app.baseUrl });
  const withFetchMetadata = await logInWith(email, password, { origin: app.baseUrl, 'sec-fetch-site': 'same-origin' });
  const typedUrl = await logInWith(email, password, { 'sec-fetch-site': 'none' });

  assert.equal(withOrigin.status, 200, `same Origin: ${withOrigin.text}`);
  assert.equal(withFetchMetadata.status, 200, `same-origin fetch metadata: ${withFetchMetadata.text}`);
  assert.equal(typedUrl.status, 200, `Sec-Fetch-Site none (user-initiated): ${typedUrl.text}`);
});

test('a form-encoded sign-in (what an HTML form on another site can send) answers 415', async () => {
  const { email, password } = await app.signedUpUser();

  const res = await app.client().request('POST', '/api/session', {
    body: new URLSearchParams({ email, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  assert.equal(res.status, 415, res.text);
  assert.equal(res.body.error.code, 'unsupported_media_type');
  assert.equal(sessionCookieOf(res.headers.getSetCookie()), undefined, 'no session cookie is handed out');
});

test('a cross-site sign-out answers 403 and the session stays valid', async () => {
  const { client } = await app.signedUpUser();

  const res = await client.request('DELETE', '/api/session', { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
  const me = await client.me();

  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.error.code, 'cross_site_request');
  assert.equal(me.status, 200, 'the session was not revoked by the refused request');
});

for (const path of ['/api/signup/validate', '/api/signup', '/api/signup/verify', '/api/signup/resend', '/api/password/forgot', '/api/password/reset']) {
  test(`POST ${path} from another site answers 403 cross_site_request`, async () => {
    const res = await app.client().request('POST', path, { json: {}, headers: { origin: 'https://evil.example' } });

    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error.code, 'cross_site_request');
  });
}

// ---------------------------------------------------------------------------------------------
// The session cookie and what is stored.

test('every cookie the portal sets (session and D1 bookmark) is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
  const { email, password } = await app.signedUpUser();

  const res = await logInWith(email, password);

  assert.equal(res.status, 200, res.text);
  const cookies = res.headers.getSetCookie();
  assert.ok(sessionCookieOf(cookies), `a session cookie is set: ${cookies}`);
  for (const cookie of cookies) {
    const [pair, ...rawAttributes] = cookie.split(';').map((part) => part.trim());
    const name = pair.slice(0, pair.indexOf('='));
    const attributes = new Map(rawAttributes.map((a) => {
      const at = a.indexOf('=');
      return at < 0 ? [a.toLowerCase(), true] : [a.slice(0, at).toLowerCase(), a.slice(at + 1)];
    }));
    assert.match(name, /^__Host-/, `${name}: the __Host- prefix pins the cookie to this host, over HTTPS, at Path=/`);
    assert.equal(attributes.get('secure'), true, `${name}: Secure`);
    assert.equal(attributes.get('httponly'), true, `${name}: HttpOnly, scripts cannot read it`);
    assert.equal(String(attributes.get('samesite')).toLowerCase(), 'lax', `${name}: SameSite=Lax`);
    assert.equal(attributes.get('path'), '/', `${name}: Path=/`);
    assert.equal(attributes.has('domain'), false, `${name}: no Domain attribute (required by __Host-)`);
  }
});

test('the database keeps only the SHA-256 of the session token, never the cookie value', async () => {
  const { client, user } = await app.signedUpUser();
  const token = client.cookies.get('__Host-sel_session');
  assert.match(token ?? '', /^[0-9a-f]{64}$/, 'the cookie carries a 256-bit token');

  const rows = await sql(app, `SELECT * FROM sessions WHERE user_id = ${quote(user.id)}`);

  assert.equal(rows.length, 1, 'one session for the new user');
  assert.notEqual(rows[0].token_hash, token, 'the token itself is not the key');
  assert.equal(rows[0].token_hash, sha256hex(token), 'token_hash is the hex SHA-256 of the cookie value');
  assert.ok(!JSON.stringify(rows[0]).includes(token), 'the token appears in no column');
});

test('passwords are stored as Argon2id (m=19456, t=2, p=1) hashes and appear in no table in clear', async () => {
  const password = `Hibou ${randomBytes(6).toString('hex')} voit la nuit`;
  const { user } = await app.signedUpUser({ password });
  await app.client().logIn(user.email, `${password} faux`); // a failed attempt is audited too

  const [row] = await sql(app, `SELECT password_hash FROM users WHERE id = ${quote(user.id)}`);
  assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    'a PHC Argon2id string with the OWASP parameters, a 128-bit salt and a 256-bit hash');
  for (const table of ['users', 'verifications', 'sessions', 'rate_limits', 'audit_events', 'email_outbox', 'dev_mailbox', 'dead_letters']) {
    const dump = JSON.stringify(await sql(app, `SELECT * FROM ${table}`)).normalize('NFC');
    assert.ok(!dump.includes(password), `the password is not stored in clear in ${table}`);
  }
});

test('one-time codes (signup and reset) are stored as keyed hashes, never in clear', async () => {
  const email = uniqueEmail('codes');
  const client = app.client();
  const started = await client.signUp({ email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD,
    first_name: 'Marie', last_name: 'Tremblay', accept_terms: true });
  assert.equal(started.status, 202, started.text);
  const signupCode = TestApp.codeOf(await app.waitForEmail(email));
  const verified = await client.verify(started.body.verification_id, signupCode);
  assert.equal(verified.status, 200, verified.text);
  const forgot = await app.client().forgotPassword(email);
  assert.equal(forgot.status, 202, forgot.text);
  const resetCode = TestApp.codeOf(await app.waitForEmail(email, (m) => /réinitialisation/.test(m.subject)));
  const cases = [['signup', started.body.verification_id, signupCode], ['reset', forgot.body.reset_id, resetCode]];

  for (const [purpose, id, code] of cases) {
    const [row] = await sql(app, `SELECT code_hash FROM verifications WHERE id = ${quote(id)}`);
    assert.ok(row, `the ${purpose} verification is stored`);
    assert.match(row.code_hash, /^[0-9a-f]{64}$/, `${purpose}: the code is stored as a 256-bit hash`);
    assert.ok(!row.code_hash.includes(code), `${purpose}: code_hash does not contain the code`);
    for (const guess of [code, `${id}:${code}`, `${id}${code}`, `${code}${id}`]) {
      assert.notEqual(row.code_hash, sha256hex(guess), `${purpose}: the hash is keyed (not a plain SHA-256 that 10^6 guesses would reverse)`);
    }
  }
  const outbox = await sql(app, `SELECT template, params, last_error FROM email_outbox WHERE to_email = ${quote(email)}`);
  assert.ok(outbox.length >= 2, `the signup and reset emails went through the outbox (${outbox.length})`);
  for (const row of outbox) {
    for (const [, , code] of cases) {
      assert.ok(!String(row.params).includes(code), `outbox ${row.template}: params do not contain the code`);
      assert.ok(!String(row.last_error ?? '').includes(code), `outbox ${row.template}: last_error does not contain the code`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Production configuration.

const PRODUCTION = { ENVIRONMENT: 'production', EMAIL_PROVIDER: 'http', EMAIL_API_URL: 'http://127.0.0.1:9/none', EMAIL_API_KEY: 'k' };

test('in production the development routes answer 404 while the API serves', async () => {
  // spawnApp adds CLOCK_CONTROL=enabled; outside development it must have no effect.
  const production = await spawnApp({ vars: { ...PRODUCTION, CODE_HASH_KEY: 'test-key' } });
  try {
    const routes = [
      ['GET', '/dev/mailbox'], ['GET', '/dev/mailbox/'], ['GET', '/dev/mailbox?to=a%40b.ca'], ['POST', '/dev/clock'],
      ['GET', '/dev/dead-letters'], ['POST', '/dev/queues/email'],
    ];
    const client = production.client();
    for (const [method, path] of routes) {
      const res = await client.request(method, path, method === 'POST' ? { json: { advance_ms: 3_600_000 } } : {});
      assert.equal(res.status, 404, `${method} ${path} is hidden in production: ${res.text}`);
      assert.equal(res.body?.error?.code, 'not_found', `${method} ${path} answers like any unknown path`);
    }
    const health = await client.get('/api/health');
    assert.equal(health.status, 200, `the API serves: ${health.text}`);
    const validate = await client.validateSignup({ email: uniqueEmail('prod'), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD });
    assert.equal(validate.status, 204, `a JSON endpoint serves: ${validate.text}`);
  } finally {
    await production.stop();
  }
});

/**
 * A `wrangler dev` that need not be healthy (spawnApp waits for /api/health 200, which a
 * misconfigured worker never gives). Ready as soon as it answers anything.
 */
async function spawnUnhealthyWorker(vars) {
  const runs = join(ROOT, 'tests', '.runs');
  mkdirSync(runs, { recursive: true });
  const state = mkdtempSync(join(runs, 'state-'));
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--persist-to', state, '--show-interactive-dev-session=false'];
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEL_SKIP_BUILD: '1', WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch {}
    await waitFor('wrangler to exit', () => child.exitCode !== null || child.signalCode !== null, { timeoutMs: 10000 })
      .catch(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} });
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitFor('the worker to answer', async () => {
      if (child.exitCode !== null) throw new Error(`wrangler exited:\n${log}`);
      const res = await fetch(`${baseUrl}/api/health`);
      await res.arrayBuffer();
      return true;
    }, { timeoutMs: 60000, intervalMs: 200 });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- wrangler output ---\n${log}`);
  }
  return { baseUrl, stop, log: () => log };
}

test('a production worker without its CODE_HASH_KEY secret refuses to serve with an opaque 500', async () => {
  const worker = await spawnUnhealthyWorker(PRODUCTION);
  try {
    const requests = [
      ['GET', '/api/health', undefined],
      ['GET', '/api/me', undefined],
      ['POST', '/api/signup', { email: uniqueEmail('nokey'), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Marie', last_name: 'Tremblay', accept_terms: true }],
      ['POST', '/api/password/forgot', { email: uniqueEmail('nokey') }],
    ];
    for (const [method, path, json] of requests) {
      const res = await fetch(worker.baseUrl + path, {
        method, headers: json ? { 'content-type': 'application/json' } : {}, body: json ? JSON.stringify(json) : undefined,
      });
      const text = await res.text();
      const label = `${method} ${path} answered ${res.status}: ${text}`;

      assert.equal(res.status, 500, `the worker does not serve without CODE_HASH_KEY — ${label}`);
      const body = JSON.parse(text);
      assert.equal(body.error?.code, 'internal_error', `an opaque error code — ${label}`);
      assert.equal(typeof body.error?.message, 'string', label);
      for (const leak of ['CODE_HASH_KEY', 'secret', 'configuration', 'EMAIL_API']) {
        assert.ok(!text.toLowerCase().includes(leak.toLowerCase()), `the body does not reveal the cause (${leak}) — ${label}`);
      }
      assertBaselineHeaders(res.headers, label);
    }
  } finally {
    await worker.stop();
  }
});
