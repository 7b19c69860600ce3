#!/usr/bin/env bash
# wrangler's build step. It does nothing when build/ is newer than every source of the worker
# (`make dev` builds before starting wrangler, which then runs this again at start-up), and
# SEL_SKIP_BUILD=1 reuses build/ whatever its age (the tests build once, then start many
# wrangler instances).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f build/index.js ]; then
  if [ "${SEL_SKIP_BUILD:-}" = "1" ] \
    || [ -z "$(find src Cargo.toml Cargo.lock -newer build/index.js -print -quit)" ]; then
    exit 0
  fi
fi
. scripts/env.sh
echo "[build] worker-build --release: cargo, then wasm-bindgen, then wasm-opt (the slowest step, silent for a minute or two)" >&2
worker-build --release
node scripts/strip_wasm_names.mjs build/index_bg.wasm
node scripts/shorten_wasm_imports.mjs build/index_bg.wasm build/index.js
