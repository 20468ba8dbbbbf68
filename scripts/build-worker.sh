#!/usr/bin/env bash
# Builds the Worker bundle into worker/build/ with worker-build, so `wrangler dev` starts
# from a pre-built bundle (wrangler.toml has no [build] section).
# Usage: scripts/build-worker.sh [--dev|--release]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
profile="${1:---release}"
opt=()
# npm's wasm-opt runs under node (~4 s per MB): only for release bundles.
[ "$profile" = "--release" ] || opt=(--no-opt)
(cd worker && timeout 1800 worker-build "$profile" "${opt[@]}")
echo "worker/build: $(du -k worker/build/index_bg.wasm 2>/dev/null | cut -f1) KiB wasm"
