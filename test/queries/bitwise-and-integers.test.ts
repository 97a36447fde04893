/**
 * Bitwise operators and 64-bit integers: Tremor's results and errors, and exact arithmetic against
 * a BigInt model of Tremor's interpreter (u64 when both operands are non-negative, else i64, both
 * wrapping) on random operands across the whole range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, runtimeError, scriptCompileFailure } from './helpers.ts';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** Tremor 0.11's integer arithmetic, written directly with BigInt; undefined = not defined. */
function model(op: string, l: bigint, r: bigint): bigint | undefined {
  const u64 = l >= 0n && r >= 0n;
  if (!u64 && (l > I64_MAX || r > I64_MAX)) return undefined;
  const wrap = (n: bigint): bigint => (u64 ? BigInt.asUintN(64, n) : BigInt.asIntN(64, n));
  switch (op) {
    case '+':
      return wrap(l + r);
    case '*':
      return wrap(l * r);
    case '-':
      if (!u64 || l >= r) return wrap(l - r);
      return r - l <= I64_MAX ? l - r : undefined;
    case '&':
      return l & r;
    case '^':
      return l ^ r;
  }
  return undefined;
}

const integer = fc.oneof(
  fc.bigInt({ min: I64_MIN, max: U64_MAX }),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.constantFrom(0n, 1n, -1n, I64_MIN, I64_MAX, U64_MAX, 2n ** 53n, -(2n ** 53n), 2n ** 53n - 1n),
);

describe('bitwise operators', () => {
  it('follow Tremor on integers and booleans', () => {
    expect(evaluate('[42 & 2, 42 & -2, -42 & -2, 42 ^ -2, true & false, true ^ false, !true, !-43]')).toBe('[2,42,-42,-44,false,true,false,42]');
    expect(evaluate('[42 >> 2, -42 >> 2, -42 >>> 2, 42 << 63, -42 << 2, 1 << 63]')).toBe('[10,-11,4611686018427387893,0,-168,9223372036854775808]');
  });

  it('reports shifts by 64 or more (and negative ones) at compile time when folded, else at runtime', () => {
    expect(scriptCompileFailure('42 >> 64').message).toBe('RHS value is larger than or equal to the number of bits in LHS value');
    expect(scriptCompileFailure('42 << -1').message).toBe('RHS value is larger than or equal to the number of bits in LHS value');
    expect(runtimeError('let a = 64; 1 >>> a').message).toBe('RHS value is larger than or equal to the number of bits in LHS value');
    expect(scriptCompileFailure('42 >> 2.0').message).toBe('The binary operation `>>` is not defined for the type `integer` and `float`');
    expect(scriptCompileFailure('1 & "a"').message).toBe('The binary operation `&` is not defined for the type `integer` and `string`');
  });
});

describe('64-bit integers', () => {
  it('parse, change and write back exactly beyond 2^53 (i64 and u64)', () => {
    expect(evaluate('let event.x = event.big + 1; event', parseJson('{"big":12345678901234567890}'))).toBe('{"big":12345678901234567890,"x":12345678901234567891}');
    expect(stringifyJson(parseJson('[9007199254740993,-9223372036854775808,18446744073709551615]'))).toBe('[9007199254740993,-9223372036854775808,18446744073709551615]');
    // Beyond u64 a JSON integer is a float, as simd-json reads it.
    expect(stringifyJson(parseJson('18446744073709551616'))).toBe('18446744073709552000.0');
    expect(evaluate('[9223372036854775807 + 1, event + 1, -9223372036854775807 - 2]', parseJson('18446744073709551615'))).toBe(
      '[9223372036854775808,0,9223372036854775807]',
    );
    // A parse error next to a literal beyond 2^53 is reported like any other (found by fuzzing).
    expect(scriptCompileFailure('{"a": 808995606240165938, 808995543497703444}').message).toMatch(/^Found the token `808995543497703444`/);
    expect(evaluate('use std::integer; [integer::parse("9223372036854775807"), integer::parse("-9007199254740993")]')).toBe('[9223372036854775807,-9007199254740993]');
    // Literals are i64, as Tremor's lexer reads them.
    expect(scriptCompileFailure('9223372036854775808').message).toBe('An invalid integer literal');
  });

  it('agree with a BigInt model of Tremor on random operands', () => {
    fc.assert(
      fc.property(integer, integer, fc.constantFrom('+', '-', '*', '&', '^'), (l, r, op) => {
        const expected = model(op, l, r);
        const source = `event.l ${op} event.r`;
        const event = parseJson(`{"l":${l},"r":${r}}`);
        if (expected === undefined) {
          // Tremor: float arithmetic for + - * across i64/u64, an error otherwise.
          if (op === '&' || op === '^' || (op === '-' && l >= 0n && r >= 0n)) expect(() => evaluate(source, event)).toThrow(/runtime error/);
          return;
        }
        expect(evaluate(source, event)).toBe(String(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('compare exactly', () => {
    fc.assert(
      fc.property(integer, integer, (l, r) => {
        const event = parseJson(`{"l":${l},"r":${r}}`);
        expect(evaluate('[event.l < event.r, event.l == event.r, event.l >= event.r]', event)).toBe(`[${l < r},${l === r},${l >= r}]`);
      }),
      { numRuns: 500 },
    );
  });
});
