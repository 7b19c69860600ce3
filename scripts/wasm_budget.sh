#!/usr/bin/env bash
# Fails when the built module is over its size budget, gzip -9 (what a deploy uploads, compressed):
# a cold isolate downloads and compiles every byte. Usage: scripts/wasm_budget.sh [build/index_bg.wasm]
set -euo pipefail
cd "$(dirname "$0")/.."
WASM="${1:-build/index_bg.wasm}"
BUDGET_BYTES=$((600 * 1024))
size=$(gzip -9 -c "$WASM" | wc -c)
if [ "$size" -gt "$BUDGET_BYTES" ]; then
  echo "wasm over budget: $WASM is $size B gzip -9, the budget is $BUDGET_BYTES B (600 KiB)" >&2
  exit 1
fi
echo "wasm size ok: $size B gzip -9 (budget $BUDGET_BYTES B)"
