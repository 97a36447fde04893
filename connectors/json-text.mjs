// Whether bytes are one JSON text, decided on the bytes themselves: what JSON.parse of their UTF-8
// decoding accepts, without decoding them or building the value. The line reader's thread
// (line-reader-worker.mjs) asks this of every line of a JSON source; JSON.parse was 36% of that
// thread's time, spent building objects nobody kept, on a core the engine thread shares.
//
// Plain JavaScript for the same reason as line-reader-worker.mjs: the worker loads it as it is.
//
// The grammar is RFC 8259's, which is JSON.parse's: whitespace is space, tab, LF and CR only; a
// number is -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; a string holds no byte below 0x20 and
// only the escapes \" \\ \/ \b \f \n \r \t \uXXXX (a \u escape of a lone surrogate is accepted, as
// JSON.parse does). The caller has checked that the bytes are UTF-8 (so every byte from 0x80 up is
// part of a well-formed character, which JSON allows anywhere inside a string and nowhere else).
// Nesting has no depth limit here; V8's JSON.parse is iterative too. test/connectors/json-text
// checks this against JSON.parse on generated texts.
//
// jsonKeySet gives, while it checks, a set of the top-level keys of an object text as bits
// (keyBit of each): a select that adds a key to a line must know the key is not there, and this
// set tells it for almost every line without a search through the line's bytes on the engine
// thread (engine/extended-json.ts), where that search was a fifth of the seed select's cost.

const OBJECT = 1;
const ARRAY = 2;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;

/** Which byte may follow a backslash in a string (`u` is checked apart: four hex digits follow). */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Bytes a string's scan can step over without looking further: not `"`, `\` or a control byte. */
const PLAIN_IN_STRING = new Uint8Array(256).fill(1);
for (let c = 0; c < 0x20; c++) PLAIN_IN_STRING[c] = 0;
PLAIN_IN_STRING[QUOTE] = 0;
PLAIN_IN_STRING[BACKSLASH] = 0;

/** Every bit a key set can have: the set of a text with a top-level key that has an escape (it may be any key). */
export const ANY_KEYS = 0x7fffffff;

/**
 * The bit of a key in a key set (jsonKeySet): one of 31, from a hash of the key's UTF-8 bytes
 * (bytes[start, end), without its quotes). Two keys may share a bit; a set without a key's bit
 * surely lacks the key.
 */
export function keyBit(bytes, start, end) {
  let hash = FNV_OFFSET;
  for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at], FNV_PRIME);
  return bitOfHash(hash);
}

// FNV-1a, 32 bits.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function bitOfHash(hash) {
  return 1 << ((hash >>> 0) % 31);
}

/**
 * -1 if bytes[start, end) are not exactly one JSON text; else the set of its top-level keys, as
 * bits (keyBit): 0 for a text that is no object or an empty one, ANY_KEYS when a top-level key is
 * written with an escape.
 */
