/**
 * `aggr::win::*` (Tremor v0.11 `tremor-script/src/std_lib/win.rs`): first, last, and the
 * collectors. `collect_flattened` gives one array of every value in the window, across a tilt
 * frame too; `collect_nested` keeps one level of nesting per frame a window passed through.
 */
import type { Value } from '../values/value.ts';
import type { AggregateFunction, AggregateState } from './aggregate.ts';

class First implements AggregateState {
  value: Value | undefined;
  accumulate(args: Value[]): void {
    if (this.value === undefined) this.value = args[0];
  }
  merge(other: First): void {
    if (this.value === undefined) this.value = other.value;
  }
  emit(): Value {
    return this.value ?? null;
  }
  init(): void {
    this.value = undefined;
  }
}

class Last implements AggregateState {
  value: Value | undefined;
  accumulate(args: Value[]): void {
    this.value = args[0];
  }
  merge(other: Last): void {
    if (other.value !== undefined) this.value = other.value;
  }
  emit(): Value {
    return this.value ?? null;
  }
  init(): void {
    this.value = undefined;
  }
}

class CollectFlattened implements AggregateState {
  values: Value[] = [];
  accumulate(args: Value[]): void {
    this.values.push(args[0]);
  }
  merge(other: CollectFlattened): void {
    for (const value of other.values) this.values.push(value);
  }
  emit(): Value {
    return this.values.slice();
  }
  init(): void {
    this.values = [];
  }
}

/** Each merged window becomes one element (its own collection), as Tremor nests per frame. */
class CollectNested implements AggregateState {
  values: Value[] = [];
  accumulate(args: Value[]): void {
    this.values.push(args[0]);
  }
  merge(other: CollectNested): void {
    this.values.push(other.values.slice());
  }
  emit(): Value {
    return this.values.slice();
  }
  init(): void {
    this.values = [];
  }
}

function fn(name: string, create: () => AggregateState): AggregateFunction {
  return { name: `win::${name}`, minArity: 1, maxArity: 1, create };
}

export const WIN_FUNCTIONS: ReadonlyMap<string, AggregateFunction> = new Map([
  ['first', fn('first', () => new First())],
  ['last', fn('last', () => new Last())],
  ['collect_flattened', fn('collect_flattened', () => new CollectFlattened())],
  ['collect_nested', fn('collect_nested', () => new CollectNested())],
]);
