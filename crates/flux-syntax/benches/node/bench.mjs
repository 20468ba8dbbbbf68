// Side-by-side parse throughput in wasm: edgeflux flux-syntax vs libflux (@influxdata/flux
// 0.5.1), both from source text to a complete AST of plain JavaScript objects. libflux's
// `parse` makes JSON in wasm and JSON.parse's it; ours hands over the compact binary encoding
// and decodes it with js/ast_decoder.mjs (timed); the JSON hand-off is timed too, for
// comparison. Before timing, the bench checks that the decoder builds exactly the objects
// JSON.parse makes of our compact JSON. Usage:
//   npm install --prefix crates/flux-syntax/benches/node @influxdata/flux@0.5.1
//   cargo build --release --example wasm_parse --target wasm32-unknown-unknown
//   node bench.mjs OUR.wasm GENERATED.flux [STDLIB_DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [ourWasmPath, generatedPath, stdlibDir] = process.argv.slice(2);
if (!ourWasmPath || !generatedPath) {
  console.error('usage: node bench.mjs OUR.wasm GENERATED.flux [STDLIB_DIR]');
  process.exit(2);
}

// --- libflux: its glue does `import * as wasm from './flux_bg.wasm'`; rewrite that line so we
// can instantiate the .wasm ourselves with the glue module as the import object.
const pkg = path.join(here, 'node_modules/@influxdata/flux');
const glueSrc = fs.readFileSync(path.join(pkg, 'flux.js'), 'utf8').replace(
  "import * as wasm from './flux_bg.wasm';",
  'let wasm; export function __setWasm(w) { wasm = w; }',
);
const gluePath = path.join(pkg, 'flux_glue_node.mjs');
fs.writeFileSync(gluePath, glueSrc);
const glue = await import(pathToFileURL(gluePath).href);
const libfluxBytes = fs.readFileSync(path.join(pkg, 'flux_bg.wasm'));
const { instance: libInst } = await WebAssembly.instantiate(libfluxBytes, { './flux.js': glue });
glue.__setWasm(libInst.exports);
const libfluxParse = (s) => glue.parse(s);

import { decodeAst } from '../../js/ast_decoder.mjs';

// --- ours: raw exports
const ourBytes = fs.readFileSync(ourWasmPath);
const { instance: ourInst } = await WebAssembly.instantiate(ourBytes, {});
const ex = ourInst.exports;
const enc = new TextEncoder();
const dec = new TextDecoder();
function withSource(s, f) {
  const bytes = enc.encode(s);
  const ptr = ex.ef_alloc(bytes.length);
  new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
  try {
    return f(ptr, bytes.length);
  } finally {
    ex.ef_free(ptr, bytes.length);
  }
}
const ourParse = (s) =>
  withSource(s, (ptr, len) => {
    const packed = ex.ef_parse_json(ptr, len);
    const outPtr = Number(packed >> 32n);
    const outLen = Number(packed & 0xffffffffn);
    const json = dec.decode(new Uint8Array(ex.memory.buffer, outPtr, outLen));
    ex.ef_free(outPtr, outLen);
    return JSON.parse(json);
  });
const ourParseAst = (s) =>
  withSource(s, (ptr, len) => {
    const packed = ex.ef_parse_ast(ptr, len);
    const outPtr = Number(packed >> 32n);
    const outLen = Number(packed & 0xffffffffn);
    try {
      return decodeAst(ex.memory.buffer, outPtr, outLen);
    } finally {
      ex.ef_free_ast(outPtr, outLen);
    }
  });
const ourParseOnly = (s) => withSource(s, (ptr, len) => ex.ef_parse_only(ptr, len));

// --- inputs
const inputs = [];
if (stdlibDir && fs.existsSync(stdlibDir)) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.flux')) files.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(stdlibDir);
  inputs.push([`stdlib (${files.length} files)`, files]);
}
inputs.push(['generated program', [fs.readFileSync(generatedPath, 'utf8')]]);

function best(rounds, f) {
  let b = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    f();
    b = Math.min(b, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return b;
}

// Size without custom sections (debug info, names): what a stripped build ships.
function strippedSize(bytes) {
  let size = 8; // magic + version
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    let len = 0;
    let shift = 0;
    let p = at + 1;
    for (;;) {
      const b = bytes[p++];
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    const next = p + len;
    if (id !== 0) size += next - at;
    at = next;
  }
  return size;
}
console.log(
  `wasm sizes without custom sections: ours ${strippedSize(ourBytes)} bytes, libflux ${strippedSize(libfluxBytes)} bytes`,
);
for (const [name, files] of inputs) {
  for (const f of files) {
    const viaJson = JSON.stringify(ourParse(f));
    if (JSON.stringify(ourParseAst(f)) !== viaJson) {
      console.error(`${name}: the binary hand-off decodes to other objects than the JSON for:\n${f.slice(0, 300)}`);
      process.exit(1);
    }
  }
  const bytes = files.reduce((n, f) => n + enc.encode(f).length, 0);
  const mb = bytes / 1e6;
  const rate = {};
  for (const [label, fn, rounds] of [
    ['libflux parse -> JS AST (JSON)', libfluxParse, 3],
    ['edgeflux parse -> JS AST (binary + decoder)', ourParseAst, 5],
    ['edgeflux parse -> JS AST (compact JSON)', ourParse, 5],
    ['edgeflux parse only', ourParseOnly, 5],
  ]) {
    for (const f of files) fn(f); // warm up
    const secs = best(rounds, () => {
      for (const f of files) fn(f);
    });
    rate[label] = mb / secs;
  }
  const lib = rate['libflux parse -> JS AST (JSON)'];
  console.log(`${name} (${mb.toFixed(2)} MB):`);
  for (const [label, r] of Object.entries(rate)) {
    console.log(`  ${label.padEnd(44)} ${r.toFixed(2).padStart(7)} MB/s  ${(r / lib).toFixed(1).padStart(5)}x libflux`);
  }
}
