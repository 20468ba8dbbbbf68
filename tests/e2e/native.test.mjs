// The native home: `edgeflux serve` with a data directory on disk.
// EDGEFLUX_BIN overrides the binary (default: $CARGO_TARGET_DIR or target, debug build).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, assertSkeletonCsv, freePort, healthy, httpClient, query, setup, startProcess, tempDir, writeSample } from "./common.mjs";

const BIN = process.env.EDGEFLUX_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "edgeflux");
const data = tempDir("serve");
let port, base, server;

function startServer() {
  return startProcess(BIN, ["serve", "--http-bind-address", `127.0.0.1:${port}`, "--engine-path", data],
    { ready: () => healthy(base), name: "edgeflux serve" });
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build -p edgeflux-cli`);
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test("write, query, restart the server, query again (data dir on disk)", async () => {
  const request = httpClient(base);
  const token = await setup(request);
  await writeSample(request, token);
  const res = await query(request, token);
  assert.equal(res.status, 200, res.body);
  assertSkeletonCsv(res.body);

  await server.stop();
  server = await startServer();
  const again = await query(request, token);
  assert.equal(again.status, 200, again.body);
  assertSkeletonCsv(again.body);
});