export function jsonKeySet(bytes, start, end) {
  // Open containers, innermost last.
  const open = [];
  let keys = 0;
  let at = skipSpace(bytes, start, end);
  for (;;) {
    // A value starts at `at`.
    if (at >= end) return -1;
    const first = bytes[at];
    if (first === OPEN_BRACE) {
      at = skipSpace(bytes, at + 1, end);
      if (at < end && bytes[at] === CLOSE_BRACE) at++;
      else {
        at = open.length === 0 ? topMemberName(bytes, at, end) : memberName(bytes, at, end);
        if (at < 0) return -1;
        if (open.length === 0) keys |= nameBit;
        open.push(OBJECT);
        continue;
      }
    } else if (first === OPEN_BRACKET) {
      at = skipSpace(bytes, at + 1, end);
      if (at < end && bytes[at] === CLOSE_BRACKET) at++;
      else {
        open.push(ARRAY);
        continue;
      }
    } else {
      at = first === QUOTE ? string(bytes, at, end) : first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9) ? number(bytes, at, end) : literal(bytes, at, end);
      if (at < 0) return -1;
    }
    // A value ended at `at`: what follows closes containers until another value is due.
    for (;;) {
      at = skipSpace(bytes, at, end);
      if (open.length === 0) return at === end ? keys : -1;
      if (at >= end) return -1;
      const next = bytes[at];
      const container = open[open.length - 1];
      if (next === COMMA) {
        at = skipSpace(bytes, at + 1, end);
        if (container === OBJECT) {
          at = open.length === 1 ? topMemberName(bytes, at, end) : memberName(bytes, at, end);
          if (at < 0) return -1;
          if (open.length === 1) keys |= nameBit;
        }
        break;
      }
      if (next !== (container === OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return -1;
      open.pop();
      at++;
    }
  }
}

function skipSpace(bytes, at, end) {
  while (at < end) {
    const byte = bytes[at];
    if (byte !== SPACE && byte !== LF && byte !== CR && byte !== TAB) break;
    at++;
  }
  return at;
}

/** The keyBit of the name topMemberName read last (ANY_KEYS for one with an escape). */
let nameBit = 0;

/**
 * As memberName, for a member of the outermost object: sets nameBit, hashing the name's bytes in
 * the same pass that checks them (a second pass made the check a quarter slower).
 */
function topMemberName(bytes, at, end) {
  if (at >= end || bytes[at] !== QUOTE) return -1;
  let hash = FNV_OFFSET;
  let close = at + 1;
  for (; close < end; close++) {
    const byte = bytes[close];
    if (PLAIN_IN_STRING[byte] !== 1) break;
    hash = Math.imul(hash ^ byte, FNV_PRIME);
  }
  if (close < end && bytes[close] === QUOTE) {
    nameBit = bitOfHash(hash);
    at = close + 1;
  } else {
    // An escape (or a byte a string cannot hold: string() says which).
    nameBit = ANY_KEYS;
    at = string(bytes, at, end);
  }
  at = skipSpace(bytes, at, end);
  if (at < 0 || at >= end || bytes[at] !== COLON) return -1;
  return skipSpace(bytes, at + 1, end);
}

/** `"name"` then `:` and whitespace: where the member's value starts, or -1. */
function memberName(bytes, at, end) {
  if (at >= end || bytes[at] !== QUOTE) return -1;
  at = skipSpace(bytes, string(bytes, at, end), end);
  if (at < 0 || at >= end || bytes[at] !== COLON) return -1;
  return skipSpace(bytes, at + 1, end);
}

/** The string starting at the quote at `at`: where it ends (after its closing quote), or -1. */
function string(bytes, at, end) {
  at++;
  for (;;) {
    at = plainRun(bytes, at, end);
    while (at < end && PLAIN_IN_STRING[bytes[at]] === 1) at++;
    if (at >= end) return -1;
    const byte = bytes[at];
    if (byte === QUOTE) return at + 1;
    if (byte !== BACKSLASH) return -1; // a control byte
    const escaped = bytes[at + 1];
    if (at + 1 < end && SIMPLE_ESCAPE[escaped] === 1) at += 2;
    else if (escaped === 0x75 && at + 5 < end && HEX[bytes[at + 2]] === 1 && HEX[bytes[at + 3]] === 1 && HEX[bytes[at + 4]] === 1 && HEX[bytes[at + 5]] === 1) at += 6;
    else return -1;
  }
}

/**
 * Where the run of plain string bytes (PLAIN_IN_STRING) from `at` ends, give or take the last
 * few: four bytes at a time while none of them is `"`, `\\` or a control byte, each group tested
 * with one 32-bit read and word arithmetic instead of four table look-ups (a string's scan was
 * most of this file's time: the corpus's lines are mostly text). Stops at or before the first
 * byte that is not plain; the caller steps over what is left byte by byte.
 *
 * The tests are the bit tricks of "Bit Twiddling Hacks" (hasless and haszero): a byte below 0x20,
 * or equal to 0x22 or 0x5c, sets the top bit of its lane, so a word without any of them reads 0.
 * They can also flag a lane above a true hit (a borrow), never miss one; either way the word is
 * left to the byte-by-byte scan, which decides exactly.
 */
function plainRun(bytes, at, end) {
  const words = wordsOf(bytes);
  // `bytes[at]` is byte `at + wordOffset` of `words`.
  const offset = wordOffset;
  while (at < end && ((at + offset) & 3) !== 0) {
    if (PLAIN_IN_STRING[bytes[at]] !== 1) return at;
    at++;
  }
  while (at + 4 <= end) {
    const word = words[(at + offset) >> 2];
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    if ((((word - 0x20202020) & ~word) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) return at;
    at += 4;
  }
  return at;
}

/** The bytes wordsOf viewed last, their 32-bit words, and where the bytes start in them. */
let wordsFor;
let words32;
let wordOffset = 0;

/** `bytes`' memory as 32-bit words, from the last multiple of 4 at or before its start (kept for the next call: a reader's batch asks for one buffer many times). */
function wordsOf(bytes) {
  if (bytes !== wordsFor) {
    const base = bytes.byteOffset & ~3;
    words32 = new Int32Array(bytes.buffer, base, (bytes.byteOffset + bytes.length - base) >> 2);
    wordOffset = bytes.byteOffset - base;
    wordsFor = bytes;
  }
  return words32;
}

/** The number starting at `at`: where it ends, or -1. */
function number(bytes, at, end) {
  if (bytes[at] === MINUS) at++;
  if (at >= end) return -1;
  if (bytes[at] === DIGIT_0) at++;
  else if (bytes[at] >= DIGIT_1 && bytes[at] <= DIGIT_9) at = digits(bytes, at, end);
  else return -1;
  if (at < end && bytes[at] === DOT) {
    const fraction = digits(bytes, at + 1, end);
    if (fraction === at + 1) return -1;
    at = fraction;
  }
  if (at < end && (bytes[at] | 0x20) === 0x65) {
    at++;
    if (at < end && (bytes[at] === PLUS || bytes[at] === MINUS)) at++;
    const exponent = digits(bytes, at, end);
    if (exponent === at) return -1;
    at = exponent;
  }
  return at;
}

function digits(bytes, at, end) {
  while (at < end && bytes[at] >= DIGIT_0 && bytes[at] <= DIGIT_9) at++;
  return at;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** `true`, `false` or `null` at `at`: where it ends, or -1. */
function literal(bytes, at, end) {
  const word = bytes[at] === 0x74 ? TRUE : bytes[at] === 0x66 ? FALSE : bytes[at] === 0x6e ? NULL : undefined;
  if (word === undefined || at + word.length > end) return -1;
  for (let i = 1; i < word.length; i++) if (bytes[at + i] !== word[i]) return -1;
  return at + word.length;
}
