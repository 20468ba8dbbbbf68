// Decodes the compact binary AST of edgeflux-flux-syntax (`to_binary`, layout in
// src/binary.rs) into plain JavaScript objects: the same objects, keys in the same order, that
// JSON.parse makes of the compact JSON (`to_json` with `pretty: false`): `type`, `start`,
// `end` (byte offsets), then the node's fields as listed in src/encode.rs; absent optional
// fields and empty lists are left out.
//
// Usage: decodeAst(memory.buffer, byteOffset, byteLength) -> the File node. The words are read
// in place (they may live in a wasm memory); nothing keeps a reference to them afterwards.

const MAGIC = 0x41584c46; // "FLXA"
const VERSION = 1;

// Kind numbers (src/encode.rs `Kind`, which starts at 1).
const K = {
  File: 1, PackageClause: 2, ImportDeclaration: 3, Comment: 4, Attribute: 5, Block: 6,
  VariableAssignment: 7, OptionStatement: 8, BuiltinStatement: 9, TestCaseStatement: 10,
  ReturnStatement: 11, ExpressionStatement: 12, BadStatement: 13, Property: 14, Identifier: 15,
  StringLiteral: 16, IntegerLiteral: 17, FloatLiteral: 18, StringExpression: 19, TextPart: 20,
  InterpolatedPart: 21, RegexpLiteral: 22, DurationLiteral: 23, DurationValue: 24,
  DateTimeLiteral: 25, PipeLiteral: 26, LabelLiteral: 27, ArrayExpression: 28,
  DictExpression: 29, DictItem: 30, ObjectExpression: 31, FunctionExpression: 32, Parameter: 33,
  CallExpression: 34, PipeExpression: 35, MemberExpression: 36, IndexExpression: 37,
  UnaryExpression: 38, BinaryExpression: 39, LogicalExpression: 40, ConditionalExpression: 41,
  ParenExpression: 42, BadExpression: 43, TypeExpression: 44, TypeConstraint: 45, TvarType: 46,
  NamedType: 47, DynamicType: 48, ArrayType: 49, StreamType: 50, VectorType: 51, DictType: 52,
  RecordType: 53, PropertyType: 54, FunctionType: 55, Required: 56, Optional: 57, Pipe: 58,
  LabelType: 59,
};
const NAMES = [];
for (const [name, k] of Object.entries(K)) NAMES[k] = name;

const UNARY = ['+', '-', 'not', 'exists'];
const BINARY = ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '<=', '>', '>=', '=~', '!~'];
const LOGICAL = ['and', 'or'];
const UNITS = ['y', 'mo', 'w', 'd', 'h', 'm', 's', 'ms', 'us', 'ns'];

const utf8 = new TextDecoder('utf-8');
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

// Decoder state (one decode at a time; decoding is synchronous).
let W = null; // Uint32Array of the words
let P = 0; // next word
let S = null; // the string table

export function decodeAst(buffer, byteOffset = 0, byteLength = buffer.byteLength - byteOffset) {
  const words = new Uint32Array(buffer, byteOffset, byteLength >>> 2);
  if (words.length < 5 || words[0] !== MAGIC || words[1] !== VERSION) {
    throw new Error('not an edgeflux AST buffer (version 1)');
  }
  const nodeWords = words[2];
  const count = words[3];
  const lengthsAt = 5 + nodeWords;
  const text = utf8.decode(new Uint8Array(buffer, byteOffset + (lengthsAt + count) * 4, words[4]));
  const strings = new Array(count);
  for (let i = 0, at = 0; i < count; i++) {
    const len = words[lengthsAt + i];
    strings[i] = text.substring(at, at + len);
    at += len;
  }
  W = words;
  S = strings;
  P = 5;
  try {
    const file = node();
    if (P !== lengthsAt) throw new Error(`AST buffer: decoded ${P - 5} of ${nodeWords} words`);
    return file;
  } finally {
    W = null;
    S = null;
  }
}

function str() {
  return S[W[P++]];
}

function int() {
  const lo = W[P];
  const hi = W[P + 1] | 0; // signed high half
  P += 2;
  return hi * 4294967296 + lo;
}

function float() {
  f64Words[0] = W[P];
  f64Words[1] = W[P + 1];
  P += 2;
  const v = f64[0];
  return Number.isFinite(v) ? v : null; // JSON has no Infinity/NaN
}

// A list: undefined when empty (compact JSON leaves empty lists out).
function list(item) {
  const n = W[P++];
  if (n === 0) return undefined;
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = item();
  return a;
}

// An optional child: undefined when absent.
function opt() {
  if (W[P] === 0) {
    P++;
    return undefined;
  }
  return node();
}

