/**
 * Tremor's integers, exact to 64 bits (trickle-spec §4.3). Tremor's values hold an integer as an
 * i64 or, when it is above i64's range, a u64: so integers are exact from -2^63 to 2^64-1.
 *
 * rill keeps an integer in a JS `number` while it is a safe integer (|n| < 2^53: the common case
 * pays nothing) and in a `bigint` beyond that; `integerFromBigInt` is the one place that chooses,
 * so a `bigint` Value is never a safe integer and two equal integers always have the same type.
 *
 * Arithmetic follows Tremor 0.11's interpreter (release build): when both operands are
 * non-negative it computes in u64, otherwise in i64, and both wrap on overflow; subtraction of two
 * u64s that would go below i64's range is an invalid operation, as is a shift by a negative amount
 * or by 64 or more (`SHIFT_OUT_OF_RANGE`). An operand beyond i64 with a negative other operand
 * falls back to float arithmetic (add/sub/mul), as Tremor's does.
 */
export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
export const U64_MAX = 2n ** 64n - 1n;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export type Integer = number | bigint;

/** Thrown as the result of a shift by < 0 or >= 64 bits. */
export const SHIFT_OUT_OF_RANGE: unique symbol = Symbol('shift out of range');
/** The operation is not defined for these integers (reported as Tremor's invalid binary operation). */
export const NOT_DEFINED: unique symbol = Symbol('not defined');
export type IntegerResult = Integer | number | typeof SHIFT_OUT_OF_RANGE | typeof NOT_DEFINED | { float: number };

export function integerFromBigInt(n: bigint): Integer {
  return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** Whether a bigint is in Tremor's integer range (i64 or u64). */
export function inIntegerRange(n: bigint): boolean {
  return n >= I64_MIN && n <= U64_MAX;
}

export function isIntegerValue(v: unknown): v is Integer {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

type Op = '+' | '-' | '*' | '%' | '&' | '|' | '^' | '<<' | '>>' | '>>>';

/** `a op b` on two integers, exactly as Tremor computes it. */
export function integerOperation(op: Op, a: Integer, b: Integer): IntegerResult {
  const l = BigInt(a);
  const r = BigInt(b);
  if (l >= 0n && r >= 0n) return wrappingOperation(op, l, r, true);
  if (l <= I64_MAX && r <= I64_MAX) return wrappingOperation(op, l, r, false);
  switch (op) {
    case '+':
      return { float: Number(l) + Number(r) };
    case '-':
      return { float: Number(l) - Number(r) };
    case '*':
      return { float: Number(l) * Number(r) };
    default:
      return NOT_DEFINED;
  }
}

function shiftAmount(r: bigint): bigint | undefined {
  return r >= 0n && r < 64n ? r : undefined;
}

/** Tremor's u64 (`unsigned`) or i64 arithmetic; both wrap. */
function wrappingOperation(op: Op, l: bigint, r: bigint, unsigned: boolean): IntegerResult {
  const wrap = (n: bigint): Integer => integerFromBigInt(unsigned ? BigInt.asUintN(64, n) : BigInt.asIntN(64, n));
  switch (op) {
    case '+':
      return wrap(l + r);
    case '-': {
      if (!unsigned || l >= r) return wrap(l - r);
      // Below zero in u64: the result must fit i64 (Tremor negates r - l).
      const difference = r - l;
      return difference <= I64_MAX ? integerFromBigInt(-difference) : NOT_DEFINED;
    }
    case '*':
      return wrap(l * r);
    case '%':
      return r === 0n ? NOT_DEFINED : integerFromBigInt(l % r);
    case '&':
      return integerFromBigInt(l & r);
    case '|':
      return integerFromBigInt(l | r);
    case '^':
      return integerFromBigInt(l ^ r);
  }
  const by = shiftAmount(r);
  if (by === undefined) return SHIFT_OUT_OF_RANGE;
  switch (op) {
    case '>>':
      return integerFromBigInt(l >> by);
    case '>>>':
      return integerFromBigInt(BigInt.asIntN(64, BigInt.asUintN(64, l) >> by));
    case '<<':
      return wrap(l << by);
  }
}

/** `!n`: bitwise not, in u64 for a non-negative integer and in i64 for a negative one, as Tremor. */
export function integerNot(a: Integer): Integer {
  const n = BigInt(a);
  return integerFromBigInt(n >= 0n ? BigInt.asUintN(64, ~n) : ~n);
}

/** `-n`: undefined when the result leaves i64 (as Tremor's checked_neg). */
export function integerNegate(a: Integer): Integer | undefined {
  const n = -BigInt(a);
  return n < I64_MIN || n > I64_MAX ? undefined : integerFromBigInt(n);
}
