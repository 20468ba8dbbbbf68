// node check_decoder.mjs DIR: for every DIR/NAME.bin (an AST from `to_binary`) and
// DIR/NAME.json (the same AST as compact JSON), checks that js/ast_decoder.mjs builds exactly
// the objects JSON.parse makes of the JSON, keys in the same order. Prints `checked N files`.
import fs from 'node:fs';
import path from 'node:path';
import { decodeAst } from '../../js/ast_decoder.mjs';

const dir = process.argv[2];
let checked = 0;
const failures = [];
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.bin')).sort()) {
  const bin = fs.readFileSync(path.join(dir, name));
  const json = fs.readFileSync(path.join(dir, name.replace(/\.bin$/, '.json')), 'utf8');
  // a fresh, word-aligned buffer (a Buffer from readFileSync may share a pool at any offset)
  const buffer = new ArrayBuffer(bin.length);
  new Uint8Array(buffer).set(bin);
  let got;
  try {
    got = JSON.stringify(decodeAst(buffer));
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
    continue;
  }
  const want = JSON.stringify(JSON.parse(json));
  if (got !== want) {
    let i = 0;
    while (i < got.length && got[i] === want[i]) i++;
    failures.push(`${name}: differs at ${i}:\n  decoded ${got.slice(Math.max(0, i - 80), i + 80)}\n  json    ${want.slice(Math.max(0, i - 80), i + 80)}`);
  }
  checked++;
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`checked ${checked} files`);
