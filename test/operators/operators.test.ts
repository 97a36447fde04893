/**
 * The operators of issue 12 through the engine (trickle queries, real executor): counter, batch,
 * bucket, backpressure, percentile, roundrobin, history, and their config errors.
 */
import { describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { compileQuery } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import { runQuery } from '../windows/helpers.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import { TextEvent } from '../../engine/text-event.ts';

function buildFailure(source: string): string {
  try {
    buildPipeline(compileQuery(source, 'op.trickle'), { id: 'op' });
  } catch (error) {
    if (error instanceof CompileError) return error.diagnostics[0].message;
    throw error;
  }
  throw new Error('built');
}

const wire = (definition: string, extra = '') => `${definition};\ncreate operator op;\nselect event from in into op;\nselect event from op into out;\n${extra}`;

describe('generic::counter', () => {
  it('wraps each event with a running count', async () => {
    const { payloads } = await runQuery(wire('define generic::counter operator op'), [{ data: 'a' }, { data: 'b' }]);
    expect(payloads).toEqual([
      { count: 1, event: 'a' },
      { count: 2, event: 'b' },
    ]);
  });
});

describe('generic::batch', () => {
  it('sends `count` payloads as one array, keeping the first ingest time', async () => {
    const { outputs } = await runQuery(wire('define generic::batch operator op with count = 2 end'), [1, 2, 3, 4, 5].map((data, i) => ({ data, ingestNs: 10 + i })));
    expect(outputs.map((o) => o.event.data)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(outputs.map((o) => o.event.ingestNs)).toEqual([10, 12]);
  });

  it('flushes a batch older than `timeout` on the next event or tick', async () => {
    const { payloads } = await runQuery(wire('define generic::batch operator op with count = 100, timeout = 10 end'), [
      { data: 1, ingestNs: 0 },
      { data: 2, ingestNs: 5 },
      { tick: 11 },
      { data: 3, ingestNs: 20 },
      { data: 4, ingestNs: 31 },
    ]);
    expect(payloads).toEqual([[1, 2], [3, 4]]);
  });

  it('an ack of a batch acks every event in it, a fail fails every one', async () => {
    const { pipeline, outputs, insights } = await runQuery(wire('define generic::batch operator op with count = 2 end'), [1, 2, 3, 4].map((data) => ({ data })), { transactional: true });
    expect(outputs.every((o) => o.event.transactional)).toBe(true);
    pipeline.contraflow('out', { kind: 'ack', id: outputs[0].event.id, opMeta: outputs[0].event.opMeta });
    pipeline.contraflow('out', { kind: 'fail', id: outputs[1].event.id, opMeta: outputs[1].event.opMeta });
    expect(insights.map((insight) => [insight.kind, insight.id!.eventId])).toEqual([
      ['ack', 0],
      ['ack', 1],
      ['fail', 2],
      ['fail', 3],
    ]);
  });

  it('rejects a misspelt key with the nearest valid one', () => {
    expect(buildFailure(wire('define generic::batch operator op with cuont = 2 end'))).toBe('generic::batch: unknown key "cuont" (did you mean "count"?)');
    expect(buildFailure(wire('define generic::batch operator op with count = 0 end'))).toBe('generic::batch: `count` must be at least 1, got 0');
  });
});

describe('grouper::bucket', () => {
  const bucket = (script: string) => `define grouper::bucket operator op;
define script s script ${script}; event end;
create operator op; create script s;
select event from in into s; select event from s into op;
select event from op into out; select event from op/overflow into out/overflow; select event from op/err into out/err;`;

  it('passes `$rate` events per dimension and time range, the rest to overflow; no class goes to err', async () => {
    const { outputs } = await runQuery(bucket('let $class = "c"; let $rate = 2; let $dimensions = event'), ['a', 'a', 'a', 'b'].map((data) => ({ data })));
    expect(outputs.map((o) => [o.port, o.event.data])).toEqual([
      ['out', 'a'],
      ['out', 'a'],
      ['out/overflow', 'a'],
      ['out', 'b'],
    ]);
    const none = await runQuery(bucket('let $rate = 2'), [{ data: 1 }]);
    expect(none.outputs.map((o) => o.port)).toEqual(['out/err']);
  });

  it('a new time range passes again', async () => {
    const { outputs } = await runQuery(bucket('let $class = "c"; let $rate = 1; let $time_range = 1000'), [
      { data: 1, ingestNs: 0 },
      { data: 2, ingestNs: 500_000_000 },
      { data: 3, ingestNs: 2_000_000_000 },
    ]);
    expect(outputs.map((o) => o.port)).toEqual(['out', 'out/overflow', 'out']);
  });

  it('takes no config', () => {
    expect(buildFailure(wire('define grouper::bucket operator op with rate = 1 end'))).toContain('grouper::bucket takes no config');
  });
});

describe('qos::backpressure', () => {
  it('after a fail, events within the backoff overflow; an ack resets it', async () => {
    // Steps of seconds, not milliseconds: the backoff runs from the operator's clock at the fail, the
    // events' times below from the test's, and a 1 ms step made the outcome hang on how fast a
    // loaded machine got from one to the other (CI once saw event 2 pass).
    const source = wire('define qos::backpressure operator op with timeout = 100, steps = [1000, 10000] end', 'select event from op/overflow into out/overflow;');
    const { pipeline, outputs } = await runQuery(source, [{ data: 1, ingestNs: 0 }]);
    expect(outputs[0].event.transactional).toBe(true);
    pipeline.contraflow('out', { kind: 'fail', id: outputs[0].event.id, opMeta: outputs[0].event.opMeta });
    // The backoff (1 s, the first step) runs from the fail: an event now overflows, one 5 s later passes.
    const now = Date.now() * 1e6;
    pipeline.send('in', { ...outputs[0].event, data: 2, ingestNs: now });
    pipeline.send('in', { ...outputs[0].event, data: 3, ingestNs: now + 5_000_000_000 });
    pipeline.send('in', { ...outputs[0].event, data: 4, ingestNs: now + 5_000_000_001 });
    expect(outputs.map((o) => [o.port, o.event.data])).toEqual([
      ['out', 1],
      ['out/overflow', 2],
      ['out', 3],
      ['out/overflow', 4],
    ]);
    // An ack ends the backoff at once.
    pipeline.contraflow('out', { kind: 'ack', id: outputs[2].event.id, opMeta: outputs[2].event.opMeta });
    pipeline.send('in', { ...outputs[0].event, data: 5, ingestNs: now + 5_000_000_002 });
    expect(outputs[4].port).toBe('out');
  });

  it('needs a timeout', () => {
    expect(buildFailure(wire('define qos::backpressure operator op with steps = [1] end'))).toBe('qos::backpressure: missing required key "timeout"');
  });
});

describe('qos::percentile', () => {
  it('fails shrink the share of events passed', async () => {
    const source = wire('define qos::percentile operator op with timeout = 100, step_down = 0.5 end', 'select event from op/overflow into out/overflow;');
    const { pipeline, outputs } = await runQuery(source, [{ data: 0, ingestNs: 0xfffe }]);
    expect(outputs[0].port).toBe('out');
    pipeline.contraflow('out', { kind: 'fail', id: outputs[0].event.id, opMeta: outputs[0].event.opMeta });
    // Share 0.5 now: ingest 0xFFFE draws ~1.0 (overflow), 1 draws ~0.0 (passes).
    pipeline.send('in', { ...outputs[0].event, ingestNs: 0xfffe });
    pipeline.send('in', { ...outputs[0].event, ingestNs: 1 });
    expect(outputs.slice(1).map((o) => o.port)).toEqual(['out/overflow', 'out']);
  });
});

describe('qos::roundrobin', () => {
  it('alternates between outputs and skips one whose breaker is triggered', async () => {
    const source = `define qos::roundrobin operator op with outputs = ["a", "b"] end;
create operator op;
select event from in into op;
select event from op/a into out/a;
select event from op/b into out/b;`;
    const { pipeline, outputs } = await runQuery(source, [1, 2, 3].map((data) => ({ data })));
    expect(outputs.map((o) => o.port)).toEqual(['out/a', 'out/b', 'out/a']);
    pipeline.contraflow('out/b', { kind: 'trigger', id: outputs[1].event.id, opMeta: outputs[1].event.opMeta });
    pipeline.send('in', { ...outputs[0].event, data: 4 });
    pipeline.send('in', { ...outputs[0].event, data: 5 });
    expect(outputs.slice(3).map((o) => o.port)).toEqual(['out/a', 'out/a']);
  });
});

describe('debug::history', () => {
  it('appends to the $name array', async () => {
    const source = `define debug::history operator h1 with op = "first", name = "seen" end;
define debug::history operator h2 with op = "second", name = "seen" end;
create operator h1; create operator h2;
select event from in into h1; select event from h1 into h2; select event from h2 into out;`;
    const { outputs } = await runQuery(source, [{ data: 1 }]);
    expect(outputs[0].event.meta.seen).toEqual(['evt: first(5:0:0)', 'evt: second(5:0:0)']);
  });
});

describe('operators passing on an event whose payload is still JSON text (a file or tcp source, a WAL)', () => {
  it.each([
    ['qos::backpressure', 'define qos::backpressure operator op with timeout = 100 end'],
    ['qos::percentile', 'define qos::percentile operator op with timeout = 100 end'],
    ['qos::roundrobin', 'define qos::roundrobin operator op'],
    ['debug::history', 'define debug::history operator op with op = "seen", name = "h" end'],
  ])('%s keeps the payload, unparsed until read', async (_name, definition) => {
    const pipeline = buildPipeline(compileQuery(`${definition};\ncreate operator op;\nselect event from in into op;\nselect event from op into out;\n`, 'op.trickle'), { id: 'op' });
    const received: Event[] = [];
    await pipeline.start({ onOutput: (_port, event) => received.push(event), onInsight: () => {} });
    const sent = new TextEvent(new EventId(1, 0, 0), '{"n":12345678901234567890}', {}, 1, false, {});
    pipeline.send('in', sent);
    expect(received).toHaveLength(1);
    expect(received[0].dataJson).toBe('{"n":12345678901234567890}');
    expect(received[0].data).toEqual({ n: 12345678901234567890n });
    await pipeline.close();
  });
});
