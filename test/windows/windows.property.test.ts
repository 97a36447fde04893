/**
 * Windowed count/sum/min/max by group against a direct model, on random event streams: tumbling
 * windows by size and by interval (with ticks), tilt frames of size windows, random group keys.
 * And delivery fan-in: every output of the first window, acked or failed at random, acks or fails
 * exactly the input events it covers, each once, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileQuery } from '../../queries/index.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

interface Input {
  group: number;
  value: number;
  /** Nanoseconds since the previous event. */
  gap: number;
  /** A tick at the previous event's time + gap - 1, before this event. */
  tickBefore: boolean;
}

interface Output {
  g: number;
  count: number;
  sum: number;
  /** null for an empty window (an interval window an event closes right after a tick emitted it). */
  min: number | null;
  max: number | null;
  /** Indexes of the input events the window covers, and which window of the frame it is (model only). */
  covers?: number[];
  frame?: number;
}

const inputs = fc.array(
  fc.record({ group: fc.integer({ min: 0, max: 4 }), value: fc.integer({ min: -50, max: 50 }), gap: fc.integer({ min: 0, max: 4 }), tickBefore: fc.boolean() }),
  { maxLength: 120 },
);

function query(windows: string[], frame: string[]): string {
  return `${windows.join('\n')}
select {"g": group[0], "count": aggr::stats::count(), "sum": aggr::stats::sum(event.v), "min": aggr::stats::min(event.v), "max": aggr::stats::max(event.v)}
from in[${frame.join(', ')}] group by set(event.g) into out;`;
}

function number(value: Value): number {
  if (typeof value !== 'number' && !(value instanceof FloatValue)) throw new Error(`expected a number, got ${JSON.stringify(value)}`);
  return value instanceof FloatValue ? value.value : (value as number);
}

/** Runs the stream through the engine; returns outputs and the pipeline's events for acking. */
async function runEngine(source: string, stream: Input[], transactional: boolean) {
  const pipeline = buildPipeline(compileQuery(source, 'property.trickle'), { id: 'property', onError: (error) => { throw error; } });
  const outputs: Event[] = [];
  const insights: Insight[] = [];
  await pipeline.start({ onOutput: (_port, event) => outputs.push(event), onInsight: (_port, insight) => insights.push(insight) });
  pipeline.setTransactional('in', transactional);
  let now = 1_000;
  stream.forEach((input, i) => {
    now += input.gap;
    if (input.tickBefore) pipeline.tick(now - 1);
    pipeline.send('in', { id: new EventId(7, 0, i), data: { g: input.group, v: input.value }, meta: {}, ingestNs: now, transactional, opMeta: {} });
  });
  return { pipeline, outputs, insights };
}

function summary(g: number, values: Array<{ value: number; index: number }>): Output {
  const vs = values.map((v) => v.value);
  const empty = vs.length === 0;
  return { g, count: vs.length, sum: vs.reduce((a, b) => a + b, 0), min: empty ? null : Math.min(...vs), max: empty ? null : Math.max(...vs), covers: values.map((v) => v.index) };
}

/** Tilt frame of size windows s1, s2, ...: window k emits every s1*...*sk events of a group, covering them. */
function sizeModel(sizes: number[], stream: Input[]): Output[] {
  const seen = new Map<number, Array<{ value: number; index: number }>>();
  const outputs: Output[] = [];
  stream.forEach((input, index) => {
    const events = seen.get(input.group) ?? [];
    events.push({ value: input.value, index });
    seen.set(input.group, events);
    let span = 1;
    for (const [frame, size] of sizes.entries()) {
      span *= size;
      if (events.length % span !== 0) break;
      outputs.push({ ...summary(input.group, events.slice(-span)), frame });
    }
  });
  return outputs;
}

/**
 * One interval window: the first event opens a window ending `interval` later; an event at or
 * after the end emits the window without itself and opens the next; a tick at or after the end
 * emits the window only if events arrived since the last emission (Tremor's `events` count, which
 * an event-triggered emission resets with the triggering event already counted), and always
 * moves the end to tick time + interval.
 */
