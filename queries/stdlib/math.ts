/** `std::math` */
import type { Value } from '../values/value.ts';
import { compareValues, isInteger, numberOf } from '../values/ops.ts';
import { badType, pure, type StdModule } from './function.ts';

function expectNumber(v: Value): number {
  const n = numberOf(v);
  if (n === undefined) badType();
  return n;
}

/** floor/ceil/round/trunc: ints pass through, floats become ints. */
function rounding(op: (n: number) => number) {
  return pure(1, ([v]) => (isInteger(v) ? v : op(expectNumber(v))));
}

function pick(wantLarger: boolean) {
  return pure(2, ([a, b]) => {
    expectNumber(a);
    expectNumber(b);
    const order = compareValues(a, b);
    return (wantLarger ? order === 1 : order === -1) ? a : b;
  });
}

export const mathModule: StdModule = {
  max: pick(true),
  min: pick(false),
  floor: rounding(Math.floor),
  ceil: rounding(Math.ceil),
  round: rounding(Math.round),
  trunc: rounding(Math.trunc),
};

