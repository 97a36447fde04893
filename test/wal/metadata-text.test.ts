/**
 * The WAL record's metadata text (metadata-text.ts) remembers the last text it made: whatever the
 * sequence of metadata records, equal or not, and even when a record it was given is changed in
 * place afterwards, it must give exactly what serialising that record gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetadataText } from '../../operators/qos/wal/metadata-text.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import { FloatValue, type RecordValue, type Value } from '../../queries/values/value.ts';

/** Small values, so that consecutive records are often equal, or equal but for key order. */
const leaf: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>(null, true, false, 0, -0, 1, 'a', 'b', ''),
  fc.constantFrom(1, 6, -0).map((n) => new FloatValue(n)),
  fc.constant(new Uint8Array([1, 2])),
);
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'peer'), tie('value'), { maxKeys: 2 }),
  ),
})).value;
const record = fc.dictionary(fc.constantFrom('tcp_server', 'x', 'y'), value, { maxKeys: 2 }) as fc.Arbitrary<RecordValue>;

describe('MetadataText', () => {
  it('is always the text of the record given, also after an earlier record was changed in place', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(record, fc.boolean(), value), { maxLength: 30 }), (steps) => {
        const texts = new MetadataText();
        let previous: RecordValue | undefined;
        for (const [meta, changePrevious, newValue] of steps) {
          // As a node downstream may change an emitted event's `$`: the last record given, in place.
          if (changePrevious && previous !== undefined) previous.x = newValue;
          const expected = Object.keys(meta).length === 0 ? '' : stringifyJson(meta);
          expect(texts.of(meta)).toBe(expected);
          previous = meta;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps key order: records with the same keys in another order have another text', () => {
    const texts = new MetadataText();
    expect(texts.of({ a: 1, b: 2 })).toBe('{"a":1,"b":2}');
    expect(texts.of({ b: 2, a: 1 })).toBe('{"b":2,"a":1}');
    expect(texts.of({ b: 2, a: new FloatValue(1) })).toBe('{"b":2,"a":1.0}');
    expect(texts.of({})).toBe('');
  });
});
