/**
 * The status line `rill server run` prints on stderr every few seconds: per source what it emitted
 * and its circuit, per pipeline events in and out, per sink what it received, acked and failed.
 */
import type { RuntimeStats } from './runtime.ts';

export function formatStatus(stats: RuntimeStats): string {
  const parts = [
    ...stats.sources.map((s) => `${s.name} emitted=${s.emitted} circuit=${s.circuit}`),
    ...stats.pipelines.map((p) => `${p.name} in=${p.eventsIn} out=${p.eventsOut}`),
    ...stats.sinks.map((s) => `${s.name} sent=${s.received} acked=${s.acked} failed=${s.failed} ${s.active ? 'up' : 'down'}`),
  ];
  return `status: ${parts.join(' | ')}`;
}
