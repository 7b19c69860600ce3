// The HTTP client of the tests and of the demo seeder: a browser-like client with one method per
// endpoint (named in api.mjs), and a poller that waits for a condition instead of sleeping. It also plays the
// authenticator app of the accounts it enrolled in TOTP: their sign-in challenges are answered
// with a computed code (or, when codes of the next steps are spent, a recovery code).

import { createHmac } from 'node:crypto';
import { Api } from './api.mjs';

const STEP_MS = 30 * 1000;

/** RFC 4648 base 32 (no padding) to bytes. */
export function base32Bytes(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The six-digit TOTP code (RFC 6238, HMAC-SHA1) of a time step: what an authenticator app shows. */
export function totpCode(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export const stepOf = (ms) => Math.floor(ms / STEP_MS);

/**
 * The worker's clock: real time plus the test clock's offset, through the development route; the
 * local clock where that route is off (`make dev` without CLOCK_CONTROL).
 */
export async function workerClock(baseUrl) {
  const res = await new Client(baseUrl).devClock({ advance_ms: 0 });
  if (res.status !== 200) return Date.now();
  return res.body.now;
}

/** Accounts enrolled through `enrolTotp`, by email: {secret, lastStep, recoveryCodes}. */
export const FACTORS = new Map();

/**
 * A proof for the next sign-in or step-up of an enrolled account: the code of the earliest step
 * the server still accepts (a step serves once; one step of drift is allowed), else a recovery code.
 */
export async function nextProof(baseUrl, factor) {
  const step = stepOf(await workerClock(baseUrl));
  const next = Math.max(step, factor.lastStep + 1);
  if (next <= step + 1) {
    factor.lastStep = next;
    return { code: totpCode(factor.secret, next) };
  }
  const recovery = factor.recoveryCodes.shift();
  if (!recovery) throw new Error('no TOTP step nor recovery code left for this account');
  return { recovery_code: recovery };
}

const ENROLLING = new Map();

/**
 * Sets up TOTP on the account of `client` unless another of its sessions is already doing it (or
 * did): concurrent sessions of one account share one enrolment.
 */
/** Forgets the factor of an account whose database no longer has it (one from before second factors). */
export function forgetFactor(email) {
  const key = String(email).trim().toLowerCase();
  FACTORS.delete(key);
  ENROLLING.delete(key);
}

export function enrolTotpOnce(client) {
  if (!client.email) return enrolTotp(client);
  if (!ENROLLING.has(client.email)) ENROLLING.set(client.email, enrolTotp(client));
  return ENROLLING.get(client.email);
}

/** Sets up TOTP on the signed-in account of `client`; resolves to {secret, recoveryCodes}. */
export async function enrolTotp(client) {
  const me = await client.me();
  if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}: ${me.text}`);
  const started = await client.startTotp();
  if (started.status !== 201) throw new Error(`starting TOTP answered ${started.status}: ${started.text}`);
  const { secret } = started.body;
  const step = stepOf(await workerClock(client.baseUrl));
  const confirmed = await client.confirmTotp({ code: totpCode(secret, step) });
  if (confirmed.status !== 200) throw new Error(`confirming TOTP answered ${confirmed.status}: ${confirmed.text}`);
  const factor = { secret, lastStep: step, recoveryCodes: [...confirmed.body.recovery_codes] };
  FACTORS.set(me.body.email, factor);
  client.email = me.body.email;
  return { secret, recoveryCodes: confirmed.body.recovery_codes, factor };
}

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

/**
 * wrangler dev's proxy keeps its connections to the worker for 5 s, and the worker's runtime closes
 * one it sees idle for 5 s, by a clock that stands still while local D1 keeps its event loop busy: a
 * request can go into a connection being closed, and the proxy then answers 503 "Your worker
 * restarted mid-request" itself rather than send a POST again (cloudflare/workers-sdk#14641;
 * bench/RESULTS.md, "Bursts"). That answer is not SEL's, and the POST may not have reached the
 * worker. Burst tests set such answers aside and judge the limit from the other answers and from
 * the database.
 */
/** How long a GET may go without an answer before it counts as lost (see `sentAgainIfLost`). */
const LOST_AFTER_MS = 60_000;

/**
 * Under a full run's load, wrangler dev's proxy has been seen to lose a request: no answer at all,
 * until the suite's own timeout (a burst of 40 GETs, once in thousands). A GET (never a write) with
 * no answer for a minute is sent once more, as the portal's pages do with a GET the proxy failed;
 * a worker that really hangs still hangs the second time.
 */
async function sentAgainIfLost(send) {
  try {
    return await send(AbortSignal.timeout(LOST_AFTER_MS));
  } catch (error) {
    if (error.name !== 'TimeoutError') throw error;
    return send(undefined);
  }
}

export const isDevProxyDrop = (res) => res.status === 503 && /Your worker restarted mid-request/.test(res.text);

/** The answers SEL itself gave to a burst (see `isDevProxyDrop`), at least one. */
export function answeredByWorker(answers) {
  const answered = answers.filter((res) => !isDevProxyDrop(res));
  if (answered.length === 0) throw new Error('wrangler dev dropped every request of the burst');
  return answered;
}

/**
 * Sends `send()` again while wrangler dev's proxy drops it (at most three times): for a request
 * right after a burst, where the proxy's connections to the worker may have been lost. Only for
 * requests whose repetition the test's assertions allow (a repeated one lands in a cooldown).
 */
export async function untilAnswered(send) {
  let res = await send();
  for (let retry = 0; retry < 3 && isDevProxyDrop(res); retry += 1) res = await send();
  return res;
}

/** The session cookie among a response's Set-Cookie lines (others, like the D1 bookmark, are not a session). */
export function sessionCookieOf(setCookies) {
  return setCookies.find((cookie) => cookie.startsWith('__Host-sel_session='));
}

/**
 * A browser-like client: keeps its cookies, sends JSON, reads JSON. Like a person with their
 * authenticator app (for an account it enrolled), it answers the sign-in challenge of `logIn`, and
 * 403 step_up_required with a step-up before sending the request again, unless `autoStepUp` is
 * false. `headers` go with every request (a header given as null is not sent: `'sec-fetch-site':
 * null` for a client that is not a browser, such as an accounting platform or the operator).
 */
export class Client extends Api {
  constructor(baseUrl, { locale, ip, autoStepUp = true, headers = {} } = {}) {
    super();
    this.baseUrl = baseUrl;
    this.headers = headers;
    this.autoStepUp = autoStepUp;
    /** The account this client signed up or in as. */
    this.email = undefined;
    this.cookies = new Map();
    this.locale = locale;
    this.ip = ip;
    this.lastSetCookie = [];
  }

  async request(method, path, { json, body, headers = {} } = {}) {
    const all = { ...this.headers, ...headers };
    if (json !== undefined) {
      all['content-type'] ??= 'application/json';
      body = JSON.stringify(json);
    }
    // What a browser's fetch from a portal page says on every request: writes that carry the
    // session cookie without it are refused.
    const add = (name, value) => { if (!(name in all)) all[name] = value; };
    add('sec-fetch-site', 'same-origin');
    if (this.locale) add('accept-language', this.locale);
    if (this.ip) add('cf-connecting-ip', this.ip);
    if (this.userAgent) add('user-agent', this.userAgent);
    if (this.cookies.size) add('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    for (const [name, value] of Object.entries(all)) if (value === null || value === undefined) delete all[name];
    const send = (signal) => fetch(this.baseUrl + path, { method, headers: all, body, redirect: 'manual', signal });
    const res = method === 'GET' ? await sentAgainIfLost(send) : await send();
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
    const factor = FACTORS.get(this.email);
    if (res.status === 403 && data?.error?.code === 'step_up_required' && this.autoStepUp && factor) {
      const steppedUp = await this.stepUp(await nextProof(this.baseUrl, factor));
      if (steppedUp.status !== 204) throw new Error(`step-up answered ${steppedUp.status}: ${steppedUp.text}`);
      if (path !== '/api/me/mfa/recovery-codes') await this.replenishRecoveryCodes(factor);
      return this.request(method, path, { json, body, headers });
    }
    return { status: res.status, headers: res.headers, body: data, text };
  }

  get(path, options) { return this.request('GET', path, options); }
  post(path, json, options = {}) { return this.request('POST', path, { ...options, json }); }

  signUp(fields, options) {
    this.email = String(fields?.email ?? '').trim().toLowerCase();
    return super.signUp(fields, options);
  }

  /** Signs in; for an account enrolled through `enrolTotp`, answers the challenge as its app would. */
  async logIn(email, password, options) {
    this.email = String(email).trim().toLowerCase();
    const res = await super.logIn(email, password, options);
    const factor = FACTORS.get(String(email).trim().toLowerCase());
    if (res.status !== 202 || !factor || !this.autoStepUp) return res;
    const signedIn = await this.answerChallenge({ challenge_id: res.body.challenge_id, ...(await nextProof(this.baseUrl, factor)) });
    if (signedIn.status === 200) await this.replenishRecoveryCodes(factor);
    return signedIn;
  }

  /**
   * A test signs the same account in many times a minute, more than the two TOTP steps the server
   * accepts at a time: the recovery codes take over, and a fresh session (its factor just proven)
   * gets a new set before they run out.
   */
  async replenishRecoveryCodes(factor) {
    if (factor.recoveryCodes.length > 3 || factor.replenishing) return;
    factor.replenishing = true;
    try {
      const renewed = await this.renewRecoveryCodes();
      if (renewed.status === 200) factor.recoveryCodes = [...renewed.body.recovery_codes];
    } finally {
      factor.replenishing = false;
    }
  }
}

