// The machine a benchmark runs on, shared by the benchmarks: what it is (CPU, OS, tool versions,
// the commit measured) and how busy it is (all processes, ours included, from /proc/stat).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

const fmt = (x, digits) => Number(x).toFixed(digits);

/** The machine, the tools and the code measured (`root`: the repository). */
export function machine(root) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1]?.trim() ?? 'unknown';
  let nproc;
  try { nproc = execFileSync('nproc', { encoding: 'utf8' }).trim(); } catch { nproc = String(availableParallelism()); }
  const version = (pkg) => {
    try { return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version; } catch { return '?'; }
  };
  let wrk = '?';
  try { execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch (e) {
    wrk = `${e.stdout ?? ''}`.split('\n')[0].replace(/\s*Copyright.*$/, '').trim() || '?';
  }
  let commit = '?';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'schema.sql', 'Cargo.toml', 'Cargo.lock'], { cwd: root, encoding: 'utf8' }).trim();
    commit = `${head}${dirty ? ' with uncommitted changes in src/, schema.sql or Cargo files' : ''}`;
  } catch {}
  let os = 'Linux';
  try { os = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?(.*?)"?$/m)[1]; } catch {}
  return {
    commit, built: statSync(join(root, 'build', 'index_bg.wasm')).mtime.toISOString(), nproc, model, os,
    memGiB: fmt(totalmem() / 1024 ** 3, 1), node: process.version, wrangler: version('wrangler'),
    workerd: version('@cloudflare/workerd-linux-64'), wrk,
  };
}

export const uptime = () => { try { return execFileSync('uptime', { encoding: 'utf8' }).trim(); } catch { return loadavg().map((x) => fmt(x, 2)).join(', '); } };

/** CPU time counters of the whole machine (guest time is already counted in user time). */
export function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + (fields[4] ?? 0), steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** The shares of CPU time busy and stolen between two cpuTimes(). */
export function cpuShare(a, b) {
  const total = Math.max(1, b.total - a.total);
  return { busy: 1 - (b.idle - a.idle) / total, steal: (b.steal - a.steal) / total };
}

async function cpuBusy(sampleMs = 2000) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, sampleMs));
  return cpuShare(a, cpuTimes()).busy;
}

/** Waits (at most `waitS` seconds) for the machine to be at most `busyLimit` busy; answers how busy it is. */
export async function waitForQuiet({ waitS, busyLimit, log }) {
  const deadline = Date.now() + waitS * 1000;
  let busy = await cpuBusy();
  while (busy > busyLimit && Date.now() < deadline) {
    log(`the machine is ${fmt(busy * 100, 0)}% busy; waiting for it to quiet down (at most ${waitS} s in all)`);
    await new Promise((r) => setTimeout(r, 10000));
    busy = await cpuBusy();
  }
  return busy;
}
