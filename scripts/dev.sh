#!/usr/bin/env bash
# `make dev`: install what is missing, build the worker, apply the pending migrations to the local
# D1 in .state/ (in place: data is never moved aside), then serve the portal at
# http://127.0.0.1:${PORT:-8787} with the development mailbox (wrangler rebuilds on every change
# under src/) and seed the demo data (scripts/seed-demo.mjs) once the portal answers.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m[dev]\033[0m %s\n' "$*" >&2; }

step "checking the tools (the first run installs them: about 10 minutes, once)"
scripts/setup.sh
source scripts/env.sh
PORT="${PORT:-8787}"

step "building the worker (the first build compiles every crate: several minutes; later ones take about a minute)"
bash scripts/build.sh

step "applying pending migrations (migrations/) to the local database in .state/"
CI=true wrangler d1 migrations apply DB --local --persist-to .state
# Before migrations, .state/ was made from schema.sql and tagged with its hash: the first migration
# adopts such a database as it is (every statement is IF NOT EXISTS), so the tag has no use left.
rm -f .state/schema.sha256

step "serving http://127.0.0.1:${PORT}; the demo data is seeded as soon as the portal answers"
node scripts/seed-demo.mjs "http://127.0.0.1:${PORT}" &
SEEDER=$!
trap 'kill $SEEDER 2>/dev/null || true' EXIT
wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to .state --test-scheduled \
  --var ENVIRONMENT:development --var EMAIL_PROVIDER:mailbox
