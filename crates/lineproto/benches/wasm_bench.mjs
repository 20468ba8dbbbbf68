// Parser throughput inside a wasm engine (Node's V8).
// cargo build -p edgeflux-lineproto --release --example wasm_bench --target wasm32-unknown-unknown
// node crates/lineproto/benches/wasm_bench.mjs <target>/wasm32-unknown-unknown/release/examples/wasm_bench.wasm <file.lp> [maxMB] [runs]
import { readFileSync } from "node:fs";

const [wasmPath, lpPath, maxMB = "64", runs = "5"] = process.argv.slice(2);
if (!wasmPath || !lpPath) {
  console.error("usage: wasm_bench.mjs <wasm_bench.wasm> <file.lp> [maxMB] [runs]");
  process.exit(2);
}
let data = readFileSync(lpPath);
const cap = Number(maxMB) * 1e6;
if (data.length > cap) {
  data = data.subarray(0, data.lastIndexOf(10, cap) + 1);
}
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const { alloc, validate, parse_all, memory } = instance.exports;
const ptr = alloc(data.length);
new Uint8Array(memory.buffer, ptr, data.length).set(data);

const time = (f) => {
  const t = performance.now();
  const r = f();
  return [(performance.now() - t) / 1000, r];
};
let best = Infinity, bestValidate = Infinity, lines = 0;
for (let i = 0; i < Number(runs); i++) {
  const [s, n] = time(() => parse_all(ptr, data.length));
  if (n === 0xffffffff) throw new Error("input did not parse");
  lines = n;
  best = Math.min(best, s);
  bestValidate = Math.min(bestValidate, time(() => validate(ptr, data.length))[0]);
}
const mb = data.length / 1e6;
console.log(`input: ${mb.toFixed(1)} MB, ${lines} lines, best of ${runs} runs`);
console.log(`wasm (node ${process.version}) parse incl. UTF-8 check: ${(mb / best).toFixed(1)} MB/s ${(lines / best).toFixed(0)} lines/s`);
console.log(`wasm parse only (minus UTF-8 check):           ${(mb / (best - bestValidate)).toFixed(1)} MB/s ${(lines / (best - bestValidate)).toFixed(0)} lines/s`);