function intervalModel(interval: number, stream: Input[]): Output[] {
  const groups = new Map<number, { end: number; sinceEmit: number; held: Array<{ value: number; index: number }> }>();
  const outputs: Output[] = [];
  let now = 1_000;
  stream.forEach((input, index) => {
    now += input.gap;
    if (input.tickBefore) {
      const tick = now - 1;
      for (const [g, state] of groups) {
        if (state.end > tick) continue;
        if (state.sinceEmit > 0) {
          outputs.push(summary(g, state.held));
          state.held = [];
        }
        state.end = tick + interval;
        state.sinceEmit = 0;
      }
    }
    const state = groups.get(input.group);
    const event = { value: input.value, index };
    if (!state) {
      groups.set(input.group, { end: now + interval, sinceEmit: 1, held: [event] });
      return;
    }
    state.sinceEmit++;
    if (state.end <= now) {
      outputs.push(summary(input.group, state.held));
      state.held = [event];
      state.end = now + interval;
      state.sinceEmit = 0;
    } else state.held.push(event);
  });
  return outputs;
}

function comparable(events: Event[]): Output[] {
  return events.map((event) => {
    const data = event.data as Record<string, Value>;
    return { g: data.g as number, count: data.count as number, sum: number(data.sum), min: data.min === null ? null : number(data.min), max: data.max === null ? null : number(data.max) };
  });
}

function withoutCovers(outputs: Output[]): Output[] {
  return outputs.map(({ covers: _covers, frame: _frame, ...rest }) => rest);
}

describe('windowed aggregates by group, against a direct model', () => {
  it('tumbling size windows and tilt frames of size windows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), inputs, async (sizes, stream) => {
        const names = sizes.map((_, i) => `w${i}`);
        const source = query(sizes.map((size, i) => `define tumbling window w${i} with size = ${size} end;`), names);
        const { outputs } = await runEngine(source, stream, false);
        expect(comparable(outputs)).toEqual(withoutCovers(sizeModel(sizes, stream)));
      }),
      { numRuns: 150 },
    );
  });

  it('tumbling interval windows, closed by events and by ticks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), inputs, async (interval, stream) => {
        const source = query([`define tumbling window w with interval = ${interval} end;`], ['w']);
        const { outputs } = await runEngine(source, stream, false);
        expect(comparable(outputs)).toEqual(withoutCovers(intervalModel(interval, stream)));
      }),
      { numRuns: 150 },
    );
  });

  it('an ack or fail of a window acks or fails exactly the events it covers (fan-in)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), inputs, fc.infiniteStream(fc.boolean()), async (size, upper, stream, verdicts) => {
        // A tilt frame: only the first window's outputs carry delivery (see windowed-select-node.ts).
        const source = query([`define tumbling window a with size = ${size} end;`, `define tumbling window b with size = ${upper} end;`], ['a', 'b']);
        const { pipeline, outputs, insights } = await runEngine(source, stream, true);
        const model = sizeModel([size, upper], stream);
        expect(comparable(outputs)).toEqual(withoutCovers(model));
        const expectedAcks: number[] = [];
        const expectedFails: number[] = [];
        const choices = verdicts[Symbol.iterator]();
        outputs.forEach((output, i) => {
          expect(output.transactional).toBe(model[i].frame === 0);
          if (!output.transactional) return;
          const ack = choices.next().value as boolean;
          (ack ? expectedAcks : expectedFails).push(...model[i].covers!);
          pipeline.contraflow('out', { kind: ack ? 'ack' : 'fail', id: output.id, opMeta: output.opMeta });
        });
        const got = (kind: string) => insights.filter((insight) => insight.kind === kind).map((insight) => insight.id!.eventId).sort((a, b) => a - b);
        expect(got('ack')).toEqual(expectedAcks.sort((a, b) => a - b));
        expect(got('fail')).toEqual(expectedFails.sort((a, b) => a - b));
        // A second ack of the same output settles nothing again.
        const before = insights.length;
        for (const output of outputs) pipeline.contraflow('out', { kind: 'ack', id: output.id, opMeta: output.opMeta });
        expect(insights.length).toBe(before);
      }),
      { numRuns: 100 },
    );
  });
});
