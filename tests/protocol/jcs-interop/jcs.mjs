// RFC 8785 (JCS) checked against an implementation that is not ours: the npm
// package `canonicalize` (Samuel Erdtman, one of the RFC's authors), pinned in
// package-lock.json. Used by tests/protocol/test_jcs_interop.cpp:
//
//   node jcs.mjs gen DIR SEED COUNT
//     writes DIR/cases.jsonl: COUNT generated values (seeded, so every run and
//     machine makes the same ones) plus fixed cases (the RFC's examples, its
//     Appendix B numbers, format boundaries), one line each:
//       {"in": "<JSON text of the value>", "jcs": "<canonicalize(JSON.parse(in))>"}
//     The input text spells the value in many equivalent ways (whitespace,
//     member order, \u escapes, surrogate-pair escapes, number spellings such
//     as 1.50E+2 for 150) so that only the value, not the text, decides the
//     canonical form.
//   node jcs.mjs check DIR
//     reads DIR/zhaoyin.txt (Zhaoyin's canonical text of each case, one a
//     line) and checks both ways: it equals canonicalize's output for the
//     case, and canonicalize(JSON.parse(it)) gives it back unchanged.
//     Exit 0 only when every case agrees; the first mismatches are printed.
import canonicalize from 'canonicalize';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---- a small seeded PRNG (mulberry32), so the cases are reproducible -------
function rng32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

let next = rng32(18);
const below = (n) => next() % n;
const chance = (p) => next() / 4294967296 < p;
const pickFrom = (list) => list[below(list.length)];

// ---- values: a tree of {t: 'num'|'str'|'lit'|'arr'|'obj', ...} -------------
// Built as a tree rather than as JS objects so that a name like "__proto__"
// is only ever text; JSON.parse then makes it an ordinary own property.

const view = new DataView(new ArrayBuffer(8));
function fromBits(hi, lo) {
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}
function bitsDouble(hex) {
  return fromBits(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16));
}

// Any finite double: random sign, exponent field and mantissa bits (all 2046
// binary exponents equally likely, subnormals included).
function randomBitsDouble() {
  for (;;) {
    const d = fromBits(next(), next());
    if (Number.isFinite(d)) return d;
  }
}

// Decimal-looking doubles around every decimal exponent, where the switch
// between ECMAScript's plain, 0.000ddd and exponent layouts happens.
function randomDecimalDouble() {
  const digits = String(1 + below(9)) + Array.from({ length: below(17) }, () => String(below(10))).join('');
  const exponent = below(80) - 40;
  const value = Number(`${chance(0.5) ? '-' : ''}${digits}e${exponent}`);
  return value;
}

const TWO53 = 2 ** 53;
function randomInteger() {
  switch (below(5)) {
    case 0: return below(100) - 50;
    case 1: return (chance(0.5) ? -1 : 1) * below(2 ** 31);
    case 2: return (chance(0.5) ? -1 : 1) * (next() * 2 ** 21 + (next() >>> 11)) % (TWO53 + 1);
    case 3: return (chance(0.5) ? -1 : 1) * (TWO53 - below(4));
    default: return (chance(0.5) ? -1 : 1) * 10 ** below(16);
  }
}

const BOUNDARY_NUMBERS = [
  0, -0, 1, -1, 0.1, 0.5, 1.5, 100, 1e2, 1e20, 1e21, 1e22, 999999999999999900000, 1e-6, 1e-7, 0.000001,
  0.0000001, 0.000001234, 1.234e-7, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE,
  Number.EPSILON, TWO53, -TWO53, TWO53 - 1, 2 ** 31, 2 ** 32, 2 ** 64, 2 ** 68, 0.1 + 0.2, 1 / 3, 2 / 3,
  123456789012345680000, 1e300, 1e-300, 4.35, 0.035, 1424953923781206.2, 333333333.33333325,
];

// RFC 8785 Appendix B (IEEE-754 bit patterns).
const APPENDIX_B = [
  '0000000000000000', '8000000000000000', '0000000000000001', '8000000000000001', '7fefffffffffffff',
  'ffefffffffffffff', '4340000000000000', 'c340000000000000', '4430000000000000', '44b52d02c7e14af5',
  '44b52d02c7e14af6', '44b52d02c7e14af7', '444b1ae4d6e2ef4e', '444b1ae4d6e2ef4f', '444b1ae4d6e2ef50',
  '3eb0c6f7a0b5ed8c', '3eb0c6f7a0b5ed8d', '41b3de4355555553', '41b3de4355555554', '41b3de4355555555',
  '41b3de4355555556', '41b3de4355555557', 'becbf647612f3696', '43143ff3c1cb0959',
];

