/**
 * A Prometheus histogram whose counts are kept elsewhere (BucketCounts, one per WAL operator)
 * and read at scrape time. prom-client's Histogram only counts what is observed through it; its
 * registry takes any metric whose `get()` returns name, help, type and values, which is what this
 * builds from the counts: `<name>_bucket{le}` (cumulative), `<name>_sum`, `<name>_count`.
 */
import type { BucketCounts } from '../histogram.ts';

export type Labels = Record<string, string>;

interface MetricLine {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class BucketCountsMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    /** Called at every scrape: the histograms to show now, with their labels. */
    private readonly read: () => Array<{ labels: Labels; counts: BucketCounts }>,
  ) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricLine[] } {
    const values: MetricLine[] = [];
    for (const { labels, counts } of this.read()) {
      let cumulative = 0;
      counts.bounds.forEach((bound, index) => {
        cumulative += counts.counts[index];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: counts.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: counts.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: counts.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
