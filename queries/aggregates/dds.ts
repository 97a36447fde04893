/**
 * `aggr::stats::dds(value[, percentiles])`: a DDSketch (relative accuracy 1 %, as the
 * `sketches-ddsketch` crate's defaults Tremor uses: gamma 1.02, values below 1e-9 counted as
 * zero). Output: `{count, sum, min, max, mean, percentiles: {"0.5": x, ...}}`; a percentile is the
 * midpoint of the bucket holding it, so it is within 1 % of the exact value. Positive numbers
 * only (ints or floats), as the crate; others are ignored.
 */
import { makeFloat, FloatValue, type RecordValue, type Value } from '../values/value.ts';
import type { AggregateFunction, AggregateState } from './aggregate.ts';
import { DEFAULT_PERCENTILES, readPercentiles, type Percentile } from './percentiles.ts';

const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const GAMMA_LN = Math.log(GAMMA);
const MIN_VALUE = 1e-9;

class Dds implements AggregateState {
  private readonly bins = new Map<number, number>();
  private zeros = 0;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private percentiles: readonly Percentile[] = DEFAULT_PERCENTILES;
  private percentilesSet = false;

  accumulate(args: Value[]): void {
    if (!this.percentilesSet && args.length > 1) {
      const given = readPercentiles('stats::dds', args[1]);
      if (given) {
        this.percentiles = given;
        this.percentilesSet = true;
      }
    }
    const raw = args[0];
    const v = typeof raw === 'number' ? raw : raw instanceof FloatValue ? raw.value : undefined;
    if (v === undefined || !Number.isFinite(v) || v < 0) return;
    this.count++;
    this.sum += v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    if (v < MIN_VALUE) this.zeros++;
    else {
      const key = Math.ceil(Math.log(v) / GAMMA_LN);
      this.bins.set(key, (this.bins.get(key) ?? 0) + 1);
    }
  }

  merge(other: Dds): void {
    for (const [key, n] of other.bins) this.bins.set(key, (this.bins.get(key) ?? 0) + n);
    this.zeros += other.zeros;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    if (!this.percentilesSet && other.percentilesSet) {
      this.percentiles = other.percentiles;
      this.percentilesSet = true;
    }
  }

  emit(): Value {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const percentiles: RecordValue = {};
    for (const { label, quantile } of this.percentiles) percentiles[label] = makeFloat(this.quantile(keys, quantile));
    const empty = this.count === 0;
    return {
      count: this.count,
      sum: makeFloat(this.sum),
      min: makeFloat(empty ? 0 : this.min),
      max: makeFloat(empty ? 0 : this.max),
      mean: makeFloat(empty ? 0 : this.sum / this.count),
      percentiles,
    };
  }

  init(): void {
    this.bins.clear();
    this.zeros = 0;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** The crate's `quantile`: rank q * (n - 1), the bucket holding it, that bucket's midpoint. */
  private quantile(keys: number[], q: number): number {
    if (this.count === 0) return 0;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.floor(q * (this.count - 1));
    let running = this.zeros;
    if (rank < running) return 0;
    for (const key of keys) {
      running += this.bins.get(key)!;
      if (running > rank) return (2 * GAMMA ** key) / (GAMMA + 1);
    }
    return this.max;
  }
}

export const ddsFunction: AggregateFunction = { name: 'stats::dds', minArity: 1, maxArity: 2, create: () => new Dds() };