// Characters for strings and names: controls, the characters JSON escapes,
// ASCII, Latin, CJK, the top of the BMP (U+E000..U+FFFF, which UTF-16 sorts
// after every character beyond U+FFFF) and characters beyond U+FFFF.
const CHAR_POOL = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  '"', '\\', '/', ' ', '\x7f', 'a', 'b', 'z', 'A', 'Z', '0', '1', '9', '_', '-', '.', '$', "'",
  '\u0080', '\u00e9', '\u00f6', '\u20ac', '\u2028', '\u2029', '\u4e2d', '\u7167', '\u5370', '\u7ae0',
  '\ud7ff', '\ue000', '\uf8ff', '\ufb33', '\ufeff', '\ufffd', '\uffff',
  '\u{10000}', '\u{1f600}', '\u{1d11e}', '\u{20000}', '\u{10ffff}',
];
function randomString(maxLength) {
  let s = '';
  for (let n = below(maxLength + 1); n > 0; n--) s += pickFrom(CHAR_POOL);
  return s;
}
// Names chosen to collide in interesting orders: prefixes of one another,
// numeric-looking names (which JS objects enumerate first), names differing
// only beyond U+FFFF vs at U+E000..U+FFFF, property names JS treats specially.
const TRICKY_NAMES = [
  '', 'a', 'aa', 'ab', 'b', 'A', '1', '10', '2', '01', '-1', '1.5', '__proto__', 'constructor', 'toJSON',
  'hasOwnProperty', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', 'a\ue000', 'a\u{1f600}', '\u20ac', '\r',
  '\u0080', '\u00f6', '\ufb33', '\u0000', 'key\u0000x', '电子营业执照', '印章',
];
function randomName() {
  return chance(0.5) ? pickFrom(TRICKY_NAMES) + (chance(0.2) ? randomString(2) : '') : randomString(6);
}

function numberNode(value) { return { t: 'num', value }; }
function randomScalar() {
  switch (below(6)) {
    case 0: return numberNode(randomBitsDouble());
    case 1: return numberNode(randomDecimalDouble());
    case 2: return numberNode(randomInteger());
    case 3: return { t: 'lit', value: pickFrom(['null', 'true', 'false']) };
    default: return { t: 'str', value: randomString(12) };
  }
}
function randomValue(depth) {
  const r = below(depth >= 5 ? 3 : 6);
  if (r < 3) return randomScalar();
  if (r === 3) return { t: 'arr', items: Array.from({ length: below(6) }, () => randomValue(depth + 1)) };
  const names = new Set();
  for (let n = below(8); n > 0; n--) names.add(randomName());  // no duplicate names (RFC 8785 §3.1)
  return { t: 'obj', members: [...names].map((k) => [k, randomValue(depth + 1)]) };
}

// ---- writing a value as JSON text, in one of its many spellings ------------
function ws() {
  if (!chance(0.25)) return '';
  return Array.from({ length: 1 + below(3) }, () => pickFrom([' ', '\n', '\t', '\r'])).join('');
}
function hex4(code) { return code.toString(16).padStart(4, '0')[chance(0.5) ? 'toLowerCase' : 'toUpperCase'](); }
function writeString(s) {
  let out = '"';
  for (const ch of s) {  // by code point
    const cp = ch.codePointAt(0);
    const short = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' }[cp];
    if (cp === 0x2f && chance(0.3)) out += '\\/';
    else if (short && chance(0.7)) out += short;
    else if (cp < 0x20 || cp === 0x22 || cp === 0x5c || chance(0.15)) {
      // \uXXXX, a surrogate pair for characters beyond U+FFFF (RFC 8259 §7)
      for (let i = 0; i < ch.length; i++) out += '\\u' + hex4(ch.charCodeAt(i));
    } else out += ch;
  }
  return out + '"';
}
// The same double in another decimal spelling: the exact decimal value is
// kept (only the point moves and zeros are added), so every correct reader
// gets the same double. A value that is integral and beyond 2^53 is never
// written as a bare integer: Zhaoyin reads such text as an integer and
// refuses it (a documented choice), while JavaScript reads a double.
function writeNumber(x) {
  if (Object.is(x, -0)) return pickFrom(['-0', '-0.0', '-0e0', '-0.000E+5']);
  if (x === 0) return pickFrom(['0', '0.0', '0e0', '0.000E-5', '0e+300']);
  const [mantissa, exp] = x.toExponential().split('e');  // shortest digits: d[.ddd]e±x
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const e = Number(exp);
  const sign = negative ? '-' : '';
  const forms = [];
  const plain = String(x);
  if (!(Number.isInteger(x) && Math.abs(x) > TWO53 && !/[e.]/.test(plain))) forms.push(plain);
  // d.ddd e±x, with e or E and an optional '+'
  forms.push(`${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}${pickFrom(['e', 'E'])}${e >= 0 && chance(0.5) ? '+' : ''}${e}`);
  // dddd000 e±x: all digits before the point, z zeros added
  const z = below(3);
  forms.push(`${sign}${digits}${'0'.repeat(z)}e${e - (digits.length - 1) - z}`);
  // 0.dddd000 E±x
  forms.push(`${sign}0.${digits}${'0'.repeat(below(3))}E${e + 1}`);
  // an integer within 2^53 with a fraction of zeros: 150.00
  if (Number.isInteger(x) && Math.abs(x) <= TWO53) forms.push(`${sign}${digits}${'0'.repeat(e - digits.length + 1)}.${'0'.repeat(1 + below(2))}`);
  return pickFrom(forms);
}
function shuffle(list) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
function write(v) {
  switch (v.t) {
    case 'num': return writeNumber(v.value);
    case 'str': return writeString(v.value);
    case 'lit': return v.value;
    case 'arr': return '[' + ws() + v.items.map((i) => ws() + write(i) + ws()).join(',') + ws() + ']';
    default: return '{' + ws() + shuffle(v.members).map(([k, m]) => ws() + writeString(k) + ws() + ':' + ws() + write(m) + ws()).join(',') + ws() + '}';
  }
}

