// Cleanup benchmark (not a test): 100,000 expired rows seeded straight into the local D1 of one
// `wrangler dev` (25,000 each of verifications, sessions, rate-limit counters and sent outbox
// emails), then cron runs triggered one after the other until a run finds nothing left. Reports
// the runs needed, rows deleted and time per run (the job's own duration as recorded in job_runs,
// and the wall time from the trigger until every job of the run was recorded), rows per second,
// and the cost of a run with nothing to do. Replaces its own section of bench/RESULTS.md.
// Usage: SEL_SKIP_BUILD=1 node bench/cleanup.mjs (the worker must be built; bench/run.sh does it).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

process.env.SEL_SKIP_BUILD = '1';
const { spawnApp, ROOT } = await import('../tests/support/app.mjs');
const { JOBS, insertRows, runJobs, times, workerNow } = await import('../tests/support/jobs.mjs');

const PER_KIND = Number(process.env.BENCH_CLEANUP_ROWS_PER_KIND ?? 25_000);
const DAY = 24 * 60 * 60 * 1000;
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const BEGIN = '<!-- cleanup benchmark: begin (written by bench/cleanup.mjs) -->';
const END = '<!-- cleanup benchmark: end -->';
const log = (...args) => console.error('[bench:cleanup]', ...args);
const fmt = (x, digits = 0) => Number(x).toFixed(digits);

let app;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => { (app ? app.stop() : Promise.resolve()).finally(() => process.exit(130)); });
}

/** 100,000 rows the cleanup deletes, dated two days (or 40 days, for the outbox) in the past. */
function seed(now) {
  const old = now - 2 * DAY;
  const user = `bench-user-${now}`;
  insertRows(app, 'users', ['id', 'email', 'password_hash', 'first_name', 'last_name', 'status', 'created_at', 'password_changed_at'],
    [[user, `bench-${now}@exemple.ca`, 'x', 'Banc', 'Essai', 'active', old, old]]);
  const tables = {
    verifications: insertRows(app, 'verifications', ['id', 'purpose', 'email', 'code_hash', 'expires_at', 'last_sent_at', 'created_at'],
      times(PER_KIND, (i) => [`bench-${now}-${i}`, 'signup', `bench${i}@exemple.ca`, 'x', old, old, old])),
    sessions: insertRows(app, 'sessions', ['token_hash', 'user_id', 'created_at', 'last_seen_at', 'expires_at'],
      times(PER_KIND, (i) => [`bench-${now}-${i}`, user, old, old, old])),
    rate_limits: insertRows(app, 'rate_limits', ['key', 'window_start', 'count', 'last_at'],
      times(PER_KIND, (i) => [`bench-${now}:${i}`, old, 1, old])),
    email_outbox: insertRows(app, 'email_outbox', ['id', 'to_email', 'template', 'locale', 'status', 'created_at', 'sent_at'],
      times(PER_KIND, (i) => [`bench-${now}-${i}`, `bench${i}@exemple.ca`, 'password_changed', 'fr', 'sent', now - 40 * DAY, now - 40 * DAY])),
  };
  return tables;
}

async function run() {
  const started = performance.now();
  const runs = await runJobs(app);
  const wallMs = performance.now() - started;
  const cleanup = runs.find((r) => r.job === 'cleanup');
  const deleted = Object.values(cleanup.counts).reduce((a, b) => a + b, 0);
  return { deleted, counts: cleanup.counts, jobMs: cleanup.finished_at - cleanup.started_at, wallMs, error: cleanup.error };
}

function machine() {
  let commit = '?';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'schema.sql'], { cwd: ROOT, encoding: 'utf8' }).trim();
    commit = `${head}${dirty ? ' with uncommitted changes in src/ or schema.sql' : ''}`;
  } catch {}
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1]?.trim() ?? 'unknown';
  return { commit, model, nproc: availableParallelism(), load: loadavg().map((l) => fmt(l, 2)).join(' / ') };
}

