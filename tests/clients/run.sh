#!/usr/bin/env bash
# Real clients against a real `edgeflux serve`: the official Python client, the official
# JS client, every step of both API tutorials (curl), and kill -9 mid-load.
#
#   tests/clients/run.sh            (the Makefile calls this; safe to re-run)
#
# Installs what it needs, pinned and idempotently: a venv (.venv) with
# requirements.txt, node_modules from package-lock.json (npm ci). Builds the binary
# (debug; set EDGEFLUX_BIN to use another), starts servers on free loopback ports with
# temporary engine directories, stops them by PID. Ends with `N passed, N failed` and a
# non-zero exit status on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

log() { echo "== $*" >&2; }

# ---- tools (pinned, idempotent) ----
if [ ! -x .venv/bin/python ]; then
  log "creating venv"
  python3 -m venv .venv || exit 1
fi
if ! .venv/bin/pip freeze 2>/dev/null | diff -q - requirements.txt >/dev/null; then
  log "installing Python client (requirements.txt)"
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt || exit 1
fi
if [ ! -d node_modules/@influxdata/influxdb-client ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing JS client (package-lock.json)"
  npm ci --no-audit --no-fund --silent || exit 1
fi

# ---- binary ----
BIN=${EDGEFLUX_BIN:-}
if [ -z "$BIN" ]; then
  log "building edgeflux"
  (cd "$root" && cargo build --quiet -p edgeflux-cli) || exit 1
  BIN="${CARGO_TARGET_DIR:-$root/target}/debug/edgeflux"
  case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_server NAME -> sets URL and PID
start_server() {
  local port
  port=$(free_port)
  "$BIN" serve --http-bind-address "127.0.0.1:$port" --engine-path "$work/$1" > "$work/$1.log" 2>&1 &
  PID=$!
  pids+=("$PID")
  URL="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    curl -s -o /dev/null --max-time 1 "$URL/ping" && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "server $1 did not start:" >&2
  cat "$work/$1.log" >&2
  return 1
}

out="$work/results.txt"
: > "$out"
run_step() { # NAME COMMAND...
  log "$1"
  shift
  timeout 300 "$@" 2>&1 | tee -a "$out"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$out"; then
    echo "FAIL $*: exited with $rc" | tee -a "$out"
  fi
}

if start_server clients; then
  run_step "python client" env EDGEFLUX_TOKEN_FILE="$work/token" .venv/bin/python test_python.py "$URL"
  if [ -s "$work/token" ]; then
    run_step "js client" node test_js.mjs "$URL" "$(sed -n 1p "$work/token")" "$(sed -n 2p "$work/token")" py-org
  else
    echo "FAIL js client: no token from the Python onboarding" | tee -a "$out"
  fi
else
  echo "FAIL server start (clients)" | tee -a "$out"
fi

if start_server tutorials; then
  run_step "tutorials" bash tutorials.sh "$URL"
else
  echo "FAIL server start (tutorials)" | tee -a "$out"
fi

mkdir -p "$work/crash"
run_step "kill -9 mid-load" .venv/bin/python crash.py "$BIN" "$(free_port)" "$work/crash/engine"

passed=$(grep -c '^PASS' "$out")
failed=$(grep -c '^FAIL' "$out")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
