/**
 * Aggregate functions (`aggr::stats::*`, `aggr::win::*`): the state one group of one window keeps,
 * modelled on Tremor's `TremorAggrFn` (accumulate, merge, emit, init). A state is created per
 * group and window frame and reused across windows (`init` empties it), so memory grows with
 * groups and frames, not with events (except the `collect_*` functions, which keep what they collect).
 */
import type { Value } from '../values/value.ts';

export interface AggregateState {
  /** Adds one event's argument values. Throws AggregateError on a value of the wrong type. */
  accumulate(args: Value[]): void;
  /** Adds everything `other` (a state of the same function) holds: a tilt frame passing its window up. */
  merge(other: AggregateState): void;
  /** The value the select sees for the window so far. */
  emit(): Value;
  /** Empties the state for the next window. */
  init(): void;
}

export interface AggregateFunction {
  /** `stats::count`: how Tremor's messages name it (without `aggr::`). */
  readonly name: string;
  readonly minArity: number;
  readonly maxArity: number;
  create(): AggregateState;
}

/**
 * A wrong argument; the caller turns it into a runtime error at the call: Tremor's
 * `Bad type passed to function stats::sum/1` for a value of the wrong type (`badType`), else
 * `Runtime error in function …: <message>`.
 */
export class AggregateError extends Error {
  constructor(message: string, readonly badType = false) {
    super(message);
  }
}
