// The HTTP client of the tests and of the demo seeder: a browser-like client with one method per
// endpoint, and a poller that waits for a condition instead of sleeping.

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor(what, check, { timeoutMs = 15000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) { lastError = error; }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/** The session cookie among a response's Set-Cookie lines (others, like the D1 bookmark, are not a session). */
export function sessionCookieOf(setCookies) {
  return setCookies.find((cookie) => cookie.startsWith('__Host-sel_session='));
}

/** A browser-like client: keeps its cookies, sends JSON, reads JSON. */
export class Client {
  constructor(baseUrl, { locale, ip } = {}) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
    this.locale = locale;
    this.ip = ip;
    this.lastSetCookie = [];
  }

  async request(method, path, { json, body, headers = {} } = {}) {
    const all = { ...headers };
    if (json !== undefined) {
      all['content-type'] ??= 'application/json';
      body = JSON.stringify(json);
    }
    // What a browser's fetch from a portal page says on every request: writes that carry the
    // session cookie without it are refused.
    all['sec-fetch-site'] ??= 'same-origin';
    if (this.locale) all['accept-language'] ??= this.locale;
    if (this.ip) all['cf-connecting-ip'] ??= this.ip;
    if (this.cookies.size) all.cookie ??= [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.baseUrl + path, { method, headers: all, body, redirect: 'manual' });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const cookie of this.lastSetCookie) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const cleared = attributes.some((a) => a.trim().toLowerCase() === 'max-age=0');
      if (cleared || value === '') this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await res.text();
    let data;
    try { data = text ? JSON.parse(text) : undefined; } catch { data = text; }
    return { status: res.status, headers: res.headers, body: data, text };
  }

  get(path, options) { return this.request('GET', path, options); }
  post(path, json, options = {}) { return this.request('POST', path, { ...options, json }); }

  validateSignup(fields) { return this.post('/api/signup/validate', fields); }
  signUp(fields) { return this.post('/api/signup', fields); }
  verify(verification_id, code) { return this.post('/api/signup/verify', { verification_id, code }); }
  resend(verification_id) { return this.post('/api/signup/resend', { verification_id }); }
  logIn(email, password) { return this.post('/api/session', { email, password }); }
  logOut() { return this.request('DELETE', '/api/session'); }
  me() { return this.get('/api/me'); }
  forgotPassword(email) { return this.post('/api/password/forgot', { email }); }
  resetPassword(reset_id, code, new_password, new_password_confirmation = new_password) {
    return this.post('/api/password/reset', { reset_id, code, new_password, new_password_confirmation });
  }
}

