// The edge home: the Worker under `wrangler dev` (local workerd + Durable Objects).
// Needs the pre-built bundle in worker/build (scripts/build-worker.sh, run by `make test`).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, assertSkeletonCsv, freePort, healthy, httpClient, nsAgo, query, setup, startProcess, tempDir, writeSample } from "./common.mjs";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const persist = tempDir("wrangler");
let port, base, wrangler;

const quiet = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true", CI: "true" };

function startWrangler(dir = persist, extra = []) {
  return startProcess(
    process.execPath,
    [WRANGLER, "dev", "--config", join(ROOT, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port), "--persist-to", dir, ...extra],
    { env: quiet, ready: () => healthy(base), timeoutMs: 90_000, name: "wrangler dev" },
  );
}

/** Keys in the Durable Object's storage under a stopped wrangler's --persist-to dir. */
function storedKeys(dir) {
  const py = `import glob, sqlite3, sys
keys = []
for f in glob.glob(sys.argv[1] + "/**/*.sqlite", recursive=True):
    db = sqlite3.connect(f)
    for (table,) in db.execute("select name from sqlite_master where type = 'table'"):
        if "key" in [c[1] for c in db.execute(f'pragma table_info("{table}")')]:
            keys += [k if isinstance(k, str) else k.decode() for (k,) in db.execute(f'select key from "{table}"')]
print("\\n".join(keys))`;
  return execFileSync("python3", ["-c", py, dir]).toString().split("\n").filter(Boolean);
}

before(async () => {
  assert.ok(existsSync(join(ROOT, "worker", "build", "index.js")), "worker/build is missing: run scripts/build-worker.sh");
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  wrangler = await startWrangler();
});

after(async () => {
  await wrangler?.stop();
  if (process.env.E2E_VERBOSE) console.log(wrangler?.output());
});

