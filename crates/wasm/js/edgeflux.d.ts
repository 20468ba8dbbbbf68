export interface EngineResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8. */
  body: string;
  bytes: Uint8Array;
  json(): any;
}

export interface Defaults {
  org?: string;
  bucket?: string;
  token?: string;
  precision?: "ns" | "us" | "ms" | "s";
}

export interface SetupRequest {
  username: string;
  password: string;
  org: string;
  bucket: string;
  token?: string;
  retentionPeriodSeconds?: number;
}

export type HeadersLike = Record<string, string> | [string, string][] | { entries(): Iterable<[string, string]> };
export type BodyLike = string | Uint8Array | ArrayBuffer | ArrayBufferView | object;

export class EdgefluxError extends Error {
  status: number;
  code?: string;
  body: string;
}

export class Engine {
  /** Opens (or creates) the engine stored in the IndexedDB database `name`. */
  static open(name?: string, options?: { snapshotAfterBytes?: number }): Promise<Engine>;
  /** An engine that keeps everything in memory (works in node). */
  static memory(): Promise<Engine>;
  /** Deletes the IndexedDB database `name`. */
  static destroy(name?: string): Promise<void>;
  static version(): Promise<string>;
  readonly persistent: boolean;
  defaults: Defaults;
  /** Answers one request of the InfluxDB v2 HTTP API. */
  fetch(method: string, url: string, headers?: HeadersLike, body?: BodyLike): Promise<EngineResponse>;
  use(defaults: Defaults): this;
  setup(request: SetupRequest): Promise<any>;
  write(lines: string | string[], opts?: Defaults): Promise<void>;
  /** Runs Flux; resolves to annotated CSV. */
  query(flux: string, opts?: Defaults): Promise<string>;
  close(): Promise<void>;
}

export default Engine;
