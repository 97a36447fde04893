/**
 * The value model every part of rill shares: what a query sees as `event`, `$`, `state`.
 *
 * Integers and floats must stay distinct (`42 / 7` is `6.0`; `6` and `6.0` serialise differently),
 * but boxing every number would slow the common JSON-in/JSON-out path. So:
 * - a JS `number` that is an integer (`Number.isInteger`) is a trickle **integer**;
 * - a JS `number` that is not an integer (1.5, NaN, Infinity) is a trickle **float**;
 * - a float whose value happens to be integral (`6.0`, `1e3`) is boxed as a `FloatValue`.
 * Only that last, rare case costs an allocation.
 * - an integer beyond 2^53 is a `bigint` (integer.ts): integers are exact to 64 bits.
 */
export class FloatValue {
  constructor(readonly value: number) {}
}

export type Value =
  | null
  | boolean
  | number
  | bigint
  | FloatValue
  | string
  | Uint8Array
  | Value[]
  | RecordValue;

export interface RecordValue {
  [key: string]: Value;
}

/** A float result of arithmetic: boxed only when integral, so it keeps printing as a float. */
export function makeFloat(n: number): number | FloatValue {
  return Number.isInteger(n) ? new FloatValue(n) : n;
}

export function isRecord(v: Value): v is RecordValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FloatValue) && !(v instanceof Uint8Array);
}

/** `{}`, checked without building a key list (it is on the WAL's per-event path). */
export function isEmptyRecord(v: Value): boolean {
  if (!isRecord(v)) return false;
  for (const _key in v) return false;
  return true;
}
