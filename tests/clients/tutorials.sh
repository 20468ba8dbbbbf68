#!/usr/bin/env bash
# Every step of the two InfluxDB 2.x API tutorials (shared/reference/tutorial-flows.md),
# as curl commands, against a FRESH `edgeflux serve` (this script onboards it).
# usage: tutorials.sh URL
# Prints `PASS name` / `FAIL name: why` per step and a closing count; exit 1 on failure.
set -uo pipefail
URL=${1:?usage: tutorials.sh URL}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "PASS tutorial: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL tutorial: $1: $2"; }
# check NAME COMMAND... : the command must succeed
check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then ok "$name"; else ko "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}
# req METHOD PATH [curl args...] -> writes $tmp/body, $tmp/headers, echoes the status
req() {
  local method=$1 path=$2; shift 2
  curl -s --max-time 20 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$URL$path" "$@"
}
json() { python3 -c "import json,sys; d=json.load(open('$tmp/body')); print($1)"; }
expect() { # STATUS METHOD PATH [args]
  local want=$1; shift
  local got
  got=$(req "$@")
  [ "$got" = "$want" ] || { echo "HTTP $got (want $want): $(head -c 300 "$tmp/body")"; return 1; }
}

# ---------- Tutorial 1: Getting started with the InfluxDB API (CO2) ----------
t1_health() {
  expect 200 GET /health || return 1
  [ "$(json "d['name'], d['message'], d['status'], d['checks']")" = "influxdb ready for queries and writes pass []" ] || return 1
  json "d['version'], d['commit']" >/dev/null
}
check "t1.1 GET /health" t1_health

t1_onboard() {
  expect 201 POST /api/v2/setup -H 'Content-Type: application/json' \
    -d '{"username":"tutorial","password":"tutorial-pass","org":"InfluxDB-API-test-org","bucket":"InfluxDB-API-test-bucket"}' || return 1
  TOKEN=$(json "d['auth']['token']")
  [ -n "$TOKEN" ]
}
check "t1.2 onboarding creates org, user, bucket and an all-access token" t1_onboard
TOKEN=$(json "d['auth']['token']" 2>/dev/null || echo missing)
BUCKET=InfluxDB-API-test-bucket

t1_buckets() {
  expect 200 GET /api/v2/buckets -H "Authorization: Token $TOKEN" || return 1
  python3 - "$tmp/body" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
b = [x for x in d["buckets"] if x["name"] == "InfluxDB-API-test-bucket"][0]
assert b["type"] == "user" and len(b["id"]) == 16 and len(b["orgID"]) == 16, b
assert b["retentionRules"] == [{"type": "expire", "everySeconds": 0, "shardGroupDurationSeconds": 604800}], b
assert b["labels"] == [] and b["createdAt"] and b["updatedAt"], b
assert set(b["links"]) == {"labels", "members", "org", "owners", "self", "write"}, b["links"]
EOF
}
check "t1.3 GET /api/v2/buckets lists the bucket with InfluxDB's fields" t1_buckets
ORGID=$(json "[b['orgID'] for b in d['buckets']][0]" 2>/dev/null || echo missing)

t1_write_loop() {
  # A slice of the yearly CO2 table: Year,Total,PerCapita (PerCapita empty before 1950).
  printf 'Year,Total,PerCapita\n1948,1600,\n1950,1630,0.64\n2000,6765,1.11\n2005,7971,1.23\n2010,9167,1.33\n2014,9855,1.28\n' > "$tmp/co2.csv"
  local n=0
  while IFS=, read -r year total percap; do
    [ "$year" = "Year" ] && continue
    ts=$(date -u -d "Dec 31 $year 23:59:59" +%s)
    curl -s -i -XPOST "$URL/api/v2/write?precision=s&orgID=$ORGID&bucket=$BUCKET" \
      -H "Authorization: Token $TOKEN" --data-raw "total_co2,source=CDIAC value=$total $ts" > "$tmp/resp"
    head -1 "$tmp/resp" | grep -q '^HTTP/1.1 204 No Content' || { head -5 "$tmp/resp"; return 1; }
    grep -qi '^X-Influxdb-Build: OSS' "$tmp/resp" && grep -qi '^X-Influxdb-Version: ' "$tmp/resp" || { echo "missing X-Influxdb headers"; return 1; }
    if [ -n "$percap" ]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/v2/write?precision=s&orgID=$ORGID&bucket=$BUCKET" \
        -H "Authorization: Token $TOKEN" --data-raw "per_capita_co2,source=CDIAC value=$percap $ts")
      [ "$code" = 204 ] || { echo "per-capita write: $code"; return 1; }
    fi
    n=$((n + 1))
  done < "$tmp/co2.csv"
  [ "$n" = 6 ]
}
check "t1.4 per-point writes with precision=s, orgID and the bucket by name (204 + headers)" t1_write_loop

