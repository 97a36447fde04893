/**
 * What a standard-library function looks like to the compiler.
 */
import type { Value } from '../values/value.ts';
import type { OriginUri } from './origin.ts';

/** What an impure function may read about the event being processed. */
export interface CallContext {
  ingestNs: number;
  /** The event's origin (tremor::origin), when its source gave one. */
  origin?: OriginUri;
}

export interface StdFunction {
  /** Allowed argument counts: exact, or [min, max] (max = Infinity for variadic). */
  arity: number | readonly [number, number];
  /** Pure functions called with constant arguments are evaluated once, at compile time. */
  pure: boolean;
  call(args: Value[], context: CallContext): Value;
}

export type StdModule = Record<string, StdFunction>;

/** Thrown by a function body; the compiler adds the function name and the call's location. */
export class FunctionError extends Error {
  constructor(
    readonly kind: 'badType' | 'runtime',
    message = '',
  ) {
    super(message);
  }
}

export function badType(): never {
  throw new FunctionError('badType');
}

export function pure(arity: StdFunction['arity'], call: (args: Value[]) => Value): StdFunction {
  return { arity, pure: true, call };
}

export function expectString(v: Value): string {
  if (typeof v !== 'string') badType();
  return v;
}

export function expectArray(v: Value): Value[] {
  if (!Array.isArray(v)) badType();
  return v;
}
