// Bursts, by hand (bench/RESULTS.md, "Bursts"): rounds of 40 concurrent logins for unknown
// addresses (each a decoy Argon2id check), counted by answer, through wrangler dev's proxy and
// straight to the worker's own workerd socket (found among the ports wrangler's processes listen
// on). Run: source scripts/env.sh && SEL_SKIP_BUILD=1 node bench/burst_count.mjs [rounds]
// ONLY=proxy|direct picks one side; PAUSE_MS=6500 waits between rounds (no connection of the
// proxy's pool is then about 5 s idle); CLOSE=1 sends `connection: close` (the direct side then
// reuses no connection); SEL_TEST_LOG=1 shows the worker's and wrangler's output.
import { execFileSync } from 'node:child_process';
import { spawnApp, uniqueEmail } from '../tests/support/app.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const BURST = 40;

/** The TCP ports that the processes below `pid` listen on. */
function listeningPorts(pid) {
  const tree = new Set([String(pid)]);
  for (let grew = true; grew;) {
    grew = false;
    for (const line of execFileSync('ps', ['-eo', 'pid=,ppid=']).toString().trim().split('\n')) {
      const [child, parent] = line.trim().split(/\s+/);
      if (tree.has(parent) && !tree.has(child)) { tree.add(child); grew = true; }
    }
  }
  const ports = [];
  for (const line of execFileSync('ss', ['-ltnpH']).toString().trim().split('\n')) {
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => m[1]);
    if (pids.some((p) => tree.has(p))) ports.push({ port: Number(line.split(/\s+/)[3].split(':').pop()), line });
  }
  return ports;
}

async function burst(baseUrl, round) {
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: BURST }, async (_, i) => {
    const t0 = Date.now();
    try {
      const res = await fetch(`${baseUrl}/api/session`, {
        method: 'POST',
        headers: { ...(process.env.CLOSE === '1' ? { connection: 'close' } : {}), 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'cf-connecting-ip': `198.51.${round % 250}.${i + 1}` },
        body: JSON.stringify({ email: uniqueEmail(`burst${i}`), password: 'Pas le bon mot de passe' }),
      });
      return { status: res.status, text: await res.text(), ms: Date.now() - t0 };
    } catch (error) {
      return { status: 0, text: String(error.cause ?? error), ms: Date.now() - t0 };
    }
  }));
  const counts = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  const odd = answers.filter((a) => a.status !== 401);
  return { counts, seconds: (Date.now() - started) / 1000, odd };
}

const app = await spawnApp();
try {
  const ports = listeningPorts(app.child.pid);
  console.log('listening:', ports.map((p) => p.line).join('\n'));
  const proxyPort = Number(new URL(app.baseUrl).port);
  const targets = [['proxy', app.baseUrl]];
  for (const { port } of ports) {
    if (port === proxyPort) continue;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.status === 200 && (await res.text()).length < 500) targets.push([`direct:${port}`, `http://127.0.0.1:${port}`]);
    } catch {}
  }
  console.log('targets:', targets);
  let round = 0;
  for (const [name, url] of targets.filter(([n]) => !process.env.ONLY || n.startsWith(process.env.ONLY))) {
    let total = 0; let bad = 0;
    for (let r = 0; r < ROUNDS; r += 1) {
      if (r > 0 && process.env.PAUSE_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.PAUSE_MS)));
      round += 1;
      const { counts, seconds, odd } = await burst(url, round);
      total += BURST; bad += odd.length;
      console.log(`${name} round ${r + 1}: ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s`);
      for (const a of odd.slice(0, 2)) console.log(`  ${a.status} after ${a.ms} ms: ${a.text.slice(0, 600)}`);
    }
    console.log(`${name}: ${bad} of ${total} not 401`);
  }
} finally {
  await app.stop();
}
