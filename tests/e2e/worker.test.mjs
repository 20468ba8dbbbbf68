// The edge home: the Worker under `wrangler dev` (local workerd + Durable Objects).
// Needs the pre-built bundle in worker/build (scripts/build-worker.sh, run by `make test`).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, assertSkeletonCsv, freePort, healthy, httpClient, query, setup, startProcess, tempDir, writeSample } from "./common.mjs";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const persist = tempDir("wrangler");
let port, base, wrangler;

const quiet = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true", CI: "true" };

function startWrangler() {
  return startProcess(
    process.execPath,
    [WRANGLER, "dev", "--config", join(ROOT, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist],
    { env: quiet, ready: () => healthy(base), timeoutMs: 90_000, name: "wrangler dev" },
  );
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
