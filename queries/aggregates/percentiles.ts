/**
 * The optional second argument of `aggr::stats::hdr` / `dds`: which percentiles to report, as
 * strings (`["0.5", "0.99"]`), read from the first event of a window that gives them. The
 * defaults are Tremor's.
 */
import type { Value } from '../values/value.ts';
import { AggregateError } from './aggregate.ts';

export interface Percentile {
  /** The key in the output record, as the user wrote it. */
  label: string;
  /** 0..1 */
  quantile: number;
}

export const DEFAULT_PERCENTILES: readonly Percentile[] = ['0.5', '0.9', '0.95', '0.99', '0.999', '0.9999', '0.99999'].map((label) => ({
  label,
  quantile: Number(label),
}));

export function readPercentiles(name: string, value: Value | undefined): Percentile[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const percentiles: Percentile[] = [];
  for (const item of value) {
    if (typeof item !== 'string') continue;
    const quantile = Number(item);
    if (item.trim() === '' || !Number.isFinite(quantile)) throw new AggregateError(`Provided percentile '${item}' isn't a float`);
    percentiles.push({ label: item, quantile });
  }
  return percentiles;
}
