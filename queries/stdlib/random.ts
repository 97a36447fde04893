/**
 * `std::random`: values seeded by the event's ingest time, so one event always gets the same
 * values (as Tremor documents). The generator is splitmix64, not Rust's SmallRng: the values
 * differ from Tremor's, the distribution and the determinism do not.
 *   bool(); string(length); integer() / integer(max) / integer(min, max) (max exclusive);
 *   float() / float(max) / float(min, max) in [min, max).
 */
import { makeFloat } from '../values/value.ts';
import { badType, FunctionError, type CallContext, type StdFunction, type StdModule } from './function.ts';
import { integerFromBigInt } from '../values/integer.ts';
import { numberOf } from '../values/ops.ts';
import type { Value } from '../values/value.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** splitmix64 over the ingest time: 64 random bits per step. */
function generator(context: CallContext): () => bigint {
  let state = BigInt.asUintN(64, BigInt(Math.trunc(context.ingestNs)));
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

function unitFloat(next: () => bigint): number {
  return Number(next() >> 11n) / 2 ** 53;
}

function impure(arity: StdFunction['arity'], call: (args: Value[], next: () => bigint) => Value): StdFunction {
  return { arity, pure: false, call: (args, context) => call(args, generator(context)) };
}

function integerArg(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) badType();
  return BigInt(v);
}

function numberArg(v: Value): number {
  return numberOf(v) ?? badType();
}

export const randomModule: StdModule = {
  bool: impure(0, (_args, next) => (next() & 1n) === 1n),
  string: impure(1, ([length], next) => {
    const n = integerArg(length);
    if (n < 0n) throw new FunctionError('runtime', 'the length must be an integer greater than or equal to zero');
    let text = '';
    for (let i = 0n; i < n; i++) text += ALPHANUMERIC[Number(next() % 62n)];
    return text;
  }),
  integer: impure([0, 2], (args, next) => {
    if (args.length === 0) return integerFromBigInt(BigInt.asIntN(64, next()));
    const [low, high] = args.length === 1 ? [0n, integerArg(args[0])] : [integerArg(args[0]), integerArg(args[1])];
    if (high <= low) throw new FunctionError('runtime', `the lower bound ${low} must be less than the upper bound ${high}`);
    return integerFromBigInt(low + (next() % (high - low)));
  }),
  float: impure([0, 2], (args, next) => {
    if (args.length === 0) return makeFloat(unitFloat(next));
    const [low, high] = args.length === 1 ? [0, numberArg(args[0])] : [numberArg(args[0]), numberArg(args[1])];
    if (high <= low) throw new FunctionError('runtime', `the lower bound ${low} must be less than the upper bound ${high}`);
    return makeFloat(low + unitFloat(next) * (high - low));
  }),
};
