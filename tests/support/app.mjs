// spawnApp(): the real worker in `wrangler dev`, with fresh local D1 and Queues state, and a
// TestApp with one method per endpoint. The worker must already be built (`scripts/test.sh` builds
// once and sets SEL_SKIP_BUILD=1 so every instance reuses build/).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, cpSync, existsSync, renameSync, rmSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { databaseFile, rowsOf } from './db.mjs';
import { Client, waitFor, sessionCookieOf, isDevProxyDrop, answeredByWorker, untilAnswered } from './client.mjs';

export { Client, waitFor, sessionCookieOf, isDevProxyDrop, answeredByWorker, untilAnswered };
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = join(ROOT, 'tests', '.runs');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
/** The most of the worker's log a TestApp keeps (characters); older lines are dropped first. */
const LOG_LIMIT = 8 * 1024 * 1024;

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A short digest of some files' contents (and names). */
function digest(paths) {
  const hash = createHash('sha256');
  for (const path of paths) {
    hash.update(path);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Every file below `dir`, sorted. */
function filesBelow(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The migration files, in the order wrangler applies them. */
export function migrationFiles() {
  const dir = join(ROOT, 'migrations');
  return readdirSync(dir).filter((name) => /^\d{4}_.*\.sql$/.test(name)).sort().map((name) => join(dir, name));
}

/**
 * Applies `migrations` (default: all of them) that `state` has not applied yet, as
 * `wrangler d1 migrations apply DB --local` does for `make dev` and production. A subset is applied
 * through a copy of wrangler.toml whose `migrations_dir` holds only those files.
 */
export function applyMigrations(state, migrations = migrationFiles()) {
  mkdirSync(RUNS, { recursive: true });
  const dir = mkdtempSync(join(RUNS, 'migrations-'));
  try {
    mkdirSync(join(dir, 'migrations'));
    for (const file of migrations) cpSync(file, join(dir, 'migrations', file.split('/').pop()));
    writeFileSync(join(dir, 'wrangler.toml'), readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').replace(/^\[build\][\s\S]*?(?=^\[)/m, ''));
    execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--config', join(dir, 'wrangler.toml'), '--persist-to', state], {
      cwd: ROOT, stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A D1 state directory with every migration applied, made once per set of migration files and
 * copied for every instance.
 */
export function templateState() {
  const template = join(RUNS, `template-state-${digest(migrationFiles())}`);
  if (!existsSync(template)) {
    mkdirSync(RUNS, { recursive: true });
    const building = mkdtempSync(join(RUNS, 'building-'));
    applyMigrations(building);
    try { renameSync(building, template); } catch { rmSync(building, { recursive: true, force: true }); }
  }
  return template;
}

export { databaseFile };

/**
 * The worker and its static assets as they are now, copied once per version, with a
 * wrangler.toml that points at the copy and has no [build] section. `wrangler dev` reloads when
 * what it serves changes: a running test must not see a rebuild of build/ or an edit of public/
 * (a reload drops queued emails and retries mid-test), and a custom build would make it watch
 * src/.
 */
function snapshot() {
  const served = [...filesBelow(join(ROOT, 'build')), ...filesBelow(join(ROOT, 'public'))];
  const config = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').replace(/^\[build\][\s\S]*?(?=^\[)/m, '');
  const dir = join(RUNS, `worker-${digest(served)}-${createHash('sha256').update(config).digest('hex').slice(0, 8)}`);
  if (!existsSync(dir)) {
    mkdirSync(RUNS, { recursive: true });
    const building = mkdtempSync(join(RUNS, 'copying-'));
    cpSync(join(ROOT, 'build'), join(building, 'build'), { recursive: true });
    cpSync(join(ROOT, 'public'), join(building, 'public'), { recursive: true });
    writeFileSync(join(building, 'wrangler.toml'), config);
    try { renameSync(building, dir); } catch { rmSync(building, { recursive: true, force: true }); }
  }
  return join(dir, 'wrangler.toml');
}

/**
 * Starts the worker on a copy of the state directory `from` (by default a database with every
 * migration applied). `vars` override wrangler.toml's [vars] (development mode, the dev mailbox and
 * the controllable clock are on by default).
 */
export async function spawnApp({ vars = {}, from = templateState() } = {}) {
  mkdirSync(RUNS, { recursive: true });
  const state = mkdtempSync(join(RUNS, 'state-'));
  cpSync(from, state, { recursive: true });
  // The ports are found free, then bound by wrangler a moment later: an instance of another suite
  // starting at the same time may take one in between, and wrangler then exits at once. A new
  // pair of ports is chosen then; any other failure is the test's.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(state, vars);
    } catch (error) {
      if (attempt < 3 && /Address already in use/.test(error.message)) continue;
      throw error;
    }
  }
}

/** Starts wrangler dev on `state` with two ports found free. */
async function startOn(state, vars) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const allVars = { ENVIRONMENT: 'development', EMAIL_PROVIDER: 'mailbox', CLOCK_CONTROL: 'enabled', ...vars };
  const args = ['dev', '--config', snapshot(), '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--persist-to', state, '--show-interactive-dev-session=false', '--test-scheduled'];
  for (const [key, value] of Object.entries(allVars)) args.push('--var', `${key}:${value}`);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEL_SKIP_BUILD: '1', WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  let log = '';
  // SEL_TEST_LOG=1 shows the worker's own output (console logs, errors) while tests run. The
  // tests read the log's tail only: a long benchmark must not grow it without bound.
  const echo = process.env.SEL_TEST_LOG === '1';
  const keep = (d) => {
    log += d;
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT / 2);
    if (echo) process.stderr.write(d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  let exited = false;
  child.on('exit', () => { exited = true; });
  try {
    await waitFor('the worker to answer /api/health', async () => {
      if (exited) throw new Error(`wrangler exited:\n${log}`);
      return (await new Client(baseUrl).health()).status === 200;
    }, { timeoutMs: 60000, intervalMs: 200 });
  } catch (error) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    throw new Error(`${error.message}\n--- wrangler output ---\n${log}`);
  }
  return new TestApp(baseUrl, child, state, () => log);
}

/** A signup or reset code email (not, say, an invitation with link credentials). */
export const isCodeEmail = (email) => /\b\d{6}\b/.test(email.text) && !email.text.includes('SEL-');

let counter = 0;
/** A unique address for one test. */
export function uniqueEmail(label = 'user') {
  counter += 1;
  return `${label}.${process.pid}.${counter}.${Date.now().toString(36)}@exemple.ca`;
}

export const GOOD_PASSWORD = 'Trois chats gris dorment';

export class TestApp {
  constructor(baseUrl, child, state, log) {
    this.baseUrl = baseUrl;
    this.child = child;
    this.state = state;
    this.log = log;
  }

  client(options) { return new Client(this.baseUrl, options); }

  async mailbox(to) {
    const res = await this.client().devMailbox({ to });
    if (res.status !== 200) throw new Error(`mailbox answered ${res.status}`);
    return res.body;
  }

  /** Waits until `count` emails matching `predicate` have reached `to`; returns the newest. */
  async waitForEmail(to, predicate = () => true, { count = 1 } = {}) {
    return waitFor(`${count} email(s) to ${to}`, async () => {
      const matching = (await this.mailbox(to)).filter(predicate);
      return matching.length >= count ? matching[0] : undefined;
    });
  }

  /** The six-digit code of an email. */
  static codeOf(email) {
    const match = email.text.match(/\b\d{6}\b/);
    if (!match) throw new Error(`no code in email: ${email.text}`);
    return match[0];
  }

  async advanceClock(ms) {
    const res = await this.client().devClock({ advance_ms: ms });
    if (res.status !== 200) throw new Error(`clock answered ${res.status}`);
  }

  /** Runs the cron handler now. */
  async runScheduled(cron = '*/10 * * * *') {
    const res = await fetch(`${this.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}`);
    if (res.status !== 200) throw new Error(`scheduled answered ${res.status}`);
  }

  /** Signs up a fresh user, validates the emailed code; resolves to the signed-in client. */
  async signedUpUser({ email = uniqueEmail(), password = GOOD_PASSWORD, first_name = 'Marie', last_name = 'Tremblay', locale } = {}) {
    const client = this.client();
    const started = await client.signUp({ email, password, password_confirmation: password, first_name, last_name, accept_terms: true, ...(locale ? { locale } : {}) });
    if (started.status !== 202) throw new Error(`signup answered ${started.status}: ${started.text}`);
    const code = TestApp.codeOf(await this.waitForEmail(email, isCodeEmail));
    const verified = await client.verify(started.body.verification_id, code);
    if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${verified.text}`);
    return { client, email, password, user: verified.body };
  }

  /** The rows of one query on this instance's D1, at once (see `sql` in db.mjs to yield after). */
  sql(query) {
    return rowsOf(this.state, query);
  }

  /** Stops the worker and deletes its state, unless `keepState` (then `this.state` stays readable). */
  async stop({ keepState = false } = {}) {
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch {}
    await waitFor('wrangler to exit', () => this.child.exitCode !== null || this.child.signalCode !== null, { timeoutMs: 10000 }).catch(() => {
      try { process.kill(-this.child.pid, 'SIGKILL'); } catch {}
    });
    if (!keepState) rmSync(this.state, { recursive: true, force: true });
  }
}
