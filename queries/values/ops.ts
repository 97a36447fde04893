/**
 * Operations on Values (trickle-spec §4.3-4.5): type names, deep equality, ordering, arithmetic.
 * Operations return INVALID when the operand types do not support them; the compiled expression
 * that called them turns that into a runtime error pointing at its own source location.
 */
import { FloatValue, isRecord, makeFloat, type RecordValue, type Value } from './value.ts';
import { integerNegate, integerOperation, NOT_DEFINED, SHIFT_OUT_OF_RANGE, type IntegerResult } from './integer.ts';

export const INVALID: unique symbol = Symbol('invalid operands');
export type OpResult = Value | typeof INVALID | typeof SHIFT_OUT_OF_RANGE;

export function isInteger(v: Value): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

export function isFloat(v: Value): boolean {
  return v instanceof FloatValue || (typeof v === 'number' && !Number.isInteger(v));
}

/** The numeric value of an int or float, or undefined for anything else. */
export function numberOf(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof FloatValue) return v.value;
  return undefined;
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'float';
    case 'bigint':
      return 'integer';
    case 'string':
      return 'string';
  }
  if (v instanceof FloatValue) return 'float';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'array';
  return 'record';
}

/** Deep structural equality; numbers compare numerically across int and float (`1 == 1.0`). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return bigintEquals(a, b);
  const na = numberOf(a);
  if (na !== undefined) {
    const nb = numberOf(b);
    if (nb === undefined) return false;
    return na === nb || (isFloat(a) || isFloat(b) ? Math.abs(na - nb) < Number.EPSILON : false);
  }
  // A string equals the binary of its UTF-8 bytes (Tremor compares them as bytes).
  if (typeof a === 'string' && b instanceof Uint8Array) return Buffer.from(a).equals(b);
  if (a instanceof Uint8Array && typeof b === 'string') return Buffer.from(b).equals(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((byte, i) => byte === b[i]);
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !valuesEqual(a[key], b[key])) return false;
  return true;
}

/** A bigint equals only the same integer (a float never: a bigint is beyond a float's exact range). */
function bigintEquals(a: Value, b: Value): boolean {
  const other = typeof a === 'bigint' ? b : a;
  return (typeof other === 'bigint' || typeof other === 'number' || other instanceof FloatValue) && numberOrBigint(a) == numberOrBigint(b);
}

function numberOrBigint(v: Value): number | bigint {
  return v instanceof FloatValue ? v.value : (v as number | bigint);
}

/** Bytes order by their octets; a string compares as its UTF-8 bytes (Tremor's binary/string rules). */
function compareBytes(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  const order = Buffer.compare(a, b);
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}

/** -1 / 0 / 1 for numbers (numeric), strings (lexicographic) and bytes; INVALID otherwise. */
export function compareValues(a: Value, b: Value): -1 | 0 | 1 | typeof INVALID {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (numberOf(a) === undefined || numberOf(b) === undefined) return INVALID;
    const x = numberOrBigint(a);
    const y = numberOrBigint(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = typeof a === 'string' ? Buffer.from(a) : a;
    const y = typeof b === 'string' ? Buffer.from(b) : b;
    return x instanceof Uint8Array && y instanceof Uint8Array ? compareBytes(x, y) : INVALID;
  }
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return INVALID;
}

/** The integer result of an operation as a Value (see integer.ts). */
function fromIntegerResult(result: IntegerResult): OpResult {
  if (result === NOT_DEFINED) return INVALID;
  if (typeof result === 'object') return makeFloat(result.float);
  return result;
}

/** Integer arithmetic when either operand is a bigint or the safe-number result is not exact. */
export function integerArithmetic(op: Parameters<typeof integerOperation>[0], a: Value, b: Value): OpResult {
  return fromIntegerResult(integerOperation(op, a as number | bigint, b as number | bigint));
}

