#!/usr/bin/env bash
# Builds the npm package `edgeflux` into pkg/ (wasm-pack, target web) and copies the
# playground's copy into www/pkg/. Usage: scripts/build-pkg.sh [--dev|--release]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
profile="${1:---release}"
out="$PWD/pkg"
# wasm-pack finds npm's wasm-opt 132 first on PATH (scripts/env.sh); never a download.
timeout 1800 wasm-pack --quiet build crates/wasm "$profile" --target web --no-pack \
  --out-dir "$out" --out-name edgeflux_core
rm -f "$out/.gitignore" "$out/README.md"
cp crates/wasm/js/edgeflux.js crates/wasm/js/edgeflux.d.ts "$out/"
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
sed "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" crates/wasm/js/package.json >"$out/package.json"
# The playground (served from www/ by wrangler's [assets]) imports ./pkg/edgeflux.js.
rm -rf www/pkg && mkdir -p www/pkg
cp "$out"/edgeflux.js "$out"/edgeflux_core.js "$out"/edgeflux_core_bg.wasm www/pkg/
echo "pkg/: $(du -k "$out/edgeflux_core_bg.wasm" | cut -f1) KiB wasm"
