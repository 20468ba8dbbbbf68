// edgeflux: an InfluxDB 2.x compatible time-series engine, compiled to WebAssembly.
//
//   import { Engine } from "edgeflux";
//   const engine = await Engine.open("metrics");            // IndexedDB-backed (browser)
//   const engine = await Engine.memory();                   // in memory (node, tests)
//   await engine.setup({ username: "me", password: "secret-pass", org: "o", bucket: "b" });
//   await engine.write("m,host=a v=1");
//   const csv = await engine.query('from(bucket: "b") |> range(start: -1h)');
//   const res = await engine.fetch("GET", "/api/v2/buckets", { Authorization: "Token ..." });
//   engine.close();
//
// This file is the package's entry point: it loads the wasm module once (in browsers by
// URL, in node from the file next to it) and queues calls so they never overlap.
import init, { EngineCore } from "./edgeflux_core.js";

let ready;
function load() {
  if (!ready) {
    const url = new URL("./edgeflux_core_bg.wasm", import.meta.url);
    ready = (async () => {
      if (url.protocol === "file:") {
        const { readFile } = await import("node:fs/promises");
        return init({ module_or_path: await readFile(url) });
      }
      return init({ module_or_path: url });
    })();
  }
  return ready;
}

/** An error answer of the API (status >= 300), thrown by the convenience methods. */
export class EdgefluxError extends Error {
  constructor(status, body) {
    let message = body;
    let code;
    try {
      const parsed = JSON.parse(body);
      message = parsed.message ?? body;
      code = parsed.code;
    } catch {
      // not JSON: keep the raw body as the message
    }
    super(`${status}${code ? ` ${code}` : ""}: ${message}`);
    this.name = "EdgefluxError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function headerPairs(headers) {
  if (!headers) return [];
  if (typeof headers.entries === "function" && !Array.isArray(headers)) {
    return Array.from(headers.entries(), ([k, v]) => [String(k), String(v)]);
  }
  if (Array.isArray(headers)) return headers.map(([k, v]) => [String(k), String(v)]);
  return Object.entries(headers).map(([k, v]) => [k, String(v)]);
}

function bodyBytes(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return new TextEncoder().encode(JSON.stringify(body));
}

export class Engine {
  #core;
  #queue = Promise.resolve();
  #tasks;
  /** Defaults for write/query: { org, bucket, token, precision }, set by setup() or use(). */
  defaults = {};

  constructor(core) {
    this.#core = core;
    // Due task runs are checked once a second while the engine is open; unref'd in node
    // so an open engine does not keep a script alive.
    this.#tasks = setInterval(() => {
      this.#run(() => this.#core.runDueTasks()).catch(() => {});
    }, 1000);
    this.#tasks.unref?.();
  }

  /**
   * Opens (or creates) the engine stored in the IndexedDB database `name`.
   * options.snapshotAfterBytes: log bytes after which a snapshot is stored (16 MiB).
   */
  static async open(name = "edgeflux", options = {}) {
    await load();
    return new Engine(await EngineCore.open(String(name), options.snapshotAfterBytes));
  }

  /** An engine that keeps everything in memory. */
  static async memory() {
    await load();
    return new Engine(EngineCore.memory());
  }

  /** Deletes the IndexedDB database `name` and all data in it. */
  static async destroy(name = "edgeflux") {
    await load();
    await EngineCore.destroy(String(name));
  }

  /** True when the data lives in IndexedDB. */
  get persistent() {
    return this.#core.persistent;
  }

  #run(task) {
    const result = this.#queue.then(task);
    this.#queue = result.then(() => undefined, () => undefined);
    return result;
  }

  /**
   * Answers one HTTP request of the InfluxDB v2 API.
   * headers: object, array of pairs or Headers; body: string, bytes or a JSON-able object.
   * Resolves to { status, headers (lower-case names), body (text), bytes (Uint8Array), json() }.
   */
  fetch(method, url, headers, body) {
    const pairs = headerPairs(headers);
    const bytes = bodyBytes(body);
    if (bytes && body !== null && typeof body === "object" && !ArrayBuffer.isView(body) &&
        !(body instanceof ArrayBuffer) && !pairs.some(([k]) => k.toLowerCase() === "content-type")) {
      pairs.push(["Content-Type", "application/json"]);
    }
    return this.#run(async () => {
      const raw = await this.#core.fetch(String(method), String(url), pairs, bytes);
      const out = {};
      for (const [k, v] of raw.headers) out[k.toLowerCase()] = v;
      const text = new TextDecoder().decode(raw.body);
      return { status: raw.status, headers: out, body: text, bytes: raw.body, json: () => JSON.parse(text) };
    });
  }

  #auth(opts) {
    const token = opts.token ?? this.defaults.token;
    return token ? { Authorization: `Token ${token}` } : {};
  }

  /** Remembers defaults ({ org, bucket, token, precision }) for write() and query(). */
  use(defaults) {
    Object.assign(this.defaults, defaults);
    return this;
  }

  /** POST /api/v2/setup; on success remembers org, bucket and token as defaults. */
  async setup({ username, password, org, bucket, token, retentionPeriodSeconds } = {}) {
    const request = { username, password, org, bucket };
    if (token) request.token = token;
    if (retentionPeriodSeconds !== undefined) request.retentionPeriodSeconds = retentionPeriodSeconds;
    const res = await this.fetch("POST", "/api/v2/setup", {}, request);
    if (res.status >= 300) throw new EdgefluxError(res.status, res.body);
    const out = res.json();
    this.use({ org, bucket, token: out?.auth?.token ?? token });
    return out;
  }

  /** Writes line protocol; opts: { org, bucket, precision, token }. */
  async write(lines, opts = {}) {
    const org = opts.org ?? this.defaults.org;
    const bucket = opts.bucket ?? this.defaults.bucket;
    const precision = opts.precision ?? this.defaults.precision ?? "ns";
    const q = new URLSearchParams({ org, bucket, precision });
    const body = Array.isArray(lines) ? lines.join("\n") : lines;
    const res = await this.fetch("POST", `/api/v2/write?${q}`,
      { ...this.#auth(opts), "Content-Type": "text/plain; charset=utf-8" }, body);
    if (res.status >= 300) throw new EdgefluxError(res.status, res.body);
  }

  /** Runs a Flux query and resolves to the annotated CSV text; opts: { org, token }. */
  async query(flux, opts = {}) {
    const org = opts.org ?? this.defaults.org;
    const q = new URLSearchParams({ org });
    // Annotated CSV, as InfluxDB's client libraries ask for it.
    const body = {
      query: flux,
      type: "flux",
      dialect: { header: true, delimiter: ",", annotations: ["datatype", "group", "default"], commentPrefix: "#", dateTimeFormat: "RFC3339" },
    };
    const res = await this.fetch("POST", `/api/v2/query?${q}`,
      { ...this.#auth(opts), "Content-Type": "application/json", Accept: "application/csv" }, body);
    if (res.status >= 300) throw new EdgefluxError(res.status, res.body);
    return res.body;
  }

  /** Closes the engine (and its IndexedDB connection). */
  close() {
    clearInterval(this.#tasks);
    return this.#run(async () => this.#core.close());
  }

  /** The edgeflux version of this build. */
  static async version() {
    await load();
    return EngineCore.version();
  }
}

export default Engine;
