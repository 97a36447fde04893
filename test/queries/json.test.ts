import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import { FloatValue } from '../../queries/values/value.ts';

describe('JSON codec', () => {
  it('keeps integral floats as floats on both paths', () => {
    const value = parseJson('{"i": 6, "f": 6.0, "e": 1e3, "s": "6.0", "x": 1.5, "n": [-0.0, 2]}');
    expect(value).toEqual({ i: 6, f: new FloatValue(6), e: new FloatValue(1000), s: '6.0', x: 1.5, n: [new FloatValue(-0), 2] });
    expect(stringifyJson(value)).toBe('{"i":6,"f":6.0,"e":1000.0,"s":"6.0","x":1.5,"n":[0.0,2]}');
    expect(stringifyJson(parseJson('[1, 2.5, "a"]'))).toBe('[1,2.5,"a"]');
  });

  it('decodes escapes, keeps __proto__ as a key, rejects bad input', () => {
    const value = parseJson('{"__proto__": 1.0, "s": "a\\"b\\u00e9"}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 's']);
    expect(value.s).toBe('a"bé');
    expect(() => parseJson('{"a": 1.0,}')).toThrow(SyntaxError);
    expect(() => parseJson('[1.0')).toThrow(SyntaxError);
  });

  it('round-trips any JSON text exactly as JSON.parse reads it, apart from float tagging', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed = parseJson(text);
        expect(JSON.parse(stringifyJson(parsed))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
