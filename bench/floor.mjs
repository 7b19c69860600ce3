// Starts the floor worker (bench/floor/) in its own `wrangler dev`, on the same wrangler and
// workerd as SEL, with a fresh state dir, so every benchmark can measure the runtime's own cost in
// the same run and report SEL's figures as ratios of it. Every process started here is stopped by
// the returned `stop()`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

const { ROOT, freePort, waitFor } = await import('../tests/support/app.mjs');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

export async function startFloor() {
  const runs = join(ROOT, 'tests', '.runs');
  mkdirSync(runs, { recursive: true });
  const state = mkdtempSync(join(runs, 'floor-'));
  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(WRANGLER, ['dev', '--config', join(ROOT, 'bench', 'floor', 'wrangler.toml'), '--ip', '127.0.0.1',
    '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', state, '--show-interactive-dev-session=false'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  let output = '';
  child.stdout.on('data', (d) => { output = (output + d).slice(-100_000); });
  child.stderr.on('data', (d) => { output = (output + d).slice(-100_000); });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch {}
    await waitFor('the floor worker to exit', () => exited, { timeoutMs: 15000 }).catch(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    });
  };
  try {
    await waitFor('the floor worker to answer /select1', async () => {
      if (exited) throw new Error(`wrangler exited:\n${output}`);
      return (await fetch(`${baseUrl}/select1`)).status === 200;
    }, { timeoutMs: 60000, intervalMs: 200 });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- floor wrangler output ---\n${output}`);
  }
  return { baseUrl, stop, log: () => output };
}
