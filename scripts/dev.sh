#!/usr/bin/env bash
# `make dev`: the local edge server on 127.0.0.1:8787 (wrangler dev: the Worker, its
# Durable Object and the playground in www/), state kept in .state/wrangler. On the first
# start it onboards a dev org, bucket and token and keeps them in .state/dev-credentials.
# Expects a built worker/build and www/pkg (the Makefile builds them). Ctrl+C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
HOST=127.0.0.1 PORT="${PORT:-8787}"
BASE="http://$HOST:$PORT"
STATE=.state
CREDS="$STATE/dev-credentials"
mkdir -p "$STATE"

node node_modules/wrangler/bin/wrangler.js dev --config wrangler.toml --ip "$HOST" --port "$PORT" \
  --persist-to "$STATE/wrangler" &
wrangler=$!
stop() { kill -INT "$wrangler" 2>/dev/null; wait "$wrangler" 2>/dev/null || true; }
trap stop EXIT
trap 'stop; exit 0' INT TERM

for _ in $(seq 1 300); do
  curl -sf "$BASE/health" >/dev/null 2>&1 && break
  kill -0 "$wrangler" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.2
done

if curl -sf "$BASE/api/v2/setup" | grep -q '"allowed": *true'; then
  password=$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')
  token=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
  body=$(printf '{"username":"dev","password":"%s","org":"dev","bucket":"dev","token":"%s"}' "$password" "$token")
  status=$(curl -s -o "$STATE/setup-response.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$body" "$BASE/api/v2/setup")
  if [ "$status" != 201 ]; then
    echo "onboarding failed ($status): $(cat "$STATE/setup-response.json")" >&2
    exit 1
  fi
  umask 077
  printf 'EDGEFLUX_URL=%s\nEDGEFLUX_ORG=dev\nEDGEFLUX_BUCKET=dev\nEDGEFLUX_USER=dev\nEDGEFLUX_PASSWORD=%s\nEDGEFLUX_TOKEN=%s\n' \
    "$BASE" "$password" "$token" >"$CREDS"
  rm -f "$STATE/setup-response.json"
fi

echo
echo "edgeflux dev server: $BASE  (playground: $BASE/ , API: $BASE/api/v2)"
if [ -f "$CREDS" ]; then
  sed 's/^/  /' "$CREDS"
  # shellcheck disable=SC1090
  . "$CREDS"
  echo
  echo "  try: curl -H \"Authorization: Token \$EDGEFLUX_TOKEN\" --data-binary 'm,host=a v=1' \"$BASE/api/v2/write?org=dev&bucket=dev\""
else
  echo "  (already onboarded; credentials were not created by make dev)"
fi
echo "Ctrl+C stops the server."
wait "$wrangler"