test("the playground is served from www/ beside the API", async () => {
  const res = await fetch(`${base}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /edgeflux playground/);
  const js = await fetch(`${base}/pkg/edgeflux.js`);
  assert.equal(js.status, 200, "www/pkg/edgeflux.js (copied by scripts/build-pkg.sh)");
  assert.match(await js.text(), /export class Engine/);
});

test("write, query, restart wrangler, query again (Durable Object storage)", async () => {
  const request = httpClient(base);
  const token = await setup(request);
  await writeSample(request, token);
  const res = await query(request, token);
  assert.equal(res.status, 200, res.body);
  assertSkeletonCsv(res.body);

  await wrangler.stop();
  wrangler = await startWrangler();
  const again = await query(request, token);
  assert.equal(again.status, 200, again.body);
  assertSkeletonCsv(again.body);
  const second = await request("POST", "/api/v2/setup", { "Content-Type": "application/json" },
    JSON.stringify({ username: "x", password: "xxxxxxxxx", org: "x", bucket: "x" }));
  assert.equal(second.status, 422, `a restored engine is onboarded already: ${second.body}`);
});

test("a bad token is refused with InfluxDB's 401", async () => {
  const res = await query(httpClient(base), "not-a-token");
  assert.equal(res.status, 401);
  assert.equal(JSON.parse(res.body).code, "unauthorized");
});

test("with a snapshot after every write: restore from snapshot + log across a restart", async () => {
  await wrangler.stop();
  const dir = tempDir("wrangler-snap");
  const snapEveryWrite = ["--var", "EDGEFLUX_SNAPSHOT_AFTER_BYTES:1"];
  wrangler = await startWrangler(dir, snapEveryWrite);
  const request = httpClient(base);
  const token = await setup(request);
  await writeSample(request, token);
  // From here on the default threshold: the next write stays in the log after the snapshot.
  await wrangler.stop();
  let keys = storedKeys(dir);
  assert.ok(keys.includes("snapshot:meta"), `no snapshot stored: ${keys}`);
  assert.deepEqual(keys.filter((k) => k.startsWith("log:")), [], "the snapshot covers the whole log");
  wrangler = await startWrangler(dir);
  const res = await query(request, token);
  assert.equal(res.status, 200, res.body);
  assertSkeletonCsv(res.body);
  // One more write after the restored snapshot, then restore snapshot + log.
  const t = (BigInt(Date.now() - 30_000) * 1000000n).toString();
  const w = await request("POST", "/api/v2/write?org=o&bucket=b", { Authorization: `Token ${token}` }, `m,host=c v=3 ${t}`);
  assert.equal(w.status, 204, w.body);
  await wrangler.stop();
  keys = storedKeys(dir);
  assert.equal(keys.filter((k) => k.startsWith("log:")).length, 1, `one log record after the snapshot: ${keys}`);
  wrangler = await startWrangler(dir);
  const again = await query(request, token);
  assert.equal(again.status, 200, again.body);
  assert.match(again.body, /,3,v,m,c/);
});

test("a Rust panic in the Durable Object answers 500 internal error and the object restores from storage", async () => {
  await wrangler.stop();
  // EDGEFLUX_TEST_PANIC arms the test-only X-Edgeflux-Test-Panic header (worker/src/panic.rs).
  wrangler = await startWrangler(tempDir("wrangler-panic"), ["--var", "EDGEFLUX_TEST_PANIC:1"]);
  const request = httpClient(base);
  const token = await setup(request);
  await writeSample(request, token);

  // Before the guard this request never got an answer; give it 20 s, not forever.
  const res = await fetch(`${base}/api/v2/buckets`, {
    headers: { Authorization: `Token ${token}`, "X-Edgeflux-Test-Panic": "1" },
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  assert.equal(res.status, 500, text);
  const body = JSON.parse(text);
  assert.equal(body.code, "internal error");
  assert.match(body.message, /^Rust panic: .*test panic requested with X-Edgeflux-Test-Panic$/s);

  // The rebuilt object restored the onboarding and the write from its storage.
  const again = await query(request, token);
  assert.equal(again.status, 200, again.body);
  assertSkeletonCsv(again.body);
  const second = await request("POST", "/api/v2/setup", { "Content-Type": "application/json" },
    JSON.stringify({ username: "x", password: "xxxxxxxxx", org: "x", bucket: "x" }));
  assert.equal(second.status, 422, `the restored engine is onboarded: ${second.body}`);
  const w = await request("POST", "/api/v2/write?org=o&bucket=b", { Authorization: `Token ${token}` }, `m,host=c v=3 ${nsAgo(30_000)}`);
  assert.equal(w.status, 204, w.body);
});

test("without EDGEFLUX_TEST_PANIC the panic header does nothing", async () => {
  await wrangler.stop();
  wrangler = await startWrangler(tempDir("wrangler-nopanic"));
  const res = await httpClient(base)("GET", "/health", { "X-Edgeflux-Test-Panic": "1" });
  assert.equal(res.status, 200, res.body);
});

test("a task created over HTTP runs on the Durable Object alarm and its to() writes persist", async () => {
  await wrangler.stop();
  const dir = tempDir("wrangler-tasks");
  wrangler = await startWrangler(dir);
  const request = httpClient(base);
  const token = await setup(request);
  await writeSample(request, token);
  const auth = { Authorization: `Token ${token}`, "Content-Type": "application/json" };
  const orgID = JSON.parse((await request("GET", "/api/v2/orgs", auth)).body).orgs[0].id;
  let r = await request("POST", "/api/v2/buckets", auth, JSON.stringify({ orgID, name: "down" }));
  assert.equal(r.status, 201, r.body);
  const flux = 'option task = {name: "copy", every: 1h}\nfrom(bucket: "b") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "m") |> to(bucket: "down")';
  r = await request("POST", "/api/v2/tasks", auth, JSON.stringify({ orgID, flux }));
  assert.equal(r.status, 201, r.body);
  const task = JSON.parse(r.body).id;
  r = await request("POST", `/api/v2/tasks/${task}/runs`, auth, "{}");
  assert.equal(r.status, 201, r.body);
  assert.equal(JSON.parse(r.body).status, "scheduled");
  // Only the alarm runs tasks (reading runs does not), so polling shows the alarm at work.
  let runs;
  for (let i = 0; i < 120; i++) {
    runs = JSON.parse((await request("GET", `/api/v2/tasks/${task}/runs`, auth)).body).runs;
    if (runs[0].status !== "scheduled") break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(runs[0].status, "success", JSON.stringify(runs));
  await wrangler.stop();
  wrangler = await startWrangler(dir);
  runs = JSON.parse((await request("GET", `/api/v2/tasks/${task}/runs`, auth)).body).runs;
  assert.equal(runs[0].status, "success", `the run survives a restart: ${JSON.stringify(runs)}`);
  const copied = await query(request, token, 'from(bucket: "down") |> range(start: -1h)');
  assert.equal(copied.status, 200, copied.body);
  assert.match(copied.body, /,1,v,m,a/);
  assert.match(copied.body, /,2,v,m,b/);
});
