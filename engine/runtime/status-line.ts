/**
 * The status line `rill server run` prints on stderr every few seconds: per source what it emitted
 * and its circuit, per pipeline events in and out and its operators' figures (a WAL: events stored,
 * bytes, in flight, circuit state), per sink what it received, acked and failed.
 */
import type { RuntimeStats } from './runtime.ts';

export function formatStatus(stats: RuntimeStats): string {
  const parts = [
    ...stats.sources.map((s) => `${s.name} emitted=${s.emitted} circuit=${s.circuit}`),
    ...stats.pipelines.map((p) => [`${p.name} in=${p.eventsIn} out=${p.eventsOut}`, ...Object.entries(p.operators).map(([node, figures]) => formatOperator(node, figures))].join(' ')),
    ...stats.sinks.map((s) => `${s.name} sent=${s.received} acked=${s.acked} failed=${s.failed} ${s.active ? 'up' : 'down'}`),
  ];
  return `status: ${parts.join(' | ')}`;
}

function formatOperator(node: string, figures: Record<string, number | string>): string {
  return `[${node} ${Object.entries(figures).map(([name, value]) => `${name}=${value}`).join(' ')}]`;
}
