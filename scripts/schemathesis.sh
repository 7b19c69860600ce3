#!/usr/bin/env bash
# `make check-api`, and the last step of `make test`: Schemathesis (property-based testing from
# public/api/openapi.json) against a real worker: the examples, coverage and fuzzing phases and
# every check, on every operation but the development and operator routes and the document itself
# (a static asset: the asset layer, not the worker, answers its other methods). One `st run` per
# actor (scripts/schemathesis_app.mjs seeds them through the API and says which operations each
# covers, on which real objects): an employer's responsible and an accounting firm's, their second
# factor proven (step-up), then each operation that ends its actor's session, factor or account on
# an actor of its own. Fails on any disagreement between the document and the server, or any
# server error. The address patterns of the document make most random strings invalid, so
# Schemathesis' "filter too much" health check is off.
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
dir=$(mktemp -d tests/.runs/schemathesis-XXXXXX)
out="$dir/app.out"
: >"$out"
node scripts/schemathesis_app.mjs "$dir" >"$out" &
app_pid=$!
trap 'kill -TERM "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null; rm -rf "$dir"' EXIT
until [ -s "$out" ]; do
  if ! kill -0 "$app_pid" 2>/dev/null; then echo "[check-api] the worker did not start" >&2; exit 1; fi
  sleep 1
done
# One line per run: name, session, config file, options file, whether its actor must prove its
# second factor again first.
mapfile -t runs < <(node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
  console.log(s.base_url);
  for (const r of s.runs) console.log([r.name, r.session, r.config, r.args, r.step_up].join("\t"));' "$out")
base_url=${runs[0]}

# One worker: with two, Hypothesis describes its strategies from two threads at once and CPython's
# ast module fails now and then ("AST constructor recursion depth mismatch"), a runtime error of
# the run, not a finding.
failed=0
signals=0
for line in "${runs[@]:1}"; do
  IFS=$'\t' read -r name SEL_SESSION config args step_up <<<"$line"
  export SEL_SESSION
  # Seeding proved every factor; a later run proves its actor's again (a step-up lasts 10 min).
  if [ "$step_up" = true ] && [ "$line" != "${runs[1]}" ]; then
    signals=$((signals + 1))
    kill -USR1 "$app_pid"
    until grep -qx "stepped-up $signals" "$out"; do sleep 0.2; done
  fi
  mapfile -t filters <"$args"
  echo "[check-api] ── $name" >&2
  "$VENV/bin/st" --config-file "$config" run public/api/openapi.json \
    --url "$base_url" \
    --header "Origin: $base_url" \
    --phases examples,coverage,fuzzing \
    --checks all \
    "${filters[@]}" \
    --suppress-health-check filter_too_much \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" \
    --seed 2026 \
    --workers 1 \
    --request-timeout 30 \
    "$@" || failed=1
done
# Which operations nobody reached for real (only 401, 403 or 404 in every run), from the worker's log.
kill -USR2 "$app_pid"
until grep -qx tallied "$out"; do sleep 0.2; done
exit "$failed"
