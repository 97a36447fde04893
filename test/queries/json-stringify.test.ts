/**
 * stringifyJson writes with one JSON.stringify and looks at the text for what plain JSON would get
 * wrong (integral floats, binary); these pin the cases where that look could be fooled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

/** The obvious recursive writer, as a reference. */
function referenceJson(value: Value): string {
  if (value instanceof FloatValue) return Number.isInteger(value.value) && Math.abs(value.value) < 1e21 ? `${value.value}.0` : JSON.stringify(value.value);
  if (value instanceof Uint8Array) return `[${[...value].join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(referenceJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).map((key) => `${JSON.stringify(key)}:${referenceJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const values: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Value>(null, true, false, 0, -0, 6, 1.5, 1e21, -1e300, '', 'value', '{"value":6}', '{}', '\u0000'),
    fc.integer().map((n) => new FloatValue(n)),
    fc.constantFrom(new FloatValue(-0), new FloatValue(1e21), new FloatValue(-1e21)),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.uint8Array({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('value', '0', 'type', '{"value":')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('stringifyJson', () => {
  it('writes integral floats and binary wherever they sit, and nothing else differently from JSON.stringify', () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(stringifyJson(value)).toBe(referenceJson(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('is not fooled by text that looks like a boxed value inside strings and keys', () => {
    expect(stringifyJson({ s: '{"value":6}', '{"value":': 1, '{}': '{"0":1}' })).toBe('{"s":"{\\"value\\":6}","{\\"value\\":":1,"{}":"{\\"0\\":1}"}');
    expect(stringifyJson({ value: 6, nested: { value: new FloatValue(6) } })).toBe('{"value":6,"nested":{"value":6.0}}');
    expect(stringifyJson({ s: '{"value":6}', f: new FloatValue(6) })).toBe('{"s":"{\\"value\\":6}","f":6.0}');
  });

  it('writes floats at the top level, in nested arrays, at 1e21 and at negative zero', () => {
    expect(stringifyJson(new FloatValue(6))).toBe('6.0');
    expect(stringifyJson([[[new FloatValue(2)]], [1, [new FloatValue(-3)]]])).toBe('[[[2.0]],[1,[-3.0]]]');
    // From 1e21 up JavaScript prints an exponent, which JSON reads back as a float anyway.
    expect(stringifyJson(new FloatValue(1e21))).toBe('1e+21');
    expect(stringifyJson(parseJson('[1e21, 1e20]'))).toBe('[1e+21,100000000000000000000.0]');
    // -0.0 and the integer -0 both print without a sign, on either path.
    expect(stringifyJson(parseJson('[-0.0, -0]'))).toBe('[0.0,0]');
    expect(stringifyJson([-0, 'x'])).toBe('[0,"x"]');
  });

  it('writes binary as an array of byte values, also as a Buffer and when empty', () => {
    expect(stringifyJson({ b: new Uint8Array([1, 255]), e: new Uint8Array(0), n: Buffer.from([7]) })).toBe('{"b":[1,255],"e":[],"n":[7]}');
    expect(stringifyJson({})).toBe('{}');
  });
});
