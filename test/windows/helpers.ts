/** Runs a trickle query through the engine: events in, payloads (and warnings, errors) out. */
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { compileQuery } from '../../queries/index.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';

export interface Step {
  data?: Value;
  meta?: RecordValue;
  ingestNs?: number;
  tick?: number;
}

export async function runQuery(source: string, steps: Step[], options: { transactional?: boolean } = {}) {
  const query = compileQuery(source, 'test.trickle');
  const errors: string[] = [];
  const pipeline = buildPipeline(query, { id: 'test', onError: (_error, rendered) => errors.push(rendered), onWarning: () => {} });
  const outputs: Array<{ port: string; event: Event }> = [];
  const insights: Insight[] = [];
  await pipeline.start({ onOutput: (port, event) => outputs.push({ port, event }), onInsight: (_port, insight) => insights.push(insight) });
  if (options.transactional) pipeline.setTransactional('in', true);
  let n = 0;
  for (const step of steps) {
    if (step.tick !== undefined) pipeline.tick(step.tick);
    else {
      pipeline.send('in', { id: new EventId(5, 0, n), data: step.data ?? null, meta: step.meta ?? {}, ingestNs: step.ingestNs ?? n, transactional: options.transactional ?? false, opMeta: {} });
      n++;
    }
  }
  return { pipeline, outputs, payloads: outputs.map((output) => output.event.data), insights, errors, warnings: query.warnings };
}

/** The payloads as JSON-ish values (FloatValue unboxed) for toEqual. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && 'value' in v && Object.keys(v).length === 1 ? v.value : v)));
}