T1_FLUX='from(bucket:"InfluxDB-API-test-bucket") |> range(start: 2000-12-31T00:00:00Z, stop: 2015-01-01T00:00:00Z) |> filter(fn: (r) => r._measurement == "total_co2") |> aggregateWindow(every: 5y, fn: mean)'
t1_query() {
  expect 200 POST "/api/v2/query?orgID=$ORGID" -H "Authorization: Token $TOKEN" -H 'Accept: application/csv' \
    -H 'Content-type: application/vnd.flux' --data "$T1_FLUX" || return 1
  head -1 "$tmp/body" | grep -q '^,result,table,_start,_stop,_time,_value' || { head -3 "$tmp/body"; return 1; }
  # Epoch-aligned 5-year windows: [2000,2005) holds 2000, [2005,2010) 2005, [2010,2015) 2010 and 2014.
  [ "$(grep -c ',_result,0,' "$tmp/body")" = 3 ] || { cat "$tmp/body"; return 1; }
  grep -q ',2005-01-01T00:00:00Z,6765,value,total_co2,CDIAC' "$tmp/body" && grep -q ',2010-01-01T00:00:00Z,7971,' "$tmp/body" \
    && grep -q ',2015-01-01T00:00:00Z,9511,' "$tmp/body" || { cat "$tmp/body"; return 1; }
  grep -qi '^content-type: text/csv' "$tmp/headers"
}
check "t1.5 Flux as application/vnd.flux: aggregateWindow(every: 5y, fn: mean) as CSV" t1_query

t1_query_gzip() {
  curl -s --max-time 20 -XPOST "$URL/api/v2/query?orgID=$ORGID" -H "Authorization: Token $TOKEN" \
    -H 'Accept-Encoding: gzip' -H 'Content-type: application/vnd.flux' --data "$T1_FLUX" -D "$tmp/h2" -o "$tmp/gz" || return 1
  grep -qi '^content-encoding: gzip' "$tmp/h2" || return 1
  gunzip -c "$tmp/gz" | grep -q ',9511,'
}
check "t1.5 the same query gzip-compressed on request" t1_query_gzip

t1_influxql() {
  BUCKETID=$(curl -s "$URL/api/v2/buckets?name=$BUCKET" -H "Authorization: Token $TOKEN" | python3 -c "import json,sys; print(json.load(sys.stdin)['buckets'][0]['id'])")
  expect 201 POST /api/v2/dbrps -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"bucketID\":\"$BUCKETID\",\"database\":\"example-db\",\"retention_policy\":\"example-rp\",\"default\":true}" || return 1
  expect 200 GET "/api/v2/dbrps?orgID=$ORGID&db=example-db" -H "Authorization: Token $TOKEN" || return 1
  [ "$(json "d['content'][0]['retention_policy']")" = example-rp ] || return 1
  # InfluxQL itself is not implemented yet: the v1 path authenticates and answers a clear 501.
  code=$(req GET "/query?orgID=$ORGID" -G -H "Authorization: Token $TOKEN" --data-urlencode "q=SELECT mean(*) FROM example-db.example-rp.total_co2")
  [ "$code" = 501 ] && grep -q 'InfluxQL is not supported' "$tmp/body" || { echo "$code $(cat "$tmp/body")"; return 1; }
  [ "$(req GET "/query" -G --data-urlencode "q=SELECT 1")" = 401 ]
}
check "t1.6 DBRP mapping created; v1 /query authenticates and says InfluxQL is not supported yet" t1_influxql

# ---------- Tutorial 2: Flux API guide (IoT, tokens) ----------
t2_health() {
  curl -svo /dev/null "$URL/health" 2> "$tmp/verbose" || return 1
  grep -q '< HTTP/1.1 200 OK' "$tmp/verbose" && expect 200 GET /api/v2/buckets -H "Authorization: Token $TOKEN"
}
check "t2.1 curl -svo /dev/null /health; GET /api/v2/buckets with a token" t2_health

t2_bucket() {
  expect 201 POST /api/v2/buckets -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"name\":\"my_data\",\"retentionRules\":[{\"type\":\"expire\",\"everySeconds\":3600}]}" || return 1
  [ "$(json "d['retentionRules'][0]['everySeconds']")" = 3600 ]
}
check "t2.5 POST /api/v2/buckets with a 1 h retention rule" t2_bucket
MYDATA=$(json "d['id']" 2>/dev/null || echo missing)

