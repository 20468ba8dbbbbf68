// The playground: runs Flux either in this page (the npm package, data in IndexedDB)
// or against the server that served the page (the Worker's /api/v2).
import { Engine } from "./pkg/edgeflux.js";

const $ = (id) => document.getElementById(id);
const DIALECT = { header: true, delimiter: ",", annotations: ["datatype", "group", "default"], commentPrefix: "#", dateTimeFormat: "RFC3339" };
let engine;

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function sampleData() {
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < 10; i++) {
    const t = BigInt(now - (10 - i) * 60_000) * 1000000n;
    lines.push(`m,host=a v=${(20 + Math.sin(i)).toFixed(2)} ${t}`);
    lines.push(`m,host=b v=${(30 + Math.cos(i)).toFixed(2)} ${t}`);
  }
  return lines.join("\n");
}

/** One request, in the page's engine or on the server. */
async function request(method, path, headers, body) {
  if ($("target").value === "browser") {
    const res = await engine.fetch(method, path, { ...headers, Authorization: `Token ${engine.defaults.token}` }, body);
    return { status: res.status, body: res.body };
  }
  const token = $("token").value.trim();
  const res = await fetch(path, { method, headers: { ...headers, Authorization: `Token ${token}` }, body });
  return { status: res.status, body: await res.text() };
}

function failed(res) {
  let message = res.body;
  try { message = JSON.parse(res.body).message ?? message; } catch { /* plain text */ }
  return `${res.status}: ${message}`;
}

async function write() {
  const q = new URLSearchParams({ org: $("org").value, bucket: $("bucket").value, precision: "ns" });
  const started = performance.now();
  const res = await request("POST", `/api/v2/write?${q}`, { "Content-Type": "text/plain; charset=utf-8" }, $("lp").value);
  if (res.status !== 204) return status(`write failed: ${failed(res)}`, true);
  status(`written in ${(performance.now() - started).toFixed(1)} ms`);
}

async function run() {
  const q = new URLSearchParams({ org: $("org").value });
  const started = performance.now();
  const res = await request("POST", `/api/v2/query?${q}`, { "Content-Type": "application/json", Accept: "application/csv" },
    JSON.stringify({ query: $("flux").value, type: "flux", dialect: DIALECT }));
  const ms = (performance.now() - started).toFixed(1);
  if (res.status !== 200) return status(`query failed: ${failed(res)}`, true);
  $("csv").textContent = res.body;
  const tables = render(res.body);
  status(`${tables} table(s) in ${ms} ms`);
}

/** Renders annotated CSV as one HTML table per Flux table; returns how many. */
function render(csv) {
  const out = $("results");
  out.replaceChildren();
  let header = null;
  let defaults = [];
  let table = null;
  let current = null;
  let count = 0;
  for (const line of csv.split(/\r?\n/)) {
    if (line === "" ) { header = null; continue; }
    const cells = parseLine(line);
    if (cells[0].startsWith("#")) {
      if (cells[0] === "#default") defaults = cells;
      header = null;
      continue;
    }
    // An empty cell takes the column's #default (e.g. result = "_result").
    cells.forEach((c, i) => { if (c === "" && defaults[i]) cells[i] = defaults[i]; });
    if (!header) { header = cells; current = null; continue; }
    const id = cells[header.indexOf("table")];
    if (id !== current) {
      current = id;
      count++;
      table = document.createElement("table");
      const tr = table.createTHead().insertRow();
      header.slice(1).forEach((h) => { const th = document.createElement("th"); th.textContent = h; tr.append(th); });
      table.append(document.createElement("tbody"));
      out.append(table);
    }
    const tr = table.tBodies[0].insertRow();
    cells.slice(1).forEach((c) => { tr.insertCell().textContent = c; });
  }
  return count;
}

function parseLine(line) {
  const out = [];
  let cell = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { out.push(cell); cell = ""; } else cell += c;
  }
  out.push(cell);
  return out;
}

async function start() {
  engine = await Engine.open("edgeflux-playground");
  const saved = JSON.parse(localStorage.getItem("edgeflux-playground") ?? "null");
  if (saved) {
    engine.use(saved);
  } else {
    const password = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
    await engine.setup({ username: "dev", password, org: "dev", bucket: "dev" });
    localStorage.setItem("edgeflux-playground", JSON.stringify(engine.defaults));
  }
  $("lp").value = sampleData();
  $("target").addEventListener("change", () => document.body.classList.toggle("server", $("target").value === "server"));
  $("write").addEventListener("click", () => write().catch((e) => status(String(e), true)));
  $("sample").addEventListener("click", () => { $("lp").value = sampleData(); });
  $("run").addEventListener("click", () => run().catch((e) => status(String(e), true)));
  $("flux").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) $("run").click(); });
  $("raw").addEventListener("change", () => { $("csv").hidden = !$("raw").checked; });
  status(`ready: edgeflux ${await Engine.version()} in this browser (org "dev", bucket "dev")`);
  window.__ready = true;
}

start().catch((e) => status(`cannot start: ${e}`, true));
