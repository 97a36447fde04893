/**
 * `metrics` (Tremor 0.12 troy kind, `tremor::connectors::metrics`): a source of the runtime's own
 * metrics events, so they can flow through a pipeline (the troy corpus's `system-metrics`). Every
 * connector and pipeline deployed with `metrics_interval_s` reports its counts that often
 * (engine/runtime/metrics-reporter.ts); the runtime hands each report to every metrics source.
 * Not transactional: a report published while the source is paused is dropped, as Tremor's
 * metrics channel drops what it cannot take.
 */
import type { Value } from '../queries/values/value.ts';
import type { ConnectorFactory, Source, SourceContext } from './connector.ts';

export class MetricsSource implements Source {
  readonly transactional = false;
  private context?: SourceContext;
  private triggered = false;

  async start(context: SourceContext): Promise<void> {
    this.context = context;
  }

  /** One metrics event (`{measurement, tags, fields, timestamp}`). */
  publish(report: Value): void {
    if (this.context !== undefined && !this.triggered) this.context.emit(report);
  }

  trigger(): void {
    this.triggered = true;
  }

  restore(): void {
    this.triggered = false;
  }

  async stop(): Promise<void> {
    this.context = undefined;
  }
}

export const metricsConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'metrics',
  configKeys: {},
  codec: 'structured',
  create() {
    return { source: new MetricsSource() };
  },
};
