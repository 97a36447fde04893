/**
 * A cumulative histogram with fixed bucket bounds, cheap enough to observe on every commit: an
 * operator keeps one per figure (the WAL: commit latency, commit batch size) and the API's
 * `/metrics` reads it as a Prometheus histogram (engine/api/metrics.ts).
 */
export class BucketCounts {
  /** counts[i]: observations <= bounds[i] and > bounds[i - 1]; the last entry is above every bound (+Inf). */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]) bucket++;
    this.counts[bucket]++;
    this.sum += value;
    this.count++;
  }
}