// ---- the two commands -----------------------------------------------------
function fixedCases() {
  const texts = [
    // RFC 8785 §3.2.2 and §3.2.3's examples.
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
      ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    '[]', '{}', '""', 'null', 'true', 'false', '[[[]],{"":{}}]',
  ];
  for (const hex of APPENDIX_B) texts.push(writeNumber(bitsDouble(hex)));
  for (const x of BOUNDARY_NUMBERS) texts.push(writeNumber(x), `[${writeNumber(-x)}]`);
  for (let c = 0; c < 0x80; c++) texts.push(writeString(String.fromCharCode(c)));
  texts.push('{' + TRICKY_NAMES.map((k, i) => `${writeString(k)}:${i}`).join(',') + '}');
  return texts;
}

function gen(dir, seed, count) {
  next = rng32(seed);
  const texts = fixedCases();
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:  // an array of numbers of every kind
        texts.push(write({ t: 'arr', items: Array.from({ length: 1 + below(24) }, () => randomScalar()).map((s) => (s.t === 'num' ? s : numberNode(randomBitsDouble()))) }));
        break;
      case 1:  // an object whose names are the tricky ones
        texts.push(write({ t: 'obj', members: shuffle(TRICKY_NAMES).slice(0, 2 + below(12)).map((k) => [k, randomScalar()]) }));
        break;
      default:
        texts.push(write(randomValue(0)));
    }
  }
  const lines = texts.map((text) => JSON.stringify({ in: text, jcs: canonicalize(JSON.parse(text)) }));
  writeFileSync(join(dir, 'cases.jsonl'), lines.join('\n') + '\n');
  console.log(`generated ${lines.length} cases (seed ${seed}; ${texts.length - count} fixed, ${count} random)`);
}

function check(dir) {
  const cases = readFileSync(join(dir, 'cases.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const ours = readFileSync(join(dir, 'zhaoyin.txt'), 'utf8').split('\n');
  if (ours[ours.length - 1] === '') ours.pop();
  let same = 0;
  let fixed = 0;
  const failures = [];
  if (ours.length !== cases.length) failures.push(`zhaoyin.txt has ${ours.length} lines for ${cases.length} cases`);
  for (let i = 0; i < Math.min(ours.length, cases.length); i++) {
    if (ours[i] === cases[i].jcs) same++;
    else failures.push(`case ${i}: input ${cases[i].in}\n  canonicalize: ${cases[i].jcs}\n  zhaoyin:      ${ours[i]}`);
    let again;
    try {
      again = canonicalize(JSON.parse(ours[i]));
    } catch (e) {
      again = `<${e.message}>`;
    }
    if (again === ours[i]) fixed++;
    else failures.push(`case ${i}: Zhaoyin's output is not canonical for canonicalize\n  zhaoyin:      ${ours[i]}\n  canonicalize: ${again}`);
  }
  console.log(`${cases.length} cases: ${same} identical to canonicalize, ${fixed} unchanged when canonicalize re-reads Zhaoyin's output`);
  for (const f of failures.slice(0, 10)) console.log(f);
  if (failures.length > 0) {
    console.log(`${failures.length} mismatches`);
    process.exit(1);
  }
}

const [command, dir, seed, count] = process.argv.slice(2);
if (command === 'gen' && dir) gen(dir, Number(seed ?? 18), Number(count ?? 4000));
else if (command === 'check' && dir) check(dir);
else {
  console.error('usage: node jcs.mjs gen DIR SEED COUNT | check DIR');
  process.exit(2);
}
