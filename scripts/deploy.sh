#!/usr/bin/env bash
# `make deploy`: the steps of README "Deploying", each skipped when already done, so running it
# again is how a new version ships: create the D1 database (its id written into wrangler.toml),
# the queues and their dead-letter queues, apply the pending migrations to the remote database,
# deploy (the cron comes from wrangler.toml's [triggers]), then set the secrets still missing.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m[deploy]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
source scripts/env.sh

step "signed in to Cloudflare?"
wrangler whoami >/dev/null || { echo "run: wrangler login" >&2; exit 1; }

step "D1 database sel"
if grep -q 'database_id = "00000000-0000-0000-0000-000000000000"' wrangler.toml; then
  if ! wrangler d1 list --json | node -e 'const l=JSON.parse(require("fs").readFileSync(0));process.exit(l.some(d=>d.name==="sel")?0:1)'; then
    wrangler d1 create sel
  fi
  ID=$(wrangler d1 list --json | node -e 'const l=JSON.parse(require("fs").readFileSync(0));console.log(l.find(d=>d.name==="sel").uuid)')
  sed -i "s/database_id = \"00000000-0000-0000-0000-000000000000\"/database_id = \"$ID\"/" wrangler.toml
  echo "wrote database_id = \"$ID\" into wrangler.toml: commit it" >&2
fi

step "queues and dead-letter queues"
EXISTING=$(wrangler queues list 2>/dev/null || true)
for queue in sel-email sel-email-dlq sel-webhooks sel-webhooks-dlq; do
  if ! grep -qw -- "$queue" <<<"$EXISTING"; then wrangler queues create "$queue"; fi
done

step "applying pending migrations to the remote database"
CI=true wrangler d1 migrations apply DB --remote

step "deploying"
wrangler deploy

# After the first deploy, so the Worker exists (it refuses requests until its secrets are set).
step "secrets"
SECRETS=$(wrangler secret list --format json 2>/dev/null || echo '[]')
has_secret() { node -e 'const l=JSON.parse(process.argv[1]);process.exit(l.some(s=>s.name===process.argv[2])?0:1)' "$SECRETS" "$1"; }
for name in CODE_HASH_KEY OPERATOR_TOKEN; do
  if ! has_secret "$name"; then
    value=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
    printf '%s' "$value" | wrangler secret put "$name"
    if [ "$name" = OPERATOR_TOKEN ]; then echo "OPERATOR_TOKEN (shown once, keep it in your password manager): $value" >&2; fi
  fi
done
if ! has_secret EMAIL_API_KEY; then
  echo "EMAIL_API_KEY: the email provider's API key" >&2
  wrangler secret put EMAIL_API_KEY
fi
