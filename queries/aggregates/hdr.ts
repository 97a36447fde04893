/**
 * `aggr::stats::hdr(value[, percentiles])`: an HDR histogram with 2 significant digits over
 * integers 1..2^63, as Tremor's (`hdrhistogram` crate, `Histogram::new_with_bounds(1, u64::MAX >> 1, 2)`).
 * Non-integer and negative values are ignored, as there. The output:
 * `{count, min, max, mean, stdev, var, percentiles: {"0.5": n, ...}}`, percentiles reported as the
 * highest value equivalent to the bucket they fall in, mean and stdev from bucket midpoints — the
 * crate's definitions, so figures match Tremor's.
 *
 * Buckets are kept sparse (index -> count) rather than in the crate's 7,000-slot array: a window
 * of 100 events then costs a few hundred bytes per group, not 58 KB.
 */
import { makeFloat, type RecordValue, type Value } from '../values/value.ts';
import type { AggregateFunction, AggregateState } from './aggregate.ts';
import { DEFAULT_PERCENTILES, readPercentiles, type Percentile } from './percentiles.ts';

// 2 significant digits: values below 2 * 10^2 are exact, so 256 sub-buckets (magnitude 8).
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;
const HIGHEST_TRACKABLE = 2 ** 63 - 1;

/** floor(log2(v)) for a positive integer up to 2^64, without 32-bit truncation. */
function floorLog2(v: number): number {
  if (v < 2 ** 32) return 31 - Math.clz32(v);
  return 63 - Math.clz32(Math.floor(v / 2 ** 32));
}

function bucketIndexOf(v: number): number {
  return floorLog2(Math.max(v, SUB_BUCKET_MASK)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
}

/** 2^bucket for every bucket of 64-bit values (the per-value path divides by it). */
const BUCKET_SCALE = Array.from({ length: 64 }, (_, bucket) => 2 ** bucket);

/** The index in the crate's counts array: equal indexes are equivalent values. */
function countsIndexOf(v: number): number {
  const bucket = bucketIndexOf(v);
  const subBucket = Math.floor(v / BUCKET_SCALE[bucket]);
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
}

function lowestValueOf(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

function rangeSizeOf(index: number): number {
  return 2 ** bucketIndexOf(lowestValueOf(index));
}

function medianValueOf(index: number): number {
  return lowestValueOf(index) + Math.floor(rangeSizeOf(index) / 2);
}

class Hdr implements AggregateState {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private percentiles: readonly Percentile[] = DEFAULT_PERCENTILES;
  private percentilesSet = false;

  accumulate(args: Value[]): void {
    if (!this.percentilesSet && args.length > 1) {
      const given = readPercentiles('stats::hdr', args[1]);
      if (given) {
        this.percentiles = given;
        this.percentilesSet = true;
      }
    }
    const v = args[0];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > HIGHEST_TRACKABLE) return;
    this.record(countsIndexOf(v), 1);
  }

  merge(other: Hdr): void {
    for (const [index, count] of other.counts) this.record(index, count);
    if (!this.percentilesSet && other.percentilesSet) {
      this.percentiles = other.percentiles;
      this.percentilesSet = true;
    }
  }

  emit(): Value {
    const indexes = [...this.counts.keys()].sort((a, b) => a - b);
    const percentiles: RecordValue = {};
    for (const { label, quantile } of this.percentiles) percentiles[label] = this.valueAtQuantile(indexes, quantile);
    // The crate's arithmetic, term by term, so the floats print as Tremor's do.
    let mean = 0;
    let deviation = 0;
    if (this.total > 0) {
      for (const index of indexes) mean += (medianValueOf(index) * this.counts.get(index)!) / this.total;
      let squares = 0;
      for (const index of indexes) {
        const delta = medianValueOf(index) - mean;
        squares += delta * delta * this.counts.get(index)!;
      }
      deviation = Math.sqrt(squares / this.total);
    }
    const first = indexes[0];
    const last = indexes[indexes.length - 1];
    return {
      count: this.total,
      min: first === undefined ? 0 : lowestValueOf(first),
      max: last === undefined ? 0 : lowestValueOf(last) + rangeSizeOf(last) - 1,
      mean: makeFloat(mean),
      stdev: makeFloat(deviation),
      var: makeFloat(deviation * deviation),
      percentiles,
    };
  }

  init(): void {
    this.counts.clear();
    this.total = 0;
  }

  private record(index: number, count: number): void {
    this.counts.set(index, (this.counts.get(index) ?? 0) + count);
    this.total += count;
  }

  /**
   * The crate's `value_at_quantile`: the first bucket whose running count reaches ceil(q * n).
   * Tremor calls `value_at_percentile(q * 100)`, which divides by 100 again: same rounding here.
   */
  private valueAtQuantile(indexes: number[], quantile: number): number {
    const q = Math.min((quantile * 100) / 100, 1);
    const wanted = Math.max(1, Math.ceil(q * this.total));
    let running = 0;
    for (const index of indexes) {
      running += this.counts.get(index)!;
      if (running >= wanted) return q === 0 ? lowestValueOf(index) : lowestValueOf(index) + rangeSizeOf(index) - 1;
    }
    return 0;
  }
}

export const hdrFunction: AggregateFunction = { name: 'stats::hdr', minArity: 1, maxArity: 2, create: () => new Hdr() };
