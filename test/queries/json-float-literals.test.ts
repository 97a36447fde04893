/**
 * parseJson takes JSON.parse's fast path when its pattern finds no integral float literal; a miss
 * would silently turn `6.0` into the integer 6. These write random values with integral floats in
 * every literal form JSON allows, amid whitespace and strings that look like numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../queries/values/json.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

/** A value together with one JSON text for it. */
interface Written {
  value: Value;
  text: string;
}

const space = fc.constantFrom('', '', ' ', '\t', ' \r ');
const integralFloatText = fc
  .tuple(fc.integer({ min: -99999, max: 99999 }), fc.constantFrom('.0', '.000', 'e0', 'E+0', '.0e0', 'e-0', '.00E1', '.5e1'))
  .map(([n, form]): Written => {
    const text = `${n}${form}`;
    return { value: new FloatValue(Number(text)), text };
  });
const otherNumberText = fc.oneof(
  fc.integer().map((n): Written => ({ value: n, text: String(n) })),
  fc.constantFrom<Written>({ value: 1.5, text: '1.5' }, { value: 0.05, text: '0.05' }, { value: 10.01, text: '10.01' }, { value: 25.5, text: '2.55e1' }),
);
const trickyString = fc
  .constantFrom('10.0.0.1', '4e8b-1e10', ',6.0', ':1e3', '[2.0]', 'v1.0', '6.0', 'x\n1e3')
  .map((s): Written => ({ value: s, text: JSON.stringify(s) }));

const written: fc.Arbitrary<Written> = fc.letrec<{ item: Written }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    integralFloatText,
    otherNumberText,
    trickyString,
    fc.array(fc.tuple(space, tie('item'), space), { maxLength: 4 }).map(
      (items): Written => ({ value: items.map(([, item]) => item.value), text: `[${items.map(([before, item, after]) => before + item.text + after).join(',')}]` }),
    ),
    fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', '1e3', '6.0', 'k'), space, tie('item')), { maxLength: 4, selector: ([key]) => key }).map(
      (entries): Written => ({
        value: Object.fromEntries(entries.map(([key, , item]) => [key, item.value])),
        text: `{${entries.map(([key, before, item]) => `${JSON.stringify(key)}:${before}${item.text}`).join(',')}}`,
      }),
    ),
  ),
})).item;

describe('integral float literals', () => {
  it('parseJson keeps every integral float literal a float, wherever it sits', () => {
    fc.assert(
      fc.property(written, space, ({ value, text }, around) => {
        expect(parseJson(`${around}${text}${around}`)).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });
});
