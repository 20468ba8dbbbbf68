#!/usr/bin/env bash
# Installs every tool edgeflux needs, pinned, from rustup and the package registries only.
# Idempotent: a second run checks versions and does nothing (about 1 s).
# Recipe and pitfalls: shared/reference/toolchain.md (verified on this machine kind).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock exactly
WASM_PACK_VERSION=0.15.1
WORKER_BUILD_VERSION=0.8.7
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

if [ -f Cargo.lock ]; then
  locked=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  if [ -n "$locked" ] && [ "$locked" != "$WASM_BINDGEN_VERSION" ]; then
    echo "Cargo.lock has wasm-bindgen $locked but the toolchain pins $WASM_BINDGEN_VERSION" >&2
    exit 1
  fi
fi

# 1. Rust targets and components.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# 2. Headless browser and its driver from Debian (one source package, so versions match).
# Never Debian's binaryen: its wasm-opt 108 silently breaks wasm-bindgen output.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  timeout 300 "${sudo[@]}" apt-get update
  timeout 900 "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
fi

# 3. Cargo tools at exact versions (from-source builds, ~8 min cold on 2 cores; skipped when present).
have() { command -v "$1" >/dev/null 2>&1 && [ "$("$1" --version 2>/dev/null | awk '{print $NF}')" = "$2" ]; }
# wasm-bindgen-cli must not be --locked: its lockfile pins a webpki-roots the registry mirror lacks.
have wasm-bindgen "$WASM_BINDGEN_VERSION" || timeout 1800 cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
have wasm-pack "$WASM_PACK_VERSION"       || timeout 1800 cargo install --force --locked wasm-pack --version "$WASM_PACK_VERSION"
have worker-build "$WORKER_BUILD_VERSION" || timeout 1800 cargo install --force --locked worker-build --version "$WORKER_BUILD_VERSION"

# 4. npm tools pinned in package.json + package-lock.json (wrangler 4.86.0 is the last for node 20).
if [ -f package-lock.json ]; then
  if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    timeout 600 npm ci --no-audit --no-fund
  fi
fi
echo "toolchain OK: wasm-bindgen $(wasm-bindgen --version | awk '{print $NF}'), wasm-pack $WASM_PACK_VERSION, worker-build $WORKER_BUILD_VERSION"
