/**
 * extendedJson (engine/extended-json.ts): when a select only added keys, the incoming text with
 * the new keys appended; that text must read back as the new payload. Anything else: undefined.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extendedJson } from '../../engine/extended-json.ts';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import { FloatValue, type RecordValue, type Value } from '../../queries/values/value.ts';

const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
const record = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), scalar, { minKeys: 1, maxKeys: 6 });

describe('extendedJson', () => {
  it('gives a text that parses to the payload with the added keys', () => {
    fc.assert(
      fc.property(record, record, fc.boolean(), (base, extra, spaced) => {
        const baseJson = spaced ? `{ ${stringifyJson(base).slice(1, -1)} }` : stringifyJson(base);
        const parsedBase = parseJson(baseJson) as RecordValue;
        const data: RecordValue = { ...parsedBase };
        // Values as a JSON source would hand them on (`-1e21` is a float once parsed).
        const added = parseJson(stringifyJson(extra)) as RecordValue;
        for (const [key, value] of Object.entries(added)) if (!Object.hasOwn(data, key)) data[key] = value;
        const text = extendedJson(parsedBase, baseJson, data);
        const keys = Object.keys(data);
        const baseKeys = Object.keys(parsedBase);
        // Appending keeps the incoming keys first: it applies when the new record has them first
        // (JavaScript puts integer-like keys first, so an added "1" cannot be appended).
        const appendable = keys.length > baseKeys.length && baseKeys.every((key, index) => keys[index] === key);
        if (!appendable) expect(text).toBeUndefined();
        else {
          expect(parseJson(text!)).toEqual(data);
          expect(Object.keys(parseJson(text!) as RecordValue)).toEqual(keys);
        }
      }),
    );
  });

  it('keeps the incoming text of the kept keys as it is (a 64-bit integer, 1.0) and writes new floats exactly', () => {
    const baseJson = '{"big":12345678901234567890,"f":1.0}';
    const base = parseJson(baseJson) as RecordValue;
    expect(extendedJson(base, baseJson, { ...base, host: 'h', g: new FloatValue(2) })).toBe('{"big":12345678901234567890,"f":1.0,"host":"h","g":2.0}');
  });

  it('declines when a key was replaced or removed, or nothing was added', () => {
    const baseJson = '{"a":1,"b":{"c":2}}';
    const base = parseJson(baseJson) as RecordValue;
    const cases: Value[] = [{ ...base, a: 2, x: 1 }, { a: 1, x: 1 }, { ...base, b: { c: 2 }, x: 1 }, { ...base }, [1], 'text'];
    for (const data of cases) expect(extendedJson(base, baseJson, data)).toBeUndefined();
    expect(extendedJson(base, baseJson, base)).toBeUndefined();
    expect(extendedJson({}, '{}', { x: 1 })).toBeUndefined();
  });

  it('declines when the new record has the incoming keys in another order, or a new key among them', () => {
    const baseJson = '{"big":1,"neg":-1}';
    const base = parseJson(baseJson) as RecordValue;
    expect(extendedJson(base, baseJson, { big: 1, next: 2, neg: -1 })).toBeUndefined();
    expect(extendedJson(base, baseJson, { neg: -1, big: 1, next: 2 })).toBeUndefined();
    expect(extendedJson(base, baseJson, { big: 1, neg: -1, next: 2 })).toBe('{"big":1,"neg":-1,"next":2}');
  });
});
