// How long V8 (Node's, the engine inside workerd) takes to turn build/index_bg.wasm into a running
// instance, the part of a cold start that grows with the module: `WebAssembly.compile` then
// `WebAssembly.instantiate` (imports stubbed, so only the module's own start-up: memory, data
// segments, tables), RUNS times each in a fresh child process per mode, median and spread reported.
// Two modes: V8's default (lazy: functions compile on first call, so compile is mostly validation)
// and eager (`--no-wasm-lazy-compilation`, every function compiled by Liftoff up front: the upper
// bound, proportional to the code size). Writes its section of bench/RESULTS.md (between the
// "wasm startup" markers, kept by bench.mjs) and prints it.
// Usage: node bench/wasm_startup.mjs [build/index_bg.wasm]; RUNS (default 25).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasm = process.argv[2] ?? join(ROOT, 'build', 'index_bg.wasm');
const RUNS = Number(process.env.RUNS ?? 25);

if (process.env.WASM_STARTUP_CHILD) {
  // One mode, in its own process so V8's flags and caches are its own.
  const original = readFileSync(wasm);
  const compile = [];
  const instantiate = [];
  for (let i = 0; i < RUNS; i += 1) {
    // V8 reuses a module it compiled from the same bytes: a custom section with the run's number
    // (id 0, 10 bytes: name "run" and 6 digits) makes every run a fresh module.
    const bytes = Buffer.concat([original, Buffer.from([0, 10, 3]), Buffer.from(`run${String(i).padStart(6, '0')}`)]);
    const t0 = performance.now();
    const module = await WebAssembly.compile(bytes);
    const t1 = performance.now();
    const imports = {};
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      imports[from] ??= {};
      imports[from][name] = kind === 'function' ? () => {}
        : kind === 'table' ? new WebAssembly.Table({ initial: 0, element: 'externref' })
          // wasm-bindgen's exception tag: one externref (the thrown JS value).
          : kind === 'tag' ? new WebAssembly.Tag({ parameters: ['externref'] })
            : undefined;
    }
    await WebAssembly.instantiate(module, imports);
    instantiate.push(performance.now() - t1);
    compile.push(t1 - t0);
  }
  process.stdout.write(JSON.stringify({ compile, instantiate }));
  process.exit(0);
}

const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
const ms = (x) => x.toFixed(2);

function measure(flags) {
  const out = execFileSync(process.execPath, [...flags, fileURLToPath(import.meta.url), wasm], {
    env: { ...process.env, WASM_STARTUP_CHILD: '1', RUNS: String(RUNS) },
    maxBuffer: 16 * 1024 * 1024,
  });
  const { compile, instantiate } = JSON.parse(out);
  const total = compile.map((c, i) => c + instantiate[i]);
  return {
    compile: median(compile),
    instantiate: median(instantiate),
    total: median(total),
    min: sorted(total)[0],
    max: sorted(total).at(-1),
  };
}

const raw = statSync(wasm).size;
const load = loadavg()[0];
const lazy = measure([]);
const eager = measure(['--no-wasm-lazy-compilation']);
const row = (name, m) => `| ${name} | ${ms(m.compile)} | ${ms(m.instantiate)} | **${ms(m.total)}** | ${ms(m.min)}–${ms(m.max)} |`;
const section = `<!-- wasm startup: start -->
## Module start-up (bench/wasm_startup.mjs)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version} (V8 ${process.versions.v8}), load ${load.toFixed(2)}:
\`${relative(ROOT, wasm)}\`, ${raw} B raw; median of ${RUNS} compile + instantiate in one process per mode
(imports stubbed: the module's own start-up, not the JS glue's; a fresh module each run).

| V8 mode | compile (ms) | instantiate (ms) | total (ms) | total min–max (ms) |
|---|---|---|---|---|
${row('default (lazy compilation)', lazy)}
${row('eager (\`--no-wasm-lazy-compilation\`)', eager)}

The first figure is what a cold isolate pays before its first request when the engine compiles
lazily (validation and decoding; each function is compiled on its first call); the second bounds
it when every function is compiled up front, and shrinks with the code.
<!-- wasm startup: end -->
`;

const results = join(ROOT, 'bench', 'RESULTS.md');
if (existsSync(results)) {
  const previous = readFileSync(results, 'utf8');
  const marked = /<!-- wasm startup: start -->[\s\S]*?<!-- wasm startup: end -->\n?/;
  const next = marked.test(previous)
    ? previous.replace(marked, section)
    : previous.replace('<!-- wasm breakdown: end -->\n', `<!-- wasm breakdown: end -->\n\n${section}`);
  writeFileSync(results, next);
}
process.stdout.write(section);
