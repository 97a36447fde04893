/**
 * connectors/json-text.mjs decides on bytes what JSON.parse decides on their UTF-8 decoding: the
 * line reader's thread trusts it to say which lines go on as their bytes, so a difference either
 * way would let a line through that the engine cannot parse, or report a good line as bad.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANY_KEYS, jsonKeySet, keyBit } from '../../connectors/json-text.mjs';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function check(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  // Inside a larger buffer, as the worker's lines are: the bounds must be respected both ways.
  const framed = Buffer.concat([Buffer.from('["x'), bytes, Buffer.from('"]')]);
  expect({ text, accepted: isJsonText(bytes, 0, bytes.length) }).toEqual({ text, accepted: parses(text) });
  expect({ text, framed: isJsonText(framed, 3, 3 + bytes.length) }).toEqual({ text, framed: parses(text) });
}

/** Pieces JSON is made of, and near misses, so that random joins are often almost JSON. */
const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', '"a"', '"\\u00e9"', '\\u12', '\\x', '0', '-', '1', '23', '.', '5', 'e', 'E', '+', '-0', '01', 'true', 'tru', 'false', 'null', 'nul', ' ', '\t', '\n', '\r', '\f', '\u00a0', 'é', '\u2028', '\u0001', '\ufeff', 'x'];

/** What the line reader asks: is it one JSON text (a key set, not -1)? */
function isJsonText(bytes: Uint8Array, start: number, end: number): boolean {
  return jsonKeySet(bytes, start, end) !== -1;
}

describe('jsonKeySet as a JSON check', () => {
  it('accepts exactly what JSON.parse accepts: every JSON value, printed plainly or with space', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 0, 1, '\t', ' \r\n'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        check(text);
        check(` \n${text}\t\r `);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse on near-JSON made of JSON pieces and their near misses', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }), (pieces) => check(pieces.join(''))),
      { numRuns: 20000 },
    );
  });

  it('agrees with JSON.parse on JSON texts with one character changed, dropped or added', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom(...PIECES), fc.constantFrom('replace', 'drop', 'insert'), (text, position, piece, how) => {
        const at = position % (text.length + 1);
        const changed = how === 'drop' ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(how === 'replace' ? at + 1 : at);
        check(changed);
      }),
      { numRuns: 10000 },
    );
  });

  it('finds a quote, backslash or control byte at any place of a long string, wherever the bytes start in memory', () => {
    // Strings are scanned four bytes at a time from an aligned word: the byte that ends a run of
    // plain bytes may sit in any lane of a word, and the text at any offset of its ArrayBuffer.
    const specials = ['"', '\\', '\\n', '\\u0041', '\u0000', '\u0009', '\u001f', 'é', '\u007f', '\u2028'];
    for (let length = 0; length < 24; length++) {
      for (let at = 0; at <= length; at++) {
        for (const special of specials) {
          const text = `{"k":"${'a'.repeat(at)}${special}${'b'.repeat(length - at)}","z":1}`;
          const bytes = Buffer.from(text, 'utf8');
          for (let offset = 0; offset < 8; offset++) {
            const memory = new Uint8Array(new ArrayBuffer(bytes.length + 16)).fill(0x41);
            memory.set(bytes, offset + 3);
            const view = new Uint8Array(memory.buffer, offset, bytes.length + 6);
            expect({ text, offset, accepted: isJsonText(view, 3, 3 + bytes.length) }).toEqual({ text, offset, accepted: parses(text) });
          }
        }
      }
    }
  });

  it('decides the cases at the edges of the grammar as JSON.parse does', () => {
    for (const text of ['', ' ', '0', '-', '-0', '00', '1.', '.5', '1e', '1e+', '1E-2', '"\\u00"', '"\\uD800"', '"\u0000"', '"\u007f"', '[1,]', '{"a":1,}', '{"a"}', '{1:2}', '[[[[[[]]]]]]', '["a" "b"]', 'true false', '\ufeff{}', 'nulll', '{"a":tru}']) check(text);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(isJsonText(Buffer.from(deep), 0, deep.length)).toBe(parses(deep));
  });
});

describe('jsonKeySet', () => {
  const bitOf = (key: string) => {
    const bytes = Buffer.from(key);
    return keyBit(bytes, 0, bytes.length);
  };

  it("is the union of the top-level keys' bits, however the text is spaced; every bit when a key has an escape", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(undefined, 1, '\t'), (record, indent) => {
        const text = JSON.stringify(record, null, indent);
        const bytes = Buffer.from(`[${text}]`);
        const keys = jsonKeySet(bytes, 1, bytes.length - 1);
        const escaped = Object.keys(record).some((key) => JSON.stringify(key).includes('\\'));
        const expected = escaped ? ANY_KEYS : Object.keys(record).reduce((bits, key) => bits | bitOf(key), 0);
        expect(keys).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('holds no bits for a text that is no object, -1 for one that is not JSON; nested keys are not in it', () => {
    for (const text of ['[{"a":1}]', '"a"', '1', 'null', '{}', ' {} ']) expect(jsonKeySet(Buffer.from(text), 0, text.length)).toBe(0);
    for (const text of ['{"a":1', '{"a"}', '', '{"a":1}x']) expect(jsonKeySet(Buffer.from(text), 0, text.length)).toBe(-1);
    const nested = Buffer.from('{"a":{"b":1},"c":[{"d":2}]}');
    expect(jsonKeySet(nested, 0, nested.length)).toBe(bitOf('a') | bitOf('c'));
  });
});
