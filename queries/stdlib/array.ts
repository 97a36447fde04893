/** `std::array` */
import type { Value } from '../values/value.ts';
import { valuesEqual } from '../values/ops.ts';
import { stringifyJson } from '../values/json.ts';
import { badType, expectArray, expectString, pure, type StdModule } from './function.ts';

export const arrayModule: StdModule = {
  len: pure(1, ([a]) => expectArray(a).length),
  is_empty: pure(1, ([a]) => expectArray(a).length === 0),
  contains: pure(2, ([a, v]) => expectArray(a).some((item) => valuesEqual(item, v))),
  push: pure(2, ([a, v]) => [...expectArray(a), v]),
  join: pure(2, ([a, sep]) => {
    const separator = expectString(sep);
    return expectArray(a)
      .map((item) => (typeof item === 'string' ? item : stringifyJson(item)))
      .join(separator);
  }),
  zip: pure(2, ([a, b]) => {
    const left = expectArray(a);
    const right = expectArray(b);
    if (left.length !== right.length) badType();
    return left.map((item, i) => [item, right[i]]);
  }),
  unzip: pure(1, ([a]) => {
    const left: Value[] = [];
    const right: Value[] = [];
    for (const pair of expectArray(a)) {
      if (!Array.isArray(pair) || pair.length !== 2) badType();
      left.push(pair[0]);
      right.push(pair[1]);
    }
    return [left, right];
  }),
  flatten: pure(1, ([a]) => {
    const flat: Value[] = [];
    const walk = (items: Value[]): void => {
      for (const item of items) Array.isArray(item) ? walk(item) : flat.push(item);
    };
    walk(expectArray(a));
    return flat;
  }),
  coalesce: pure(1, ([a]) => expectArray(a).filter((item) => item !== null)),
};
