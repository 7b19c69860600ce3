#!/usr/bin/env bash
# The SEL benchmark (`make bench`): installs what is missing, builds the worker, starts one
# `wrangler dev` on a free 127.0.0.1 port with a fresh state dir under tests/.runs/, seeds a user
# through the API, measures (wasm size, Argon2id cost, latency/throughput under load with wrk),
# overwrites bench/RESULTS.md and stops everything it started. Takes ~2 minutes after the build.
# Then bench/wasm_startup.mjs times V8 compiling and instantiating the module, bench/files.sh
# measures "Mes dossiers autorisés" at 50,000 files (seeding takes most of an hour the first time),
# bench/cleanup.mjs the cleanup of 100,000 rows and bench/webhooks.mjs webhook fan-out, each in its
# own section of RESULTS.md.
# Knobs: BENCH_DURATION_S (each wrk run, default 15), BENCH_ROUNDS (sequential rounds, default 40),
# BENCH_QUIET_WAIT_S (wait at most this long for a quiet CPU before measuring, default 300),
# SEL_SKIP_BUILD=1 (measure build/ as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

bash scripts/setup.sh

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ "${SEL_SKIP_BUILD:-}" = "1" ] && [ -f build/index.js ]; then
  log "SEL_SKIP_BUILD=1: measuring build/ as it is"
  export BENCH_BUILD_SKIPPED=1
else
  log "building the worker"
  bash scripts/build.sh
fi

# bench.mjs rewrites bench/RESULTS.md; the others put their own sections back with fresh numbers,
# on the worker just built.
status=0
node bench/bench.mjs || status=$?
node bench/wasm_startup.mjs >/dev/null || status=$?
SEL_SKIP_BUILD=1 bash bench/files.sh || status=$?
SEL_SKIP_BUILD=1 node bench/cleanup.mjs || status=$?
SEL_SKIP_BUILD=1 node bench/webhooks.mjs || status=$?
exit "$status"
