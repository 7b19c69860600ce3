#!/usr/bin/env bash
# The "Mes dossiers autorisés" benchmark (`make bench-files`; `make bench` runs it too): a firm
# member with 50,000 authorized files in a database of 1,000,000 authorizations. Installs what is
# missing, builds the worker (unless SEL_SKIP_BUILD=1), seeds that volume once (~2-3 minutes;
# cached under bench/.state-files/, keyed by schema.sql and the seed code), starts one
# `wrangler dev` on it, measures the list, searches, filters and CSV export with wrk at 1 and 4
# connections, and replaces its own section of bench/RESULTS.md. ~3 minutes after the seeding.
# Arguments go to bench/files.mjs: --seed-only (seed or check the cache, measure nothing),
# --reseed (seed again even if cached).
# Knobs: BENCH_FILES_DURATION_S (each wrk run, default 10), BENCH_QUIET_WAIT_S (wait at most this
# long for a quiet CPU before measuring, default 300), SEL_SKIP_BUILD=1 (measure build/ as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

log() { printf '\033[1m[bench-files]\033[0m %s\n' "$*" >&2; }

bash scripts/setup.sh

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ "${SEL_SKIP_BUILD:-}" = "1" ] && [ -f build/index.js ]; then
  log "SEL_SKIP_BUILD=1: measuring build/ as it is"
else
  log "building the worker"
  bash scripts/build.sh
fi

exec node --disable-warning=ExperimentalWarning bench/files.mjs "$@"
