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
