// Shared pieces of the end-to-end suites: the walking-skeleton round trip (setup, write
// line protocol, query annotated CSV) that every home must answer identically, an
// annotated-CSV reader, and process helpers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const FLUX = 'from(bucket: "b") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "m")';

export const SETUP = { username: "e2e", password: "e2e-password", org: "o", bucket: "b" };

export const ANNOTATED = {
  header: true,
  delimiter: ",",
  annotations: ["datatype", "group", "default"],
  commentPrefix: "#",
  dateTimeFormat: "RFC3339",
};

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `edgeflux-${prefix}-`));
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A `request(method, path, headers, body)` over HTTP against `base`. */
export function httpClient(base) {
  return async (method, path, headers = {}, body) => {
    const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(60_000) });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };
}

/** Onboards the instance; returns the operator token. */
export async function setup(request) {
  const res = await request("POST", "/api/v2/setup", { "Content-Type": "application/json" }, JSON.stringify(SETUP));
  assert.equal(res.status, 201, `setup: ${res.body}`);
  const token = JSON.parse(res.body).auth?.token;
  assert.ok(token, `setup returned no token: ${res.body}`);
  return token;
}

/** Nanosecond timestamp `agoMs` before now, as a string. */
export function nsAgo(agoMs) {
  return (BigInt(Date.now() - agoMs) * 1000000n).toString();
}

/** Writes two points of `m` and one of another measurement, 1 minute ago. */
export async function writeSample(request, token) {
  const t = nsAgo(60_000);
  const lp = `m,host=a v=1 ${t}\nm,host=b v=2 ${t}\nother,host=a v=3 ${t}\n`;
  const res = await request(
    "POST",
    "/api/v2/write?org=o&bucket=b&precision=ns",
    { Authorization: `Token ${token}`, "Content-Type": "text/plain; charset=utf-8" },
    lp,
  );
  assert.equal(res.status, 204, `write: ${res.status} ${res.body}`);
}

export async function query(request, token, flux = FLUX) {
  return request(
    "POST",
    "/api/v2/query?org=o",
    { Authorization: `Token ${token}`, "Content-Type": "application/json", Accept: "application/csv" },
    JSON.stringify({ query: flux, type: "flux", dialect: ANNOTATED }),
  );
}

/** Parses annotated CSV into tables: [{ annotations, columns, rows: [object] }]. */
export function parseAnnotatedCsv(text) {
  const results = [];
  let current = null;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") {
      current = null;
      continue;
    }
    const cells = splitCsvLine(line);
    if (cells[0].startsWith("#")) {
      if (!current || current.columns) {
        current = { annotations: {}, columns: null, rows: [] };
        results.push(current);
      }
      // Kept aligned with the header row: cell 0 is the annotation name itself.
      current.annotations[cells[0].slice(1)] = cells;
      continue;
    }
    if (!current) {
      current = { annotations: {}, columns: null, rows: [] };
      results.push(current);
    }
    if (!current.columns) {
      current.columns = cells;
      continue;
    }
    current.rows.push(Object.fromEntries(current.columns.map((c, i) => [c, cells[i]])));
  }
  return results;
}

function splitCsvLine(line) {
  const out = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      out.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  out.push(cell);
  return out;
}

/** The skeleton query must return m's two points (hosts a and b) as annotated CSV. */
export function assertSkeletonCsv(csv) {
  const tables = parseAnnotatedCsv(csv);
  assert.ok(tables.length >= 1, `no CSV tables in:\n${csv}`);
  const first = tables[0];
  assert.ok(first.annotations.datatype, `missing #datatype annotation in:\n${csv}`);
  assert.ok(first.annotations.group, `missing #group annotation in:\n${csv}`);
  assert.ok(first.annotations.default, `missing #default annotation in:\n${csv}`);
  const types = Object.fromEntries(first.columns.map((c, i) => [c, first.annotations.datatype[i]]));
  assert.equal(types._time, "dateTime:RFC3339");
  assert.equal(types._value, "double");
  assert.equal(types._measurement, "string");
  const rows = tables.flatMap((t) => t.rows);
  assert.deepEqual(
    rows.map((r) => [r._measurement, r.host, r._field, r._value]).sort(),
    [["m", "a", "v", "1"], ["m", "b", "v", "2"]],
    `unexpected rows in:\n${csv}`,
  );
}

/**
 * Starts a child process; resolves once `ready()` is true. `proc.stop()` ends exactly
 * this process (SIGINT, then SIGKILL after 10 s) and resolves when it has exited.
 */
export async function startProcess(cmd, args, { env = {}, ready, timeoutMs = 60_000, name = cmd } = {}) {
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.output = () => output;
  proc.stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGINT");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited early (${proc.exitCode}):\n${output}`);
    try {
      if (await ready()) return proc;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await proc.stop();
  throw new Error(`${name} not ready after ${timeoutMs} ms:\n${output}`);
}

export async function healthy(base) {
  const res = await fetch(`${base}/health`);
  return res.status === 200;
}
