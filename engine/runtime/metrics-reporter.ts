/**
 * Tremor's periodic metrics: every connector and pipeline deployed with `metrics_interval_s`
 * reports its event counts that often, as events for the `metrics` connector (connectors/metrics.ts):
 *
 * - a connector, per port: `{"measurement": "connector_events", "tags": {"flow", "connector", "port"},
 *   "fields": {"count": N}, "timestamp": ns}` (a source's `out`: events emitted; a sink's `in`: events
 *   it was given);
 * - a pipeline, per port: `{"measurement": "events", "tags": {"flow", "pipeline", "direction":
 *   "input" | "output", "port"}, "fields": {"count": N}, "timestamp": ns}`.
 *
 * Counts are running totals (as Tremor's), read from Runtime.stats().
 */
import { nowNs } from '../event.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { connectorPort, ownerOf } from './endpoint.ts';
import type { RuntimeStats } from './runtime.ts';

export interface ReportingPart {
  /** The instance name (`onramp/in/main`, `pipeline/main/main`). */
  name: string;
  intervalMs: number;
}

export class MetricsReporter {
  private readonly nextDue = new Map<string, number>();

  constructor(private readonly parts: ReportingPart[]) {}

  get reporting(): boolean {
    return this.parts.length > 0;
  }

  /** The reports due at `nowMs` (each part once per interval, the first one interval after start). */
  due(nowMs: number, stats: () => RuntimeStats): Value[] {
    const dueNames = new Set<string>();
    for (const part of this.parts) {
      const next = this.nextDue.get(part.name);
      if (next === undefined) this.nextDue.set(part.name, nowMs + part.intervalMs);
      else if (nowMs >= next) {
        dueNames.add(part.name);
        this.nextDue.set(part.name, nowMs + part.intervalMs);
      }
    }
    if (dueNames.size === 0) return [];
    const now = stats();
    const timestamp = nowNs();
    const reports: Value[] = [];
    const connector = (name: string, port: string, count: number): void => {
      const owner = ownerOf(name);
      const tags: RecordValue = { flow: owner.flow, connector: owner.alias, port: connectorPort(name, port) };
      reports.push({ measurement: 'connector_events', tags, fields: { count }, timestamp });
    };
    for (const source of now.sources) if (dueNames.has(source.name)) connector(source.name, 'out', source.emitted);
    for (const sink of now.sinks) if (dueNames.has(sink.name)) connector(sink.name, 'in', sink.received);
    for (const pipeline of now.pipelines) {
      if (!dueNames.has(pipeline.name)) continue;
      const owner = ownerOf(pipeline.name);
      for (const [direction, counts] of [
        ['input', pipeline.portsIn],
        ['output', pipeline.portsOut],
      ] as const) {
        for (const [port, count] of Object.entries(counts)) {
          reports.push({ measurement: 'events', tags: { flow: owner.flow, pipeline: owner.alias, direction, port }, fields: { count }, timestamp });
        }
      }
    }
    return reports;
  }
}
