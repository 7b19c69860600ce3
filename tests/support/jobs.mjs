// Scheduled work in the end-to-end tests: trigger cron runs and wait for them to be recorded in
// job_runs, read the worker's clock, and seed many rows straight into the instance's local D1
// (more than the API could create in a test's time) to prove the batching bounds.
import { join } from 'node:path';
import { waitFor } from './app.mjs';
import { writable } from './db.mjs';

export const JOBS = ['cleanup', 'authorization_ends', 'access_request_expiry', 'authorization_reminders', 'email_outbox'];

/**
 * Triggers `times` cron events at once and waits until every job of each has finished. Resolves
 * to the new runs, oldest first: [{job, counts, error, started_at, finished_at}].
 */
export async function runJobs(app, { times = 1, cron } = {}) {
  const [{ last }] = app.sql('SELECT COALESCE(MAX(rowid), 0) AS last FROM job_runs');
  await Promise.all(Array.from({ length: times }, () => app.runScheduled(cron)));
  const expected = times * JOBS.length;
  const runs = await waitFor(`${expected} job runs to finish`, () => {
    const rows = app.sql(`SELECT job, counts, error, started_at, finished_at FROM job_runs WHERE rowid > ${last} ORDER BY rowid`);
    return rows.length >= expected && rows.every((row) => row.finished_at !== null) ? rows : undefined;
  }, { timeoutMs: 60000, intervalMs: 100 });
  return runs.map((run) => ({ ...run, counts: JSON.parse(run.counts) }));
}

/** The counts of `job` in runs returned by runJobs (of the only run, or summed over all). */
export function countsOf(runs, job) {
  const total = {};
  for (const run of runs.filter((r) => r.job === job)) {
    for (const [kind, rows] of Object.entries(run.counts)) total[kind] = (total[kind] ?? 0) + rows;
  }
  return total;
}

/** The worker's clock now (real time plus the offset the tests moved it by). */
export { workerNow } from './authz.mjs';

/** The calendar day (YYYY-MM-DD) an instant falls on in Montreal, `plusDays` later. */
export function montrealDay(instant, plusDays = 0) {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal' }).format(new Date(instant));
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + plusDays);
  return date.toISOString().slice(0, 10);
}

/**
 * Inserts rows into a table of the instance's local D1 in one transaction; the worker sees them at
 * its next statement. `rows` is an iterable of arrays in the order of `columns`.
 */
export function insertRows(app, table, columns, rows) {
  return writable(app, (db) => {
    const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    db.exec('BEGIN IMMEDIATE');
    let count = 0;
    for (const row of rows) { insert.run(...row); count += 1; }
    db.exec('COMMIT');
    return count;
  });
}

/** Runs one SQL statement against the instance's local D1 (to break it on purpose). */
export function execute(app, statement) {
  writable(app, (db) => db.exec(statement));
}

/** `count` values made by `make(i)`. */
export function* times(count, make) {
  for (let i = 0; i < count; i += 1) yield make(i);
}
