// Operator commands against a running portal (local or deployed):
//   node scripts/operator.mjs create-organisation organisation.json
//   node scripts/operator.mjs import-legacy legacy-export.json
//   node scripts/operator.mjs import-migration legacy-export.ndjson [report.json]
// SEL_URL (default http://127.0.0.1:8787) and OPERATOR_TOKEN (default: the development token)
// say where and as whom. The formats are in the README ("Operator commands").
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const ROUTES = { 'create-organisation': '/api/operator/organisations', 'import-legacy': '/api/operator/legacy-credentials' };
const defaultToken = () => process.env.OPERATOR_TOKEN ?? 'dev-operator-token';

async function call(baseUrl, method, path, body, token) {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = { error: { code: 'not_json', message: text.slice(0, 200) } }; }
  return { status: res.status, body: parsed };
}

export async function operator(baseUrl, command, body, token = defaultToken()) {
  const path = ROUTES[command];
  if (!path) throw new Error(`unknown command ${command}; known: ${Object.keys(ROUTES).join(', ')}, import-migration`);
  return call(baseUrl, 'POST', path, body, token);
}

// --- import-migration ------------------------------------------------------------------------------

/** What the portal takes in one batch: at most 200 lines and 1 MiB (we stay well under). */
const BATCH_LINES = 200;
const BATCH_BYTES = 900 * 1024;
/** A line longer than this is not sent: no record of the export comes near it. */
const MAX_LINE_BYTES = 64 * 1024;
const RETRIES = 3;

const newRunId = () => `run-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;

/** One line of the export as a batch item: the record, or why it cannot be sent as one. */
function itemOf(text, line) {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return { line, unreadable: 'record_too_large' };
  try {
    return { line, record: JSON.parse(text) };
  } catch {
    return { line, unreadable: 'malformed_json' };
  }
}

/** Sends a batch, retrying transport failures and 5xx (a batch sent twice is counted once). */
async function sendBatch(baseUrl, token, runId, items) {
  let failure;
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    try {
      const res = await call(baseUrl, 'POST', '/api/operator/migrations', { run_id: runId, items }, token);
      if (res.status === 200) return res.body;
      failure = new Error(`lines ${items[0].line}–${items.at(-1).line}: the portal answered ${res.status} ${JSON.stringify(res.body.error ?? res.body)}`);
      if (res.status < 500) break;
    } catch (error) {
      failure = new Error(`lines ${items[0].line}–${items.at(-1).line}: ${error.cause?.message ?? error.message}`);
    }
  }
  throw failure;
}

/**
 * Streams an NDJSON export to the portal in batches under one run id. Resolves to the report:
 * {run_id, file, lines, report (the portal's counts for the run), rejected: [{line, kind, key, reason, field}]}.
 * Rejects (with the report so far as `error.partial`) when the portal cannot be reached.
 */
export async function importMigration(baseUrl, file, { token = defaultToken(), runId = newRunId(), onProgress = () => {} } = {}) {
  const progress = { lines: 0, created: 0, already_present: 0, rejected: 0 };
  const rejected = [];
  let batch = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const answer = await sendBatch(baseUrl, token, runId, batch);
    progress.lines += answer.lines;
    for (const outcome of ['created', 'already_present']) {
      progress[outcome] += Object.values(answer[outcome]).reduce((a, b) => a + b, 0);
    }
    progress.rejected += answer.rejected.length;
    rejected.push(...answer.rejected);
    onProgress({ ...progress });
    batch = [];
    bytes = 0;
  };
  try {
    let line = 0;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      const item = itemOf(line === 1 ? text.replace(/^\uFEFF/, '') : text, line);
      const size = Buffer.byteLength(JSON.stringify(item));
      if (batch.length === BATCH_LINES || bytes + size > BATCH_BYTES) await flush();
      batch.push(item);
      bytes += size;
    }
    await flush();
  } catch (error) {
    error.partial = { run_id: runId, file, ...progress, rejected };
    throw error;
  }
  const report = progress.lines === 0 ? null : await call(baseUrl, 'GET', `/api/operator/migrations/${runId}`, undefined, token);
  if (report && report.status !== 200) throw new Error(`the report of ${runId} answered ${report.status} ${JSON.stringify(report.body)}`);
  return { run_id: runId, file, lines: progress.lines, report: report?.body ?? null, rejected };
}

function printReport(result) {
  const { report } = result;
  const sum = (counts) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
  console.log(`run ${result.run_id}: ${result.lines} lines of ${result.file}`);
  if (report) {
    for (const outcome of ['created', 'already_present']) {
      const counts = Object.entries(report[outcome]).map(([kind, n]) => `${kind} ${n}`).join(', ');
      console.log(`  ${outcome.replace('_', ' ')}: ${sum(report[outcome])} (${counts})`);
    }
    console.log(`  rejected: ${report.totals.rejected}`);
    for (const [kind, reasons] of Object.entries(report.rejected)) {
      for (const [reason, n] of Object.entries(reasons)) console.log(`    ${kind} ${reason}: ${n}`);
    }
  }
  for (const r of result.rejected) {
    console.log(`  line ${r.line}: ${r.kind} ${r.key ?? '(no key)'} — ${r.reason}${r.field ? ` (${r.field})` : ''}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, file, output] = process.argv.slice(2);
  if (!command || !file) {
    console.error('usage: node scripts/operator.mjs create-organisation|import-legacy FILE.json\n       node scripts/operator.mjs import-migration FILE.ndjson [REPORT.json]');
    process.exit(2);
  }
  const baseUrl = process.env.SEL_URL ?? 'http://127.0.0.1:8787';
  if (command === 'import-migration') {
    const reportFile = output ?? `${file}.report.json`;
    try {
      const result = await importMigration(baseUrl, file, {
        onProgress: (p) => process.stderr.write(`\r${p.lines} lines: ${p.created} created, ${p.already_present} already present, ${p.rejected} rejected`),
      });
      process.stderr.write('\n');
      printReport(result);
      writeFileSync(reportFile, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`report written to ${reportFile}`);
    } catch (error) {
      process.stderr.write('\n');
      console.error(`import-migration stopped: ${error.message}`);
      if (error.partial) {
        writeFileSync(reportFile, `${JSON.stringify({ ...error.partial, error: error.message }, null, 2)}\n`);
        console.error(`what was imported so far is in ${reportFile}; importing the file again is safe`);
      }
      process.exit(1);
    }
  } else {
    const { status, body } = await operator(baseUrl, command, JSON.parse(readFileSync(file, 'utf8')));
    console.log(JSON.stringify(body, null, 2));
    process.exit(status < 300 ? 0 : 1);
  }
}
