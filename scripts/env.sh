# Source from the repo root (`. scripts/env.sh`): puts the pinned tools first on PATH and
# keeps every tool offline except the package registries. See shared reference toolchain.md.
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"  # npm's wasm-opt 132 before any system one
export WASM_BINDGEN_BIN=wasm-bindgen                    # worker-build never looks at PATH
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"   # binaryen 132 from npm, never Debian's 108
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"     # esbuild from wrangler's dependencies
CHROMEDRIVER="$(command -v chromedriver || true)"
export CHROMEDRIVER
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true
