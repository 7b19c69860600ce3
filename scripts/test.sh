#!/usr/bin/env bash
# `make test`: install what is missing, check formatting and lints, run the domain's unit tests
# natively, build the worker once, check its size budget, prove it deployable (wrangler deploy --dry-run), then run the
# end-to-end and browser tests against real `wrangler dev` instances, and Schemathesis against one
# (scripts/schemathesis.sh, `make check-api`: the API document and the server agree).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "formatting and lints"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --release -- -D warnings
python3 scripts/import_cycles.py

step "unit tests (native)"
cargo test --lib

step "build"
bash scripts/build.sh
export SEL_SKIP_BUILD=1

step "wasm size budget"
bash scripts/wasm_budget.sh

step "deployable bundle (wrangler deploy --dry-run)"
wrangler deploy --dry-run --outdir tests/.runs/dry-run >/dev/null
echo "dry run ok"

step "end-to-end and browser tests"
rm -rf tests/.runs/template-state-* tests/.runs/worker-*
node --disable-warning=ExperimentalWarning --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=240000 'tests/e2e/*.test.mjs' 'tests/browser/*.test.mjs'

step "API document against the server (Schemathesis)"
bash scripts/schemathesis.sh
