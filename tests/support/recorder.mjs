// A recording HTTP server that stands in for an external API (the email provider): it records
// every request and answers with a programmable script of statuses.
//
//   const recorder = await startRecorder({ script: [500, 500, 200] });
//   // ... point the worker at recorder.url + '/send' ...
//   const [first] = await recorder.waitForRequests(1);
//   await recorder.close();
//
// A script is either an array of statuses, answered in order, the last one repeating (so [400] is
// "always 400" and [500, 500, 200] is "two failures, then success"), or a function
// (request, index) => status | { status, body } for answers that depend on the request.
import { createServer } from 'node:http';
import { waitFor } from './client.mjs';

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path        the path with its query string
 * @property {Record<string, string | string[]>} headers  lower-case names, as node:http gives them
 * @property {string} text        the raw body
 * @property {any} body           the body parsed as JSON, or undefined when it is not JSON
 * @property {number} at          Date.now() when the request arrived
 * @property {number} status      what the recorder answered
 */

function answerFor(script, request, index) {
  if (typeof script === 'function') return script(request, index);
  if (!Array.isArray(script) || script.length === 0) throw new Error('a script needs at least one status');
  return script[Math.min(index, script.length - 1)];
}

/** Starts the recorder on 127.0.0.1 at a free port. */
export async function startRecorder({ script = [200] } = {}) {
  /** @type {RecordedRequest[]} */
  const requests = [];
  let current = script;
  let answered = 0;

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
      const request = { method: req.method, path: req.url, headers: { ...req.headers }, text, body, at: Date.now(), status: 0 };
      let answer;
      try {
        answer = answerFor(current, request, answered);
      } catch (error) {
        answer = { status: 599, body: { error: `recorder script failed: ${error.message}` } };
      }
      answered += 1;
      const { status, body: reply } = typeof answer === 'number' ? { status: answer, body: undefined } : answer;
      request.status = status;
      requests.push(request);
      const payload = JSON.stringify(reply ?? (status < 300 ? { id: `recorded-${requests.length}` } : { error: `scripted ${status}` }));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    /** Every request so far, oldest first (a live array). */
    requests,
    /** The base URL, without a trailing slash. */
    url: `http://127.0.0.1:${port}`,
    /** Replaces the script; the next request is answered by its first entry. */
    setScript(script) {
      current = script;
      answered = 0;
    },
    /**
     * Polls until at least `n` recorded requests match `filter`; resolves to the matching ones.
     * Fails after `timeoutMs` saying how many arrived.
     */
    async waitForRequests(n, { filter = () => true, timeoutMs = 15000, intervalMs = 50 } = {}) {
      let seen = [];
      try {
        return await waitFor(`${n} request(s) to the recorder`, () => {
          seen = requests.filter(filter);
          return seen.length >= n ? seen : undefined;
        }, { timeoutMs, intervalMs });
      } catch (error) {
        throw new Error(`${error.message} (${seen.length} arrived)`);
      }
    },
    /** Stops listening and drops open connections. */
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