t2_tokens() {
  expect 201 POST /api/v2/authorizations -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"description\":\"ingest\",\"permissions\":[{\"action\":\"write\",\"resource\":{\"type\":\"buckets\",\"id\":\"$MYDATA\",\"orgID\":\"$ORGID\"}}]}" || return 1
  WRITE_TOKEN=$(json "d['token']")
  expect 201 POST /api/v2/authorizations -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"description\":\"dashboards\",\"permissions\":[{\"action\":\"read\",\"resource\":{\"type\":\"buckets\",\"orgID\":\"$ORGID\"}},{\"action\":\"read\",\"resource\":{\"type\":\"orgs\",\"id\":\"$ORGID\"}}]}" || return 1
  READ_TOKEN=$(json "d['token']")
  echo "$WRITE_TOKEN" > "$tmp/wt"; echo "$READ_TOKEN" > "$tmp/rt"
}
check "t2.2 custom tokens: write-only on one bucket, read on all buckets" t2_tokens
WRITE_TOKEN=$(cat "$tmp/wt" 2>/dev/null || echo missing)
READ_TOKEN=$(cat "$tmp/rt" 2>/dev/null || echo missing)

NOW_S=$(date +%s)
t2_batch() {
  expect 204 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=my_data&precision=s" \
    -H "Authorization: Token $WRITE_TOKEN" -H 'Content-Type: text/plain; charset=utf-8' --data-binary "cpu_load,host=server01 value=0.64 $((NOW_S - 120))
cpu_load,host=server02 value=0.27 $((NOW_S - 120))
cpu_load,host=server01 value=0.72 $((NOW_S - 60))
cpu_load,host=server02 value=0.31 $((NOW_S - 60))
temperature,sensor=s1 value=21.5 $((NOW_S - 30))"
}
check "t2.3 batched newline-separated writes with precision=s (write-only token)" t2_batch

t2_query_json() {
  expect 200 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $READ_TOKEN" \
    -H 'Content-Type: application/json' -H 'Accept: application/csv' \
    -d '{"query": "from(bucket: \"my_data\") |> range(start: -1h) |> filter(fn: (r) => r._measurement == \"temperature\")", "dialect": {"header": true, "delimiter": ",", "commentPrefix": "#", "annotations": ["datatype", "group", "default"]}}' || return 1
  head -3 "$tmp/body" | grep -q '^#datatype,string,long,dateTime:RFC3339' || { head -3 "$tmp/body"; return 1; }
  grep -q '^#group,false,false,true,true,false,false,true,true,true' "$tmp/body" || { cat "$tmp/body"; return 1; }
  grep -q '^#default,_result,' "$tmp/body" && grep -q ',21.5,value,temperature,s1' "$tmp/body"
}
check "t2.4 Flux as JSON with a dialect (annotated CSV)" t2_query_json

t2_query_agg() {
  expect 200 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $READ_TOKEN" -H 'Content-Type: application/json' \
    -d '{"query": "from(bucket: \"my_data\") |> range(start: -1h) |> filter(fn: (r) => r._measurement == \"cpu_load\") |> aggregateWindow(every: 1m, fn: mean, createEmpty: false) |> yield(name: \"avg_cpu\")", "dialect": {"annotations": ["datatype", "group", "default"]}}' || return 1
  grep -q '^#default,avg_cpu,' "$tmp/body" || { cat "$tmp/body"; return 1; }
  expect 200 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $READ_TOKEN" -H 'Content-Type: application/json' \
    -d '{"query": "from(bucket: \"my_data\") |> range(start: -1h) |> filter(fn: (r) => r._measurement == \"cpu_load\") |> last()"}' || return 1
  grep -q ',0.72,value,cpu_load,server01' "$tmp/body" && grep -q ',0.31,value,cpu_load,server02' "$tmp/body" || { cat "$tmp/body"; return 1; }
}
check "t2.4 aggregateWindow(every: 1m) |> yield(name: \"avg_cpu\") and last() per host" t2_query_agg

