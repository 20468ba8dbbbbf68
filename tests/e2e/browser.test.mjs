// The browser home: the npm package in headless Chromium with its data in IndexedDB,
// and the playground page in www/. A small static server serves pkg/ and www/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { FLUX, ROOT, SETUP, assertSkeletonCsv } from "./common.mjs";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
let server, base, browser;

function serve(req, res) {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/blank.html") {
    res.writeHead(200, { "Content-Type": "text/html" });
    return res.end('<!doctype html><link rel="icon" href="data:,"><title>blank</title>');
  }
  // /npm/... is the package as built (pkg/); everything else is the playground (www/).
  const [root, rel] = url.pathname.startsWith("/npm/") ? ["pkg", url.pathname.slice(5)] : ["www", url.pathname.slice(1) || "index.html"];
  const file = normalize(join(ROOT, root, rel));
  if (!file.startsWith(join(ROOT, root))) {
    res.writeHead(403);
    return res.end();
  }
  readFile(file).then(
    (body) => {
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    },
    () => {
      res.writeHead(404);
      res.end("not found");
    },
  );
}

before(async () => {
  server = createServer(serve);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r) ?? r());
});

async function newPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.errors = errors;
  return page;
}

test("IndexedDB: write, close, reload the page, reopen, query", async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await page.goto(`${base}/blank.html`);
  const token = await page.evaluate(async ({ SETUP }) => {
    const { Engine } = await import("/npm/edgeflux.js");
    await Engine.destroy("e2e");
    const engine = await Engine.open("e2e");
    if (!engine.persistent) throw new Error("not persistent");
    await engine.setup(SETUP);
    const t = (BigInt(Date.now() - 60_000) * 1000000n).toString();
    await engine.write(`m,host=a v=1 ${t}\nm,host=b v=2 ${t}\nother,host=a v=3 ${t}`);
    await engine.close();
    return engine.defaults.token;
  }, { SETUP });
  assert.ok(token);

  await page.reload();
  const csv = await page.evaluate(async ({ FLUX, token }) => {
    const { Engine } = await import("/npm/edgeflux.js");
    const engine = await Engine.open("e2e");
    const out = await engine.query(FLUX, { org: "o", token });
    await engine.close();
    return out;
  }, { FLUX, token });
  assertSkeletonCsv(csv);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("the playground writes and runs Flux in the page", async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
  await page.click("#write");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("written"));
  await page.click("#run");
  await page.waitForFunction(() => / table\(s\) in /.test(document.getElementById("status").textContent));
  const hosts = await page.$$eval("#results table", (tables) => tables.map((t) => {
    const head = [...t.tHead.rows[0].cells].map((c) => c.textContent);
    return [...t.tBodies[0].rows].map((r) => r.cells[head.indexOf("host")].textContent);
  }));
  assert.deepEqual(hosts.map((h) => [...new Set(h)]).sort(), [["a"], ["b"]]);
  assert.equal(hosts.flat().length, 20);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("IndexedDB snapshots: restore from a snapshot plus the log written after it", async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await page.goto(`${base}/blank.html`);
  const csv = await page.evaluate(async ({ SETUP, FLUX }) => {
    const { Engine } = await import("/npm/edgeflux.js");
    await Engine.destroy("e2e-snap");
    // A snapshot after every write...
    let engine = await Engine.open("e2e-snap", { snapshotAfterBytes: 1 });
    await engine.setup(SETUP);
    const token = engine.defaults.token;
    const t = (BigInt(Date.now() - 60_000) * 1000000n).toString();
    await engine.write(`m,host=a v=1 ${t}\nother,host=a v=3 ${t}`);
    await engine.close();
    // The snapshot really is in IndexedDB and the log it covers is gone.
    const db = await new Promise((ok, no) => { const r = indexedDB.open("e2e-snap"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const tx = db.transaction(["meta", "log"]);
    const get = (req) => new Promise((ok, no) => { req.onsuccess = () => ok(req.result); req.onerror = () => no(req.error); });
    const snap = await get(tx.objectStore("meta").get("snapshot"));
    const logCount = await get(tx.objectStore("log").count());
    db.close();
    if (!snap || !(snap.seq >= 2) || !(snap.data.byteLength > 0) || logCount !== 0) {
      throw new Error(`expected a snapshot and an empty log, got seq=${snap?.seq} log=${logCount}`);
    }
    // ...then none: this write stays in the log after the snapshot.
    engine = await Engine.open("e2e-snap", { snapshotAfterBytes: 2 ** 40 });
    engine.use({ org: SETUP.org, bucket: SETUP.bucket, token });
    await engine.write(`m,host=b v=2 ${t}`);
    await engine.close();
    engine = await Engine.open("e2e-snap");
    engine.use({ org: SETUP.org, token });
    const out = await engine.query(FLUX);
    await engine.close();
    await Engine.destroy("e2e-snap");
    return out;
  }, { SETUP, FLUX });
  assertSkeletonCsv(csv);
  assert.deepEqual(page.errors, []);
  await context.close();
});
