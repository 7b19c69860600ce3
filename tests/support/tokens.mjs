// API tokens for the end-to-end tests of tokens: creating one through the responsable's session,
// calling the listing routes with `Authorization: Bearer …` the way an accounting platform does,
// and following a sync from a cursor to the end.
import assert from 'node:assert/strict';
import { today, addDays, workerNow, sqlWrite } from './authz.mjs';
import { quote } from './orgs.mjs';
import { query } from './api.mjs';

export const TOKENS = '/api/organisation/tokens';
export const FILES = '/api/authorized-files';
export const MEMBERS = '/api/organisation/members';
export const AUDIT = '/api/organisation/audit';
export const AUDIT_CSV = '/api/organisation/audit.csv';
export const FILES_SCOPE = 'authorized_files:read';
export const CONTACTS_SCOPE = 'contacts:read';
export const ALL_SCOPES = [FILES_SCOPE, CONTACTS_SCOPE];
export const SECRET_SHAPE = /^sel_[A-Za-z0-9_-]{43}$/;

/** A valid creation body: both scopes, expiring in 30 days (by the worker's clock). */
export async function tokenBody(app, overrides = {}) {
  return { name: 'Synchro Acomba', scopes: ALL_SCOPES, expires_on: addDays(await today(app), 30), ...overrides };
}

/** Creates a token as `client` (a responsable's session), insisting on 201; resolves to {token, secret}. */
export async function createToken(app, client, overrides = {}) {
  const res = await client.createToken(await tokenBody(app, overrides));
  assert.equal(res.status, 201, `creating a token answered ${res.status}: ${res.text}`);
  return res.body;
}

/** The organisation's tokens as the list shows them. */
export async function listTokens(client) {
  const res = await client.tokens();
  assert.equal(res.status, 200, `listing tokens answered ${res.status}: ${res.text}`);
  return res.body.items;
}

/** Revokes a token as `client`; resolves to the raw answer. */
export const revokeToken = (client, id) => client.revokeToken(id);

/**
 * An accounting platform's client: no cookie, no Sec-Fetch-Site, `Authorization: Bearer <secret>`
 * (or `authorization` as given, or none when it is null) on every request.
 */
export function platformClient(app, secret, { authorization } = {}) {
  const value = authorization === undefined ? `Bearer ${secret}` : authorization;
  return app.client({ headers: { authorization: value, 'sec-fetch-site': null } });
}

/** A GET of `path` (any, odd ones too) as a platform (see `platformClient`). */
export function bearerGet(app, path, secret, { authorization, headers = {} } = {}) {
  return platformClient(app, secret, { authorization }).get(path, { headers });
}

/** One sync answer of `path` since `since`, insisting on 200. */
export async function syncPage(app, path, secret, params = {}) {
  const res = await bearerGet(app, `${path}${query(params)}`, secret);
  assert.equal(res.status, 200, `syncing ${path}${query(params)} answered ${res.status}: ${res.text}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['has_more', 'items', 'next_cursor'], 'a sync answer is {items, next_cursor, has_more}');
  return res.body;
}

/**
 * Follows a sync from `since` until has_more is false; resolves to {items (in order), cursor (the
 * last next_cursor), pages}.
 */
export async function syncAll(app, path, secret, { since = 0, limit } = {}) {
  const pages = [];
  let cursor = String(since);
  for (;;) {
    assert.ok(pages.length < 500, 'the sync ends');
    const page = await syncPage(app, path, secret, { since: cursor, limit });
    pages.push(page);
    cursor = page.next_cursor;
    if (!page.has_more) break;
  }
  return { items: pages.flatMap((p) => p.items), cursor, pages };
}

/**
 * Sets a token's request counter for the current minute (the harness may write the instance's
 * D1): the cheap way to reach the per-token rate limit without sending 600 requests.
 */
export async function primeRateLimit(app, tokenId, count) {
  const now = await workerNow(app);
  sqlWrite(app, `INSERT INTO rate_limits (key, window_start, count, last_at) VALUES (${quote(`api-token:${tokenId}`)}, ${now}, ${count}, ${now})
    ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count, last_at = excluded.last_at`);
  return now;
}
