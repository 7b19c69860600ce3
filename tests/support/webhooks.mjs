// A local webhook receiver for the end-to-end tests, and an independent signature check.
//
//   const receiver = await startReceiver();            // answers 200 by default
//   receiver.answer = (request, index) => 500;         // or {status, headers}
//   const [delivery] = await receiver.waitFor(1);
//   verify(secret, delivery)                            // → {valid, fresh, signatures}
//
// The check is the Python of tests/support/verify_webhook.py (standard library only): it shares no
// code with the worker's Rust signer. Below them, helpers shared by the webhook test files.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './client.mjs';
import { linkedResponsible, createOrganisation, sql, quote } from './orgs.mjs';

const VERIFIER = join(dirname(fileURLToPath(import.meta.url)), 'verify_webhook.py');

/**
 * @typedef {object} Received
 * @property {string} path
 * @property {Record<string, string>} headers  lower-case names
 * @property {string} text   the raw body
 * @property {any} body      parsed JSON
 * @property {number} bytes  body length in bytes
 * @property {number} at     Date.now() on arrival
 * @property {number} status what the receiver answered
 */

/** Starts a receiver on 127.0.0.1 at a free port. */
export async function startReceiver() {
  /** @type {Received[]} */
  const requests = [];
  const receiver = {
    requests,
    /** (request, index) => status | {status, headers}; index counts requests to the same path. */
    answer: () => 200,
    url: '',
    /** Waits until `n` requests match `filter` (default: all); resolves to them. */
    async waitFor(n, { filter = () => true, timeoutMs = 20000 } = {}) {
      let seen = [];
      try {
        return await waitFor(`${n} webhook request(s)`, () => {
          seen = requests.filter(filter);
          return seen.length >= n ? seen : undefined;
        }, { timeoutMs, intervalMs: 50 });
      } catch (error) {
        throw new Error(`${error.message} (${seen.length} arrived: ${seen.map((r) => `${r.path} ${r.status}`).join(', ')})`);
      }
    },
    /** The requests that reached `path`. */
    at(path) { return requests.filter((r) => r.path === path); },
    close() {
      return new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); });
    },
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      let body;
      try { body = JSON.parse(text); } catch { body = undefined; }
      const request = { path: req.url, headers: { ...req.headers }, text, body, bytes: raw.length, at: Date.now(), status: 0 };
      const index = requests.filter((r) => r.path === req.url).length;
      let answer;
      try { answer = receiver.answer(request, index); } catch { answer = 599; }
      const { status, headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
      request.status = status;
      requests.push(request);
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  receiver.url = `http://127.0.0.1:${server.address().port}`;
  return receiver;
}

/** Runs `use(receiver)` with a fresh receiver, closed afterwards. */
export async function withReceiver(use) {
  const receiver = await startReceiver();
  try {
    return await use(receiver);
  } finally {
    await receiver.close();
  }
}

/** Checks a received request's signature with `secret`, independently of the worker. */
export function verify(secret, request) {
  const input = JSON.stringify({
    secret,
    id: request.headers['webhook-id'],
    timestamp: request.headers['webhook-timestamp'],
    signature: request.headers['webhook-signature'] ?? '',
    body: request.text,
  });
  return JSON.parse(execFileSync('python3', [VERIFIER], { input, encoding: 'utf8' }));
}

// --- Helpers of the webhook tests ----------------------------------------------------------------

export const ALL_EVENTS = ['authorization.granted', 'authorization.changed', 'authorization.revoked', 'authorization.expiring',
  'authorization.expired', 'contact.linked', 'contact.revoked', 'access_request.created', 'access_request.answered',
  'monthly_report.transmitted', 'monthly_report.corrected'];
/** The Standard Webhooks schedule: the wait after each failed attempt, in seconds. */
export const SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000];
export const isDisabledEmail = (email) => /webhook/i.test(email.subject) && /désactivé|disabled/i.test(email.subject);

export const createWebhook = (client, url, events = ['authorization.granted'], description = 'Logiciel comptable') =>
  client.createWebhook({ url, events, description });

/** An employer's responsible with one webhook to `receiver` + `path`. */
export async function employerWithWebhook(app, receiver, path = '/hook', events = ['authorization.granted']) {
  const employer = await linkedResponsible(app, { kind: 'employer' });
  const created = await createWebhook(employer.client, receiver.url + path, events);
  assert.equal(created.status, 201, created.text);
  return { ...employer, webhook: created.body.webhook, secret: created.body.secret };
}

/** A firm whose responsible contact (invited) the employer can authorize. */
export const newFirm = (app) => createOrganisation(app);

export async function grant(employerClient, firm) {
  const res = await employerClient.grantAuthorization({
    firm_file_number: firm.form.file_number, contact_email: firm.responsible.email, services: ['workforce'], level: 'consultation',
  });
  assert.equal(res.status, 201, `granting: ${res.text}`);
  return res.body.authorization;
}

export async function deliveries(client, webhookId) {
  const res = await client.webhookDeliveries(webhookId);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

/** The delivery rows of an endpoint, read from D1 (works whatever the clock did to sessions). */
export async function deliveryRows(app, webhookId) {
  return sql(app, `SELECT * FROM webhook_deliveries WHERE endpoint_id = ${quote(webhookId)} ORDER BY event_seq`);
}

export async function attemptRows(app, deliveryId) {
  return sql(app, `SELECT * FROM webhook_attempts WHERE delivery_id = ${quote(deliveryId)} ORDER BY number`);
}

export async function endpointRow(app, webhookId) {
  const [row] = await sql(app, `SELECT * FROM webhook_endpoints WHERE id = ${quote(webhookId)}`);
  return row;
}
