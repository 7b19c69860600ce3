#!/usr/bin/env bash
# wrangler's build step. SEL_SKIP_BUILD=1 reuses build/ (the tests build once, then start many
# wrangler instances).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SEL_SKIP_BUILD:-}" = "1" ] && [ -f build/index.js ]; then
  exit 0
fi
. scripts/env.sh
exec worker-build --release
