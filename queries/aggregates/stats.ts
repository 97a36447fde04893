/**
 * `aggr::stats::*` (Tremor v0.11 `tremor-script/src/std_lib/stats.rs`): count, min, max, sum, mean,
 * var, stdev, hdr, dds. Numbers may be integers or floats; sum, mean, var and stdev are always
 * floats (`10.0`), count an integer, min and max keep the type of the value they pick.
 */
import { FloatValue, makeFloat, type Value } from '../values/value.ts';
import { AggregateError, type AggregateFunction, type AggregateState } from './aggregate.ts';
import { hdrFunction } from './hdr.ts';
import { ddsFunction } from './dds.ts';

function numeric(name: string, value: Value): number {
  if (typeof value === 'number') return value;
  if (value instanceof FloatValue) return value.value;
  throw new AggregateError(`${name} expects a number, got ${describe(value)}`, true);
}

function describe(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return 'a record';
  return `a ${typeof value}`;
}

function fn(name: string, minArity: number, maxArity: number, create: () => AggregateState): AggregateFunction {
  return { name: `stats::${name}`, minArity, maxArity, create };
}

class Count implements AggregateState {
  n = 0;
  accumulate(): void {
    this.n++;
  }
  merge(other: Count): void {
    this.n += other.n;
  }
  emit(): Value {
    return this.n;
  }
  init(): void {
    this.n = 0;
  }
}

class Sum implements AggregateState {
  total = 0;
  accumulate(args: Value[]): void {
    this.total += numeric('stats::sum', args[0]);
  }
  merge(other: Sum): void {
    this.total += other.total;
  }
  emit(): Value {
    return makeFloat(this.total);
  }
  init(): void {
    this.total = 0;
  }
}

class Mean implements AggregateState {
  n = 0;
  total = 0;
  accumulate(args: Value[]): void {
    this.total += numeric('stats::mean', args[0]);
    this.n++;
  }
  merge(other: Mean): void {
    this.n += other.n;
    this.total += other.total;
  }
  emit(): Value {
    return this.n === 0 ? null : makeFloat(this.total / this.n);
  }
  init(): void {
    this.n = 0;
    this.total = 0;
  }
}

/** min and max keep the value they picked, so an integer input gives an integer. */
class Extreme implements AggregateState {
  best: Value = null;
  bestNumber = 0;
  constructor(
    private readonly name: string,
    private readonly better: (candidate: number, best: number) => boolean,
  ) {}
  accumulate(args: Value[]): void {
    const value = args[0];
    const n = numeric(this.name, value);
    if (this.best === null || this.better(n, this.bestNumber)) {
      this.best = value;
      this.bestNumber = n;
    }
  }
  merge(other: Extreme): void {
    if (other.best !== null && (this.best === null || this.better(other.bestNumber, this.bestNumber))) {
      this.best = other.best;
      this.bestNumber = other.bestNumber;
    }
  }
  emit(): Value {
    return this.best;
  }
  init(): void {
    this.best = null;
    this.bestNumber = 0;
  }
}

/**
 * Sample variance, Welford's online form; merging two windows uses Chan et al.'s pairwise update,
 * so a tilt frame's variance equals the variance of all the events it covers.
 */
class Variance implements AggregateState {
  n = 0;
  mean = 0;
  m2 = 0;
  constructor(private readonly name: string, private readonly root: boolean) {}
  accumulate(args: Value[]): void {
    const x = numeric(this.name, args[0]);
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }
  merge(other: Variance): void {
    if (other.n === 0) return;
    const n = this.n + other.n;
    const delta = other.mean - this.mean;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.mean += (delta * other.n) / n;
    this.n = n;
  }
  emit(): Value {
    // Fewer than two values have no sample variance; Tremor reports 0.0 for none.
    const variance = this.n < 2 ? 0 : this.m2 / (this.n - 1);
    return makeFloat(this.root ? Math.sqrt(variance) : variance);
  }
  init(): void {
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
  }
}

export const STATS_FUNCTIONS: ReadonlyMap<string, AggregateFunction> = new Map([
  ['count', fn('count', 0, 0, () => new Count())],
  ['sum', fn('sum', 1, 1, () => new Sum())],
  ['mean', fn('mean', 1, 1, () => new Mean())],
  ['min', fn('min', 1, 1, () => new Extreme('stats::min', (a, b) => a < b))],
  ['max', fn('max', 1, 1, () => new Extreme('stats::max', (a, b) => a > b))],
  ['var', fn('var', 1, 1, () => new Variance('stats::var', false))],
  ['stdev', fn('stdev', 1, 1, () => new Variance('stats::stdev', true))],
  ['hdr', hdrFunction],
  ['dds', ddsFunction],
]);