function section({ tables, runs, idle, startedAt, loadBefore, host }) {
  const working = runs.filter((r) => r.deleted > 0);
  const total = working.reduce((a, r) => a + r.deleted, 0);
  const jobMs = working.reduce((a, r) => a + r.jobMs, 0);
  const wallMs = working.reduce((a, r) => a + r.wallMs, 0);
  const rows = runs.map((r, i) => `| ${i + 1} | ${r.deleted} | ${['verifications', 'sessions', 'rate_limit_counters', 'outbox_emails'].map((k) => r.counts[k] ?? 0).join(' / ')} | ${fmt(r.jobMs)} | ${fmt(r.wallMs)} |`);
  return `${BEGIN}
## Cleanup of 100,000 expired rows (scheduled job)

- **Command:** \`SEL_SKIP_BUILD=1 node bench/cleanup.mjs\` (also run by \`make bench\` after the
  main benchmark; \`BENCH_CLEANUP_ROWS_PER_KIND=${PER_KIND}\`)
- **Date:** ${startedAt}; **code:** commit ${host.commit}
- **Machine:** \`nproc\` = ${host.nproc}; CPU: ${host.model}; load average (1/5/15 min) ${loadBefore} before,
  ${host.load} after. Shared 2-core VM: other work skews these numbers.
- **Setup:** one \`wrangler dev\` (local workerd, local D1 on SQLite in a fresh state dir); rows seeded
  straight into its SQLite file: ${Object.entries(tables).map(([t, n]) => `${n} ${t}`).join(', ')}, all past
  retention. Then one cron event at a time (wrangler's scheduled handler), each followed by a wait
  until its ${JOBS.length} jobs are recorded in \`job_runs\`, until a run deletes nothing.
- **Bounds:** each kind deletes at most 500 rows per statement and 10 statements per run (5,000 rows).

| run | rows deleted | verifications / sessions / counters / outbox | cleanup job (ms) | run, wall (ms) |
|---|---|---|---|---|
${rows.join('\n')}

- **Runs needed:** ${working.length} runs deleted the ${total} rows (the next one found nothing).
- **Throughput:** ${fmt(total / (jobMs / 1000))} rows/s of cleanup job time (${fmt(jobMs)} ms in all);
  ${fmt(total / (wallMs / 1000))} rows/s counting the whole run, trigger to record (${fmt(wallMs)} ms).
- **Per statement:** ≈ ${fmt(jobMs / (total / 500), 1)} ms per 500-row delete (cleanup job time over the
  ${fmt(total / 500)} full statements, the job's other statements included).
- **A run with nothing to delete:** cleanup job ${fmt(idle.jobMs)} ms, whole run ${fmt(idle.wallMs)} ms.
- **Reading:** at one run every 10 minutes, a backlog of ${total} rows spread over four kinds drains in
  ${working.length} runs (about ${working.length * 10} minutes; ${PER_KIND * 4} rows of a single kind would take
  ${Math.ceil((PER_KIND * 4) / 5000)} runs). Each run stays bounded whatever the backlog (at most 5,000 rows of a
  kind, 500 per statement), so one statement holds the write lock briefly and requests keep going.
${END}
`;
}

function write(text) {
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start
    ? current.slice(0, start) + text + current.slice(end + END.length + 1)
    : `${current.trimEnd()}\n\n${text}`;
  writeFileSync(RESULTS, next);
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg().map((l) => fmt(l, 2)).join(' / ');
try {
  log('starting wrangler dev');
  app = await spawnApp();
  const tables = seed(await workerNow(app));
  log(`seeded ${JSON.stringify(tables)}`);
  const runs = [];
  for (;;) {
    const result = await run();
    if (result.error) throw new Error(`the cleanup failed: ${result.error}`);
    runs.push(result);
    log(`run ${runs.length}: ${result.deleted} rows, job ${fmt(result.jobMs)} ms, wall ${fmt(result.wallMs)} ms`);
    if (result.deleted === 0 || runs.length > 100) break;
  }
  const idle = await run();
  write(section({ tables, runs, idle, startedAt, loadBefore, host: machine() }));
  log(`wrote ${RESULTS}`);
} finally {
  await app?.stop();
}
