#!/usr/bin/env bash
# `make check-api`, and the last step of `make test`: Schemathesis (property-based testing from
# public/api/openapi.json) against a real worker, as an employer's responsible signed in: the
# examples, coverage and fuzzing phases,
# every check, on every operation but the development and operator routes, signing in and out (the
# run keeps its one session) and the document itself (a static asset: the asset layer, not the
# worker, answers its other methods). Fails on any disagreement between the document and the
# server, or any server error. The address patterns of the document make most random strings
# invalid, so Schemathesis' "filter too much" health check is off.
# Usage: scripts/schemathesis.sh [extra `st run` options]   (SEL_SKIP_BUILD=1 reuses build/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

VENV=.tools/schemathesis
if [ ! -x "$VENV/bin/st" ]; then
  echo "[check-api] installing Schemathesis from PyPI into $VENV (once)" >&2
  rm -rf "$VENV"
  # Debian and Ubuntu ship Python without `venv` (its ensurepip) unless python3-venv is installed.
  if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "[check-api] installing python3-venv" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  # An interrupted install leaves no `st`: the next run starts over (the rm above).
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

bash scripts/build.sh
export SEL_SKIP_BUILD=1

mkdir -p tests/.runs
out=$(mktemp tests/.runs/schemathesis-app-XXXXXX)
node scripts/schemathesis_app.mjs >"$out" &
app_pid=$!
trap 'kill -TERM "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null; rm -f "$out"' EXIT
until [ -s "$out" ]; do
  if ! kill -0 "$app_pid" 2>/dev/null; then echo "[check-api] the worker did not start" >&2; exit 1; fi
  sleep 1
done
read -r base_url SEL_SESSION < <(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(s.base_url, s.session)' "$out")
export SEL_SESSION

# One worker: with two, Hypothesis describes its strategies from two threads at once and CPython's
# ast module fails now and then ("AST constructor recursion depth mismatch"), a runtime error of
# the run, not a finding; one worker takes ≈ 2.5 min here.
"$VENV/bin/st" --config-file scripts/schemathesis.toml run public/api/openapi.json \
  --url "$base_url" \
  --header "Origin: $base_url" \
  --phases examples,coverage,fuzzing \
  --checks all \
  --exclude-path-regex '^/(dev/|api/operator/)|^/api/session$|^/api/openapi\.json$' \
  --suppress-health-check filter_too_much \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" \
  --seed 2026 \
  --workers 1 \
  --request-timeout 30 \
  "$@"
