#!/usr/bin/env bash
# The core crates stay pure (DESIGN.md): no platform crates in their dependency tree
# (direct or transitive, any target) and no file system, network, process or wall clock
# in their source. Exits non-zero and names every violation.
# A negative control runs first: the same dependency check must flag the wasm edge crate.
set -euo pipefail
cd "$(dirname "$0")/.."

CORE=(types lineproto store flux-syntax flux auth api)
FORBIDDEN_CRATES='^(wasm-bindgen|web-sys|js-sys|worker|tokio|hyper)$'
# Things that need an OS (or panic on wasm32-unknown-unknown): the edges own them.
FORBIDDEN_SOURCE='std::(fs|net|process)([^A-Za-z0-9_]|$)|SystemTime|Instant::now|std::env::var|thread::sleep'

forbidden_deps() {
  cargo tree -q -p "$1" --target all -e normal,build --prefix none --format '{p}' 2>/dev/null \
    | awk '{print $1}' | sort -u | grep -E "$FORBIDDEN_CRATES" || true
}

# Non-comment source lines outside test code (a `#[cfg(test)]` module runs to the end of
# its file by convention; `tests.rs` and `src/tests/` are test-only modules).
source_hits() {
  find "$1" -name '*.rs' ! -name tests.rs ! -path '*/tests/*' -print0 | sort -z \
    | xargs -0 -r awk -v re="$FORBIDDEN_SOURCE" '
        FNR == 1 { in_test = 0 }
        /^[[:space:]]*#\[cfg\(test\)\]/ { in_test = 1 }
        !in_test && $0 !~ /^[[:space:]]*\/\// && $0 ~ re { print FILENAME ":" FNR ": " $0 }'
}

# Negative control: if this finds nothing, the check itself is broken.
if [ -z "$(forbidden_deps edgeflux-wasm)" ]; then
  echo "check-core: the dependency check failed to see wasm-bindgen under edgeflux-wasm" >&2
  exit 2
fi

failed=0
for crate in "${CORE[@]}"; do
  bad=$(forbidden_deps "edgeflux-$crate")
  if [ -n "$bad" ]; then
    echo "check-core: edgeflux-$crate depends on: $(echo "$bad" | tr '\n' ' ')" >&2
    cargo tree -q -p "edgeflux-$crate" --target all -e normal,build -i "$(echo "$bad" | head -1)" >&2 || true
    failed=1
  fi
  hits=$(source_hits "crates/$crate/src")
  if [ -n "$hits" ]; then
    echo "check-core: edgeflux-$crate touches the OS (edges own that):" >&2
    echo "$hits" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] && echo "check-core: ${#CORE[@]} core crates are free of platform crates and OS access"
exit "$failed"