t2_tasks() {
  expect 201 POST /api/v2/buckets -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"name\":\"downsampled_data\"}" || return 1
  # The tutorial's body: name, every and offset beside a script without `option task`.
  expect 201 POST /api/v2/tasks -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"name\":\"cpu-downsample\",\"every\":\"1h\",\"offset\":\"5m\",\"flux\":\"option v = {bucket: \\\"my_data\\\", timeRange: 1h}\\nfrom(bucket: v.bucket) |> range(start: -v.timeRange) |> filter(fn: (r) => r._measurement == \\\"cpu_load\\\") |> aggregateWindow(every: 1h, fn: mean) |> to(bucket: \\\"downsampled_data\\\")\"}" || return 1
  [ "$(json "d['name'], d['every'], d['offset'], d['status']")" = "cpu-downsample 1h 5m0s active" ] || { cat "$tmp/body"; return 1; }
  local task
  task=$(json "d['id']")
  # A task whose script carries `option task` itself.
  expect 201 POST /api/v2/tasks -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"orgID\":\"$ORGID\",\"flux\":\"option task = {name: \\\"nightly\\\", cron: \\\"0 3 * * *\\\"}\\nfrom(bucket: \\\"my_data\\\") |> range(start: -1d) |> count()\"}" || return 1
  [ "$(json "d['name'], d['cron']")" = "nightly 0 3 * * *" ] || { cat "$tmp/body"; return 1; }
  expect 200 GET "/api/v2/tasks?org=InfluxDB-API-test-org" -H "Authorization: Token $TOKEN" || return 1
  [ "$(json "sorted(t['name'] for t in d['tasks'])")" = "['cpu-downsample', 'nightly']" ] || { cat "$tmp/body"; return 1; }
  # Run the downsampling now; the server's scheduler picks the run up within a second.
  expect 201 POST "/api/v2/tasks/$task/runs" -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' -d '{}' || return 1
  [ "$(json "d['status']")" = scheduled ] || { cat "$tmp/body"; return 1; }
  local status=scheduled
  for _ in $(seq 1 100); do
    expect 200 GET "/api/v2/tasks/$task/runs" -H "Authorization: Token $TOKEN" || return 1
    status=$(json "d['runs'][0]['status']")
    [ "$status" = scheduled ] || break
    sleep 0.2
  done
  [ "$status" = success ] || { cat "$tmp/body"; return 1; }
  expect 200 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $TOKEN" -H 'Content-Type: application/vnd.flux' \
    -d 'from(bucket: "downsampled_data") |> range(start: -2h)' || return 1
  grep -q ',value,cpu_load,server01' "$tmp/body" && grep -q ',value,cpu_load,server02' "$tmp/body" || { cat "$tmp/body"; return 1; }
}
check "t2.6 tasks: create (name/every/offset body and option task), list, run, to() downsampled data" t2_tasks

t2_refusals() {
  local q='{"query": "from(bucket: \"my_data\") |> range(start: -1h)"}'
  # The ingest token cannot query (its bucket is invisible to it, as in InfluxDB OSS).
  expect 404 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $WRITE_TOKEN" -H 'Content-Type: application/json' -d "$q" || return 1
  expect 401 POST "/api/v2/query?org=InfluxDB-API-test-org" -H 'Content-Type: application/json' -d "$q" || return 1
  expect 401 GET /api/v2/buckets -H "Authorization: Token not-a-real-token" || return 1
  [ "$(json "d['code'], d['message']")" = "unauthorized unauthorized access" ] || return 1
  expect 403 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=my_data" -H "Authorization: Token $READ_TOKEN" --data-binary 'm v=1' || return 1
  [ "$(json "d['code']")" = forbidden ] || return 1
  expect 404 POST "/api/v2/write?org=wrong-org&bucket=my_data" -H "Authorization: Token $TOKEN" --data-binary 'm v=1' || return 1
  expect 404 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=wrong" -H "Authorization: Token $TOKEN" --data-binary 'm v=1' || return 1
  expect 400 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=my_data" -H "Authorization: Token $TOKEN" --data-binary 'bad line' || return 1
  expect 400 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' -d '{"query": ' || return 1
  expect 400 POST "/api/v2/query?org=InfluxDB-API-test-org" -H "Authorization: Token $TOKEN" -H 'Content-Type: text/plain' -d 'from(bucket: "my_data")' || return 1
  expect 400 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=my_data&precision=s" -H "Authorization: Token $TOKEN" --data-binary "m v=1 $((NOW_S * 1000000000))" || return 1
}
check "t2.2/t2.8 statuses: write-only token refused on query (404), 401, 403, 404, 400" t2_refusals

t2_other_auth() {
  # Basic user:password and the v1 u/p parameters, both named by tutorial 1.
  expect 200 GET /api/v2/buckets -u tutorial:tutorial-pass || return 1
  expect 401 GET /api/v2/buckets -u tutorial:wrong-pass || return 1
  expect 204 POST "/write?db=InfluxDB-API-test-bucket&precision=s&u=tutorial&p=$TOKEN" --data-binary "v1,src=u_p value=1 $NOW_S" || return 1
  expect 204 POST "/api/v2/write?org=InfluxDB-API-test-org&bucket=my_data" -H "Authorization: Bearer $TOKEN" --data-binary 'bearer v=1'
}
check "t1.2 other auth methods: Basic, v1 u/p, Bearer" t2_other_auth

echo "tutorials: $pass passed, $fail failed"
[ "$fail" = 0 ]
