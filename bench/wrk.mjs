// Closed-loop load with wrk against 127.0.0.1 (bench/wrk.lua checks every status and prints the
// BENCH_JSON line this reads), bounded by -d; a watchdog kills it if it overstays. Shared by the
// benchmarks; `running` is the caller's set of child processes, which it kills on exit.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export function runWrk(url, { root, connections, threads = 1, seconds, env, running }) {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '--latency',
    '-s', join(root, 'bench', 'wrk.lua'), url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      running.delete(child);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(' ')} ended with ${code ?? signal}:\n${out}`));
      const result = JSON.parse(line.slice('BENCH_JSON '.length));
      // As one would type it from the repository root, without the (random) URL.
      result.command = `wrk ${args.slice(0, -1).map((a) => a.replace(`${root}/`, '')).join(' ')}`;
      result.rps = result.requests / (result.duration_us / 1e6);
      result.raw = out.replace(/^BENCH_JSON .*\n?/m, '').trimEnd();
      resolve(result);
    });
  });
}