export function add(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (!Number.isInteger(a) || !Number.isInteger(b)) return makeFloat(sum);
    return Number.isSafeInteger(sum) ? sum : integerArithmetic('+', a, b);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') return mixedArithmetic('+', a, b, (x, y) => x + y);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return floatArithmetic(a, b, (x, y) => x + y);
}

export function subtract(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (!Number.isInteger(a) || !Number.isInteger(b)) return makeFloat(difference);
    return Number.isSafeInteger(difference) ? difference : integerArithmetic('-', a, b);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') return mixedArithmetic('-', a, b, (x, y) => x - y);
  return floatArithmetic(a, b, (x, y) => x - y);
}

export function multiply(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const product = a * b;
    if (!Number.isInteger(a) || !Number.isInteger(b)) return makeFloat(product);
    return Number.isSafeInteger(product) ? product : integerArithmetic('*', a, b);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') return mixedArithmetic('*', a, b, (x, y) => x * y);
  return floatArithmetic(a, b, (x, y) => x * y);
}

/** `/` always yields a float, also for two ints (`42 / 7` is `6.0`). */
export function divide(a: Value, b: Value): OpResult {
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na === undefined || nb === undefined) return INVALID;
  return makeFloat(na / nb);
}

/** `%` is defined on ints only; `x % 0` is an error (it panics upstream). */
export function remainder(a: Value, b: Value): OpResult {
  if (!isInteger(a) || !isInteger(b) || b === 0) return INVALID;
  if (typeof a === 'bigint' || typeof b === 'bigint') return integerArithmetic('%', a, b);
  const result = a % b;
  return result === 0 ? 0 : result;
}

/** A bigint with an integer is integer arithmetic; with a float, float arithmetic. */
function mixedArithmetic(op: '+' | '-' | '*', a: Value, b: Value, floatOp: (x: number, y: number) => number): OpResult {
  if (isInteger(a) && isInteger(b)) return integerArithmetic(op, a, b);
  return floatArithmetic(a, b, floatOp);
}

/** `&`, `|`, `^` on two integers or two booleans; shifts on two integers. */
export function bitwise(op: '&' | '|' | '^' | '<<' | '>>' | '>>>', a: Value, b: Value): OpResult {
  if (typeof a === 'boolean' && typeof b === 'boolean' && (op === '&' || op === '|' || op === '^')) {
    return op === '&' ? a && b : op === '|' ? a || b : a !== b;
  }
  if (!isInteger(a) || !isInteger(b)) return INVALID;
  // Both within 32 bits: JavaScript's own operators give the 64-bit result.
  if (typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b) {
    if (op === '&') return a & b;
    if (op === '|') return a | b;
    if (op === '^') return a ^ b;
  }
  const result = integerOperation(op, a, b);
  return result === SHIFT_OUT_OF_RANGE ? SHIFT_OUT_OF_RANGE : fromIntegerResult(result);
}

function floatArithmetic(a: Value, b: Value, op: (x: number, y: number) => number): OpResult {
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na === undefined || nb === undefined) return INVALID;
  return makeFloat(op(na, nb));
}

export function negate(v: Value): Value | typeof INVALID {
  if (typeof v === 'number') return Number.isInteger(v) ? (v === 0 ? 0 : -v) : -v;
  if (typeof v === 'bigint') return integerNegate(v) ?? INVALID;
  if (v instanceof FloatValue) return new FloatValue(-v.value);
  return INVALID;
}

/** Sets a record key, also for keys like `__proto__` that a plain assignment would not store. */
export function setKey(record: RecordValue, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/**
 * A shallow copy of a record that keeps every key as an own property. `Object.assign` is several
 * times faster than a spread on records from JSON.parse (it is the seed select's hot path), but it
 * assigns, so a `__proto__` key would set the prototype: such records take the spread.
 */
export function copyRecord(record: RecordValue): RecordValue {
  if (Object.hasOwn(record, '__proto__')) return { ...record };
  return Object.assign({}, record);
}
