/**
 * `GET /metrics`: the runtime's figures in the Prometheus text format, through prom-client.
 *
 * Nothing is counted twice: every figure is read at scrape time from what the runtime and the
 * operators already keep (Runtime.stats(), the WAL's stats() and histograms()). Counters are set
 * to the runtime's running totals on each scrape; gauges to the current value.
 *
 * Labels: `flow` and `connector` or `pipeline` as the API's flows show them (flows.ts), `port`,
 * and for WAL figures `node` (the operator's name in its query; a troy `wal` connector's is `wal`).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { PipelineStats, RuntimeStats } from '../runtime/runtime.ts';
import { connectorPort, ownerOf } from '../runtime/endpoint.ts';
import { BucketCountsMetric, type Labels } from './histogram-metric.ts';

type Figure = { labels: Labels; value: number };

export function createMetricsRegistry(readStats: () => RuntimeStats): Registry {
  // One scrape asks for the figures once per metric: they are read once and shared until the scrape is over.
  let scraped: RuntimeStats | undefined;
  const stats = (): RuntimeStats => {
    if (scraped === undefined) {
      scraped = readStats();
      setImmediate(() => (scraped = undefined));
    }
    return scraped;
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const counter = (name: string, help: string, labelNames: string[], read: (stats: RuntimeStats) => Figure[]): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, value } of read(stats())) this.inc(labels, value);
      },
    });
  };
  const gauge = (name: string, help: string, labelNames: string[], read: (stats: RuntimeStats) => Figure[]): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, value } of read(stats())) this.set(labels, value);
      },
    });
  };

  const connector = (name: string, port: string): Labels => {
    const owner = ownerOf(name);
    return { flow: owner.flow, connector: owner.alias, port: connectorPort(name, port) };
  };
  const pipeline = (name: string): Labels => {
    const owner = ownerOf(name);
    return owner.kind === 'pipeline' ? { flow: owner.flow, pipeline: owner.alias } : { flow: owner.flow, pipeline: `connector.${owner.alias}` };
  };
  const connectorLabels = ['flow', 'connector', 'port'];
  const pipelineLabels = ['flow', 'pipeline', 'port'];
  const walLabels = ['flow', 'pipeline', 'node'];

  counter('rill_connector_events_total', 'Events a connector emitted (port out) or was given to send (port in, stderr)', connectorLabels, (s) => [
    ...s.sources.map((source) => ({ labels: connector(source.name, 'out'), value: source.emitted })),
    ...s.sinks.map((sink) => ({ labels: connector(sink.name, 'in'), value: sink.received })),
  ]);
  counter('rill_connector_events_dropped_total', 'Events a source emitted that were not sent on (while rill was stopping, or linked to no pipeline)', connectorLabels, (s) =>
    s.sources.map((source) => ({ labels: connector(source.name, 'out'), value: source.dropped })),
  );
  counter('rill_connector_events_acked_total', 'Events a sink connector delivered (acked)', connectorLabels, (s) =>
    s.sinks.map((sink) => ({ labels: connector(sink.name, 'in'), value: sink.acked })),
  );
  counter('rill_connector_events_failed_total', 'Events a sink connector could not deliver (failed)', connectorLabels, (s) =>
    s.sinks.map((sink) => ({ labels: connector(sink.name, 'in'), value: sink.failed })),
  );
  gauge(
    'rill_connector_circuit_open',
    'Circuit breaker per connector port: 1 open (a source producing, a sink taking events), 0 triggered (paused, or down)',
    connectorLabels,
    (s) => [
      ...s.sources.map((source) => ({ labels: connector(source.name, 'out'), value: source.circuit === 'open' ? 1 : 0 })),
      ...s.sinks.map((sink) => ({ labels: connector(sink.name, 'in'), value: sink.active ? 1 : 0 })),
    ],
  );

  counter('rill_pipeline_events_in_total', 'Events into a pipeline, per input port', pipelineLabels, (s) =>
    s.pipelines.flatMap((p) => Object.entries(p.portsIn).map(([port, value]) => ({ labels: { ...pipeline(p.name), port }, value }))),
  );
  counter('rill_pipeline_events_out_total', 'Events out of a pipeline, per output port', pipelineLabels, (s) =>
    s.pipelines.flatMap((p) => Object.entries(p.portsOut).map(([port, value]) => ({ labels: { ...pipeline(p.name), port }, value }))),
  );
  counter('rill_pipeline_events_dropped_total', 'Events out of a pipeline on a port linked to nothing, per port', pipelineLabels, (s) =>
    s.pipelines.flatMap((p) => Object.entries(p.dropped).map(([port, value]) => ({ labels: { ...pipeline(p.name), port }, value }))),
  );

  const wal = (name: string, help: string, figure: string, kind: 'counter' | 'gauge'): void => {
    (kind === 'counter' ? counter : gauge)(name, help, walLabels, (s) =>
      walNodes(s.pipelines).map(({ p, node, figures }) => ({ labels: { ...pipeline(p.name), node }, value: Number(figures[figure] ?? 0) })),
    );
  };
  wal('rill_wal_stored_events', 'Events in the WAL store as of its last durable commit (not yet acked downstream)', 'stored', 'gauge');
  wal('rill_wal_stored_bytes', 'Record bytes in the WAL store', 'storedBytes', 'gauge');
  wal('rill_wal_in_flight_events', 'Events the WAL emitted that are neither acked nor failed yet', 'inFlight', 'gauge');
  wal('rill_wal_acked_events_total', 'Events acked downstream and deleted from the WAL', 'acked', 'counter');
  wal('rill_wal_failed_events_total', 'Events failed downstream (each failure counted)', 'failed', 'counter');
  wal('rill_wal_redelivered_events_total', 'Events emitted again: after a fail, or stored by an earlier run and replayed', 'redelivered', 'counter');
  wal('rill_wal_dead_lettered_events_total', 'Events dead-lettered after max_attempts failures', 'deadLettered', 'counter');

  const walHistogram = (name: string, help: string, key: string): void => {
    const metric = new BucketCountsMetric(name, help, () => {
      const now = stats();
      return now.pipelines.flatMap((p) =>
        Object.entries(p.histograms).flatMap(([node, histograms]) => (histograms[key] === undefined ? [] : [{ labels: { ...pipeline(p.name), node }, counts: histograms[key] }])),
      );
    });
    // prom-client's registry formats any metric with get(); its Metric type lists only its own classes.
    registry.registerMetric(metric as unknown as Metric);
  };
  walHistogram('rill_wal_commit_duration_seconds', 'Seconds from a WAL commit being started to being durable on disk', 'commitSeconds');
  walHistogram('rill_wal_commit_batch_events', 'Events appended per WAL commit', 'commitEvents');
  return registry;
}

/** The operator nodes that are WALs: those whose figures include `stored` and `storedBytes`. */
function walNodes(pipelines: PipelineStats[]): Array<{ p: PipelineStats; node: string; figures: Record<string, number | string> }> {
  return pipelines.flatMap((p) =>
    Object.entries(p.operators)
      .filter(([, figures]) => figures.stored !== undefined && figures.storedBytes !== undefined)
      .map(([node, figures]) => ({ p, node, figures })),
  );
}
