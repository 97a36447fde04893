/**
 * Transactional events that end inside a pipeline are acked (engine/executor.ts): filtered by a
 * `where`, dropped by a script, sent to a stream that leads nowhere or to an output nothing is
 * linked to. Events that leave through a linked output or reach an operator are not: their sink
 * or operator settles them. Real trickle queries, compiled as `rill server run` compiles them.
 */
import { describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { compileQuery } from '../../queries/index.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { event } from './hand-built-query.ts';

async function started(source: string, unlinked: string[] = []) {
  const pipeline = buildPipeline(compileQuery(source, 'test.trickle'), { id: 'test' });
  const outputs: Array<{ port: string; n: number }> = [];
  const acks: number[] = [];
  const fails: number[] = [];
  for (const port of unlinked) pipeline.setOutputLinked(port, false);
  pipeline.setTransactional('in', true);
  await pipeline.start({
    onOutput: (port, e: Event) => outputs.push({ port, n: (e.data as RecordValue).n as number }),
    onInsight: (_input, insight: Insight) => {
      const n = insight.id?.rangeFor(1000)?.min;
      if (n === undefined) return;
      if (insight.kind === 'ack') acks.push(n);
      if (insight.kind === 'fail') fails.push(n);
    },
  });
  const send = (values: number[]) => values.map((n) => {
    const e = event({ n }, { transactional: true });
    pipeline.send('in', e);
    return e.id.eventId;
  });
  return { pipeline, outputs, acks, fails, send };
}

describe('events that end inside the pipeline', () => {
  it('a `where` that filters an event acks it; one that passes leaves it to the sink', async () => {
    const run = await started('select event from in where event.n % 2 == 0 into out;');
    const ids = run.send([0, 1, 2, 3]);
    expect(run.outputs.map((o) => o.n)).toEqual([0, 2]);
    expect(run.acks).toEqual([ids[1], ids[3]]);
    expect(run.fails).toEqual([]);
  });

  it('a script `drop`, a dead-end stream and an output nothing is linked to all ack; a copy that is delivered keeps the event', async () => {
    const run = await started(
      `
      define script dropper script drop; end;
      create script dropper;
      create stream nowhere;
      select event from in where event.n == 0 into dropper;
      select event from dropper into out;
      select event from in where event.n == 1 into nowhere;
      select event from in where event.n == 2 into out/unlinked;
      select event from in where event.n == 3 into out/unlinked;
      select event from in where event.n == 3 into out;
      `,
      ['out/unlinked'],
    );
    const ids = run.send([0, 1, 2, 3]);
    // Outputs nothing is linked to still reach the runtime (which counts them as dropped). n = 3
    // went to `out` as well: that copy is the sink's to settle.
    expect(run.outputs).toEqual([{ port: 'out/unlinked', n: 2 }, { port: 'out/unlinked', n: 3 }, { port: 'out', n: 3 }]);
    expect(run.acks).toEqual([ids[0], ids[1], ids[2]]);
  });

  it('a non-transactional event gets no ack', async () => {
    const pipeline = buildPipeline(compileQuery('select event from in where false into out;', 'test.trickle'), { id: 'test' });
    const insights: Insight[] = [];
    await pipeline.start({ onOutput: () => {}, onInsight: (_input, insight) => insights.push(insight) });
    pipeline.send('in', event({ n: 1 }));
    expect(insights).toEqual([]);
  });
});
