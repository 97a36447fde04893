/** `std::range`: `range(a, b)` is the integers from a (inclusive) to b (exclusive). */
import { badType, expectArray, FunctionError, pure, type StdModule } from './function.ts';
import { compareValues, INVALID } from '../values/ops.ts';

const MAX_RANGE = 10_000_000;

export const rangeModule: StdModule = {
  range: pure(2, ([a, b]) => {
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) badType();
    if (b - a > MAX_RANGE) throw new FunctionError('runtime', `a range of more than ${MAX_RANGE} integers is not supported by rill`);
    return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  }),
  // As Tremor's (written in tremor script): between the first and the last element.
  contains: pure(2, ([r, n]) => {
    const range = expectArray(r);
    if (range.length === 0) return false;
    const low = compareValues(range[0], n);
    const high = compareValues(range[range.length - 1], n);
    if (low === INVALID || high === INVALID) badType();
    return low <= 0 && high >= 0;
  }),
};
