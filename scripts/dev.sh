#!/usr/bin/env bash
# `make dev`: install what is missing, apply schema.sql to the local D1 in .state/, build and serve
# the portal at http://127.0.0.1:8787 with the development mailbox (wrangler rebuilds on every change
# under src/), and seed the demo data (scripts/seed-demo.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
PORT="${PORT:-8787}"
# .state/ follows schema.sql (which has no migrations): when schema.sql changed since .state/ was
# made, the old state is moved to .state.old/ and a fresh one is seeded, rather than serving tables
# that lack their new columns.
SCHEMA_HASH="$(sha256sum schema.sql | cut -d' ' -f1)"
if [ -d .state ] && [ "$(cat .state/schema.sha256 2>/dev/null)" != "$SCHEMA_HASH" ]; then
  echo "schema.sql changed since .state/ was created: moving it to .state.old/ and starting afresh" >&2
  rm -rf .state.old
  mv .state .state.old
fi
wrangler d1 execute DB --local --persist-to .state --file schema.sql >/dev/null
echo "$SCHEMA_HASH" > .state/schema.sha256
node scripts/seed-demo.mjs "http://127.0.0.1:${PORT}" &
SEEDER=$!
trap 'kill $SEEDER 2>/dev/null || true' EXIT
wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to .state --test-scheduled \
  --var ENVIRONMENT:development --var EMAIL_PROVIDER:mailbox
