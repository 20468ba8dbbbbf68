// The npm package loads in node (no IndexedDB there: Engine.memory()).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { FLUX, ROOT, SETUP, assertSkeletonCsv, nsAgo } from "./common.mjs";

const pkg = pathToFileURL(join(ROOT, "pkg", "edgeflux.js")).href;

test("the package loads in node and answers the skeleton round trip", async () => {
  const { Engine, EdgefluxError } = await import(pkg);
  const engine = await Engine.memory();
  assert.equal(engine.persistent, false);
  assert.match(await Engine.version(), /^\d+\.\d+\.\d+/);

  const health = await engine.fetch("GET", "http://localhost/health");
  assert.equal(health.status, 200);
  assert.equal(health.json().status, "pass");

  await engine.setup(SETUP);
  const t = nsAgo(60_000);
  await engine.write([`m,host=a v=1 ${t}`, `m,host=b v=2 ${t}`, `other,host=a v=3 ${t}`]);
  assertSkeletonCsv(await engine.query(FLUX));

  await assert.rejects(engine.write("m v=1", { token: "wrong" }), (e) => e instanceof EdgefluxError && e.status === 401);
  await engine.close();
  await assert.rejects(engine.fetch("GET", "/health"), /closed/);
});

test("Engine.open explains that node has no IndexedDB", async () => {
  const { Engine } = await import(pkg);
  await assert.rejects(Engine.open("x"), /IndexedDB is not available/);
});

test("tasks run on the package's timer: a manual run copies data with to()", async () => {
  const { Engine } = await import(pkg);
  const engine = await Engine.memory();
  await engine.setup(SETUP);
  await engine.write([`m,host=a v=1 ${nsAgo(60_000)}`]);
  const auth = { Authorization: `Token ${engine.defaults.token}` };
  const orgID = (await engine.fetch("GET", "/api/v2/orgs", auth)).json().orgs[0].id;
  assert.equal((await engine.fetch("POST", "/api/v2/buckets", auth, { orgID, name: "down" })).status, 201);
  const flux = 'option task = {name: "copy", every: 1h}\nfrom(bucket: "b") |> range(start: -1h) |> to(bucket: "down")';
  const created = await engine.fetch("POST", "/api/v2/tasks", auth, { orgID, flux });
  assert.equal(created.status, 201, created.body);
  const id = created.json().id;
  const queued = await engine.fetch("POST", `/api/v2/tasks/${id}/runs`, auth, {});
  assert.equal(queued.json().status, "scheduled", queued.body);
  let runs;
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    runs = (await engine.fetch("GET", `/api/v2/tasks/${id}/runs`, auth)).json().runs;
    if (runs[0].status !== "scheduled") break;
  }
  assert.equal(runs[0].status, "success", JSON.stringify(runs));
  assert.match(await engine.query('from(bucket: "down") |> range(start: -1h)'), /,1,v,m,a/);
  await engine.close();
});
