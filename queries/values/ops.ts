/**
 * Operations on Values (trickle-spec §4.3-4.5): type names, deep equality, ordering, arithmetic.
 * Operations return INVALID when the operand types do not support them; the compiled expression
 * that called them turns that into a runtime error pointing at its own source location.
 */
import { FloatValue, isRecord, makeFloat, type RecordValue, type Value } from './value.ts';

export const INVALID: unique symbol = Symbol('invalid operands');
export type OpResult = Value | typeof INVALID;

export function isInteger(v: Value): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function isFloat(v: Value): boolean {
  return v instanceof FloatValue || (typeof v === 'number' && !Number.isInteger(v));
}

/** The numeric value of an int or float, or undefined for anything else. */
export function numberOf(v: Value): number | undefined {
  if (typeof v === 'number') return v;
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
  const na = numberOf(a);
  if (na !== undefined) {
    const nb = numberOf(b);
    if (nb === undefined) return false;
    return na === nb || (isFloat(a) || isFloat(b) ? Math.abs(na - nb) < Number.EPSILON : false);
  }
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

/** -1 / 0 / 1 for numbers (numeric) and strings (lexicographic); INVALID otherwise. */
export function compareValues(a: Value, b: Value): -1 | 0 | 1 | typeof INVALID {
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return INVALID;
}

export function add(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    return Number.isInteger(a) && Number.isInteger(b) ? sum : makeFloat(sum);
  }
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return floatArithmetic(a, b, (x, y) => x + y);
}

export function subtract(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    return Number.isInteger(a) && Number.isInteger(b) ? difference : makeFloat(difference);
  }
  return floatArithmetic(a, b, (x, y) => x - y);
}

export function multiply(a: Value, b: Value): OpResult {
  if (typeof a === 'number' && typeof b === 'number') {
    const product = a * b;
    return Number.isInteger(a) && Number.isInteger(b) ? product : makeFloat(product);
  }
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
  const result = a % b;
  return result === 0 ? 0 : result;
}

function floatArithmetic(a: Value, b: Value, op: (x: number, y: number) => number): OpResult {
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na === undefined || nb === undefined) return INVALID;
  return makeFloat(op(na, nb));
}

export function negate(v: Value): OpResult {
  if (typeof v === 'number') return Number.isInteger(v) ? (v === 0 ? 0 : -v) : -v;
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
