/** The `aggr::` namespace: `aggr::stats::*` and `aggr::win::*`, looked up by module and name. */
import type { AggregateFunction } from './aggregate.ts';
import { STATS_FUNCTIONS } from './stats.ts';
import { WIN_FUNCTIONS } from './win.ts';

const MODULES: ReadonlyMap<string, ReadonlyMap<string, AggregateFunction>> = new Map([
  ['stats', STATS_FUNCTIONS],
  ['win', WIN_FUNCTIONS],
]);

export function lookupAggregate(module: string, name: string): AggregateFunction | undefined {
  return MODULES.get(module)?.get(name);
}

export type { AggregateFunction, AggregateState } from './aggregate.ts';
export { AggregateError } from './aggregate.ts';