function node() {
  const kind = W[P];
  if (kind === K.TextPart) {
    P++;
    return { type: 'TextPart', value: str() };
  }
  if (kind === K.InterpolatedPart) {
    P++;
    return { type: 'InterpolatedPart', expression: node() };
  }
  if (kind === K.DurationValue) {
    P++;
    const magnitude = int();
    return { magnitude, unit: UNITS[W[P++]] };
  }
  const type = NAMES[kind];
  if (type === undefined) throw new Error(`AST buffer: unknown node kind ${kind} at word ${P}`);
  const start = W[P + 1];
  const end = W[P + 2];
  P += 3;
  switch (kind) {
    // the most frequent nodes first, built as literals
    case K.Identifier:
      return { type, start, end, name: str() };
    case K.Property: {
      const key = node();
      const value = opt();
      return value === undefined ? { type, start, end, key } : { type, start, end, key, value };
    }
    case K.CallExpression: {
      const callee = node();
      const args = list(node);
      return args === undefined ? { type, start, end, callee } : { type, start, end, callee, arguments: args };
    }
    case K.MemberExpression: {
      const object = node();
      return { type, start, end, object, property: node() };
    }
    case K.StringLiteral:
    case K.RegexpLiteral:
    case K.LabelLiteral:
    case K.LabelType:
      return { type, start, end, value: str() };
    case K.IntegerLiteral:
      return { type, start, end, value: int() };
    case K.FloatLiteral:
      return { type, start, end, value: float() };
    case K.BinaryExpression: {
      const operator = BINARY[W[P++]];
      const left = node();
      return { type, start, end, operator, left, right: node() };
    }
    case K.LogicalExpression: {
      const operator = LOGICAL[W[P++]];
      const left = node();
      return { type, start, end, operator, left, right: node() };
    }
    case K.UnaryExpression: {
      const operator = UNARY[W[P++]];
      return { type, start, end, operator, argument: node() };
    }
    case K.PipeExpression: {
      const argument = node();
      return { type, start, end, argument, call: node() };
    }
    case K.StringExpression:
      return withList({ type, start, end }, 'parts');
    case K.DurationLiteral:
      return withList({ type, start, end }, 'values');
    case K.ArrayExpression:
    case K.DictExpression:
      return withList({ type, start, end }, 'elements');
    case K.Block:
      return withList({ type, start, end }, 'body');
    case K.DictItem: {
      const key = node();
      return { type, start, end, key, val: node() };
    }
    case K.ObjectExpression: {
      const o = { type, start, end };
      const w = opt();
      if (w !== undefined) o.with = w;
      return withList(o, 'properties');
    }
    case K.FunctionExpression: {
      const o = withList({ type, start, end }, 'params');
      o.body = node();
      return o;
    }
    case K.Parameter: {
      const key = node();
      const value = opt();
      return value === undefined ? { type, start, end, key } : { type, start, end, key, value };
    }
    case K.IndexExpression: {
      const array = node();
      return { type, start, end, array, index: node() };
    }
    case K.ConditionalExpression: {
      const test = node();
      const consequent = node();
      return { type, start, end, test, consequent, alternate: node() };
    }
    case K.ParenExpression:
      return { type, start, end, expression: node() };
    case K.DateTimeLiteral: {
      const value = str();
      const nanos = int();
      return { type, start, end, value, nanos, offset_seconds: int() };
    }
    case K.PipeLiteral:
    case K.BadExpression:
    case K.DynamicType:
      return { type, start, end };
    // statements: attributes first (nearly always absent)
    case K.VariableAssignment: {
      const o = withList({ type, start, end }, 'attributes');
      o.id = node();
      o.init = node();
      return o;
    }
    case K.ExpressionStatement: {
      const o = withList({ type, start, end }, 'attributes');
      o.expression = node();
      return o;
    }
    case K.ReturnStatement: {
      const o = withList({ type, start, end }, 'attributes');
      o.argument = node();
      return o;
    }
    case K.OptionStatement: {
      const o = withList({ type, start, end }, 'attributes');
      optField(o, 'namespace');
      o.id = node();
      o.init = node();
      return o;
    }
    case K.BuiltinStatement: {
      const o = withList({ type, start, end }, 'attributes');
      o.id = node();
      o.ty = node();
      return o;
    }
    case K.TestCaseStatement: {
      const o = withList({ type, start, end }, 'attributes');
      o.id = node();
      optField(o, 'extends');
      o.block = node();
      return o;
    }
    case K.BadStatement:
      return { type, start, end, text: str() };
    case K.File: {
      const o = { type, start, end };
      optField(o, 'package');
      withList(o, 'imports');
      withList(o, 'body');
      return withList(o, 'comments');
    }
    case K.PackageClause: {
      const o = withList({ type, start, end }, 'attributes');
      o.name = node();
      return o;
    }
    case K.ImportDeclaration: {
      const o = withList({ type, start, end }, 'attributes');
      optField(o, 'as');
      o.path = node();
      return o;
    }
    case K.Comment:
      return { type, start, end, text: str() };
    case K.Attribute: {
      const o = { type, start, end, name: node() };
      return withList(o, 'params');
    }
    // type expressions
    case K.TypeExpression: {
      const o = { type, start, end, monotype: node() };
      return withList(o, 'constraints');
    }
    case K.TypeConstraint: {
      const o = { type, start, end, tvar: node() };
      return withList(o, 'kinds');
    }
    case K.TvarType:
    case K.NamedType:
      return { type, start, end, name: node() };
    case K.ArrayType:
    case K.StreamType:
    case K.VectorType:
      return { type, start, end, element: node() };
    case K.DictType: {
      const key = node();
      return { type, start, end, key, val: node() };
    }
    case K.RecordType: {
      const o = { type, start, end };
      optField(o, 'tvar');
      return withList(o, 'properties');
    }
    case K.PropertyType: {
      const name = node();
      return { type, start, end, name, monotype: node() };
    }
    case K.FunctionType: {
      const o = withList({ type, start, end }, 'parameters');
      o.monotype = node();
      return o;
    }
    case K.Required:
    case K.Optional:
    case K.Pipe: {
      const o = { type, start, end };
      optField(o, 'name');
      o.monotype = node();
      optField(o, 'default');
      return o;
    }
    default:
      throw new Error(`AST buffer: unhandled node kind ${kind}`);
  }
}

function withList(o, name) {
  const a = list(node);
  if (a !== undefined) o[name] = a;
  return o;
}

function optField(o, name) {
  const v = opt();
  if (v !== undefined) o[name] = v;
}
