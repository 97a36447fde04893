import { describe, expect, it } from 'vitest';
import { buildPipeline, type BuildPipelineOptions } from '../../engine/build-pipeline.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import type { CompiledQuery, ScriptOutcome } from '../../queries/compiled-query.ts';
import { Diagnostic } from '../../queries/diagnostic.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { event, operator, query, script, select, span, stream } from './hand-built-query.ts';
import { Journal, recordingFactory, type Behaviour } from './recording-operator.ts';

/** A started pipeline whose outputs, insights and errors are recorded in arrival order. */
async function started(compiled: CompiledQuery, options: Partial<BuildPipelineOptions> = {}) {
  const outputs: Array<{ port: string; data: Value; meta: RecordValue; event: Event }> = [];
  const insights: Array<{ input: string; kind: Insight['kind'] }> = [];
  const errors: string[] = [];
  const timeline: string[] = [];
  const pipeline = buildPipeline(compiled, { id: 'test', onError: (_e, rendered) => errors.push(rendered), ...options });
  await pipeline.start({
    onOutput(port, e) {
      outputs.push({ port, data: e.data, meta: e.meta, event: e });
      timeline.push(`output:${port}`);
    },
    onInsight(input, insight) {
      insights.push({ input, kind: insight.kind });
      timeline.push(`insight:${input}:${insight.kind}`);
    },
  });
  return { pipeline, outputs, insights, errors, timeline };
}

function tag(name: string) {
  return (e: { data: Value }) => ({ ...(e.data as RecordValue), path: [...(((e.data as RecordValue).path as Value[]) ?? []), name] });
}

function withRecorders(journal: Journal, behaviours: Record<string, Behaviour> = {}): Partial<BuildPipelineOptions> {
  return { lookupOperator: recordingFactory(journal, behaviours) };
}

describe('executor: events', () => {
  it('fans out depth-first in statement order', async () => {
    const { pipeline, outputs } = await started(
      query(
        stream('a'),
        select('in', 'a', { run: tag('a') }),
        select('in', 'out', { run: tag('direct') }),
        select('a', 'out', { run: tag('a1') }),
        select('a', 'out', { run: tag('a2') }),
      ),
    );
    pipeline.send('in', event({ n: 1 }));
    pipeline.send('in', event({ n: 2 }));
    expect(outputs.map((o) => `${(o.data as RecordValue).n}:${((o.data as RecordValue).path as string[]).join('.')}`)).toEqual([
      '1:a.a1',
      '1:a.a2',
      '1:direct',
      '2:a.a1',
      '2:a.a2',
      '2:direct',
    ]);
  });

  it('gives each branch of a fan-out its own copy of the payload', async () => {
    const mutateInPlace = (e: { data: Value }) => {
      (e.data as RecordValue).touched = true;
      return e.data;
    };
    const { pipeline, outputs } = await started(query(select('in', 'out', { run: mutateInPlace }), select('in', 'out/clean')));
    pipeline.send('in', event({ n: 1 }));
    expect(outputs.map((o) => [o.port, o.data])).toEqual([
      ['out', { n: 1, touched: true }],
      ['out/clean', { n: 1 }],
    ]);
  });

  it('select shapes: simple forwards the event unchanged, normal builds a new payload and keeps $ and ids', async () => {
    const keepEven = (e: { data: Value }) => (((e.data as RecordValue).n as number) % 2 === 0 ? e.data : undefined);
    const { pipeline, outputs } = await started(
      query(
        select('in', 'out', { shape: 'simple', run: (e) => (keepEven(e) === undefined ? undefined : { ignored: true }) }),
        select('in', 'out/normal', { shape: 'normal', run: (e) => ({ doubled: ((e.data as RecordValue).n as number) * 2 }) }),
      ),
    );
    const input = event({ n: 2 });
    input.meta = { m: 'meta' };
    pipeline.send('in', input);
    pipeline.send('in', event({ n: 3 }));
    expect(outputs.map((o) => [o.port, o.data])).toEqual([
      ['out', { n: 2 }],
      ['out/normal', { doubled: 4 }],
      ['out/normal', { doubled: 6 }],
    ]);
    expect(outputs[1].meta).toEqual({ m: 'meta' });
    expect(outputs[1].event.id).toBe(input.id);
    expect(outputs[1].event.ingestNs).toBe(input.ingestNs);
  });

  it('script nodes: emit on a port, drop, and errors as events on the err port with the original $', async () => {
    const outcomes: ScriptOutcome[] = [
      { kind: 'emit', port: 'out', data: { emitted: 1 }, meta: { changed: true } },
      { kind: 'emit', port: 'side', data: { emitted: 2 }, meta: {} },
      { kind: 'drop' },
      { kind: 'error', rendered: 'Error: \n    1 | boom\n      | ^^^^ bad\n\n', data: { at: 'error time' }, meta: { changed: true } },
    ];
    let next = 0;
    const { pipeline, outputs } = await started(
      query(
        script('s', () => ({ run: () => outcomes[next++] })),
        select('in', 's'),
        select('s', 'out'),
        select('s/side', 'out/side'),
        select('s/err', 'err'),
      ),
    );
    for (let i = 0; i < outcomes.length; i++) {
      const e = event({ i });
      e.meta = { original: i };
      pipeline.send('in', e);
    }
    expect(outputs.map((o) => [o.port, o.data, o.meta])).toEqual([
      ['out', { emitted: 1 }, { changed: true }],
      ['out/side', { emitted: 2 }, {}],
      ['err', { error: 'Error: \n    1 | boom\n      | ^^^^ bad\n\n', event: { at: 'error time' } }, { original: 3 }],
    ]);
  });

  it('a select runtime error drops the whole event (no partial outputs), is reported with a caret, and later events go on', async () => {
    const failOnFlag = (e: { data: Value }) => {
      if ((e.data as RecordValue).fail) throw new Diagnostic('Conflicting types, got string but expected record', span(2, 3, 4));
      return e.data;
    };
    const { pipeline, outputs, errors } = await started(query(select('in', 'out'), select('in', 'out', { run: failOnFlag, line: 2 })));
    pipeline.send('in', event({ fail: true }));
    pipeline.send('in', event({ fail: false }));
    expect(outputs.map((o) => o.data)).toEqual([{ fail: false }, { fail: false }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Error: \n/);
    expect(errors[0]).toContain('    2 | select select_1;\n      |   ^^^^ Conflicting types, got string but expected record');
  });

  it('an operator failure drops the event and names the operator; transactional outputs already made are failed back', async () => {
    const journal = new Journal();
    const { pipeline, outputs, errors, insights } = await started(
      query(operator('picky', 'test::recorder'), select('in', 'out'), select('in', 'picky'), select('picky', 'out')),
      withRecorders(journal, { picky: { failOnFlag: true } }),
    );
    pipeline.setTransactional('in', true);
    pipeline.send('in', event({ fail: true }, { transactional: true }));
    expect(outputs).toEqual([]);
    expect(errors).toEqual(['Error: pipeline `test`: operator `picky` failed: picky refused the event']);
    // The `out` output produced before the failure never left, so the source hears `fail` for it.
    expect(insights).toEqual([{ input: 'in', kind: 'fail' }]);
    pipeline.send('in', event({ fail: false }));
    expect(outputs).toHaveLength(2);
  });
});

describe('executor: contraflow', () => {
  /** `first` and `second` declared downstream-first: in -> second -> first -> out. */
  function downstreamDeclaredFirst(): CompiledQuery {
    return query(
      operator('first', 'test::recorder'),
      operator('second', 'test::recorder'),
      select('second', 'first'),
      select('first', 'out'),
      select('in', 'second'),
    );
  }

  it('visits upstream operators in reverse topological order, not declaration order', async () => {
    const journal = new Journal();
    const { pipeline, insights } = await started(downstreamDeclaredFirst(), withRecorders(journal));
    pipeline.contraflow('out', { kind: 'trigger', opMeta: {} });
    expect(journal.entries).toEqual(['first:contraflow:trigger', 'second:contraflow:trigger']);
    expect(insights).toEqual([{ input: 'in', kind: 'trigger' }]);
  });

  it("stops at an operator that returns 'stop'", async () => {
    const journal = new Journal();
    const { pipeline, insights } = await started(downstreamDeclaredFirst(), withRecorders(journal, { first: { absorbs: ['ack'] } }));
    pipeline.setTransactional('in', true);
    pipeline.contraflow('out', { kind: 'ack', opMeta: {} });
    expect(journal.entries).toEqual(['first:contraflow:ack']);
    expect(insights).toEqual([]);
  });

  it('only reaches operators upstream of the output the insight came from', async () => {
    const journal = new Journal();
    const { pipeline } = await started(
      query(
        operator('toOut', 'test::recorder'),
        operator('toSide', 'test::recorder'),
        select('in', 'toOut'),
        select('in', 'toSide'),
        select('toOut', 'out'),
        select('toSide', 'out/side'),
      ),
      withRecorders(journal),
    );
    pipeline.contraflow('out/side', { kind: 'restore', opMeta: {} });
    expect(journal.entries).toEqual(['toSide:contraflow:restore']);
  });

  it('sends trigger/restore to every upstream input, ack/fail only to transactional ones', async () => {
    const { pipeline, insights } = await started(query(select('in', 'out'), select('in/other', 'out')));
    pipeline.setTransactional('in/other', true);
    for (const kind of ['trigger', 'restore', 'ack', 'fail'] as const) pipeline.contraflow('out', { kind, opMeta: {} });
    expect(insights).toEqual([
      { input: 'in', kind: 'trigger' },
      { input: 'in/other', kind: 'trigger' },
      { input: 'in', kind: 'restore' },
      { input: 'in/other', kind: 'restore' },
      { input: 'in/other', kind: 'ack' },
      { input: 'in/other', kind: 'fail' },
    ]);
  });

  it("an operator's insights go to the operators upstream of it (never itself), then the inputs, before the event's outputs", async () => {
    const journal = new Journal();
    const { pipeline, timeline } = await started(
      query(
        operator('down', 'test::recorder'),
        operator('up', 'test::recorder'),
        select('in', 'up'),
        select('up', 'down'),
        select('down', 'out'),
      ),
      withRecorders(journal, { down: { insightOnEvent: 'ack' } }),
    );
    pipeline.setTransactional('in', true);
    pipeline.send('in', event({ n: 1 }, { transactional: true }));
    expect(journal.entries).toEqual(['up:event:in', 'down:event:in', 'up:contraflow:ack']);
    expect(timeline).toEqual(['insight:in:ack', 'output:out']);
  });
});

describe('executor: ticks and later work', () => {
  it('ticks operators in topological order and runs what they emit downstream', async () => {
    const journal = new Journal();
    const { pipeline, outputs } = await started(
      query(
        operator('second', 'test::recorder'),
        operator('first', 'test::recorder'),
        select('in', 'first'),
        select('first', 'second'),
        select('second', 'out'),
      ),
      withRecorders(journal, { first: { emitOnTick: true } }),
    );
    pipeline.tick(1);
    expect(journal.entries).toEqual(['first:tick', 'second:event:in', 'second:tick']);
    expect(outputs.map((o) => o.data)).toEqual([{ tick: 'first' }]);
  });

  it('emitLater runs the graph downstream of the operator; insightLater goes upstream of it', async () => {
    const journal = new Journal();
    const { pipeline, outputs, insights } = await started(
      query(operator('up', 'test::recorder'), operator('later', 'test::recorder'), select('in', 'up'), select('up', 'later'), select('later', 'out')),
      withRecorders(journal),
    );
    const context = journal.contexts.get('later')!;
    context.emitLater('out', event({ late: true }));
    expect(outputs.map((o) => o.data)).toEqual([{ late: true }]);
    expect(journal.entries).toEqual([]);
    context.insightLater({ kind: 'restore', opMeta: {} });
    expect(journal.entries).toEqual(['up:contraflow:restore']);
    expect(insights).toEqual([{ input: 'in', kind: 'restore' }]);
    void pipeline;
  });

  it('work that arrives while a step runs is queued and runs after it, not inside it', async () => {
    const journal = new Journal();
    const order: string[] = [];
    const compiled = query(operator('op', 'test::recorder'), select('in', 'op'), select('op', 'out'));
    const pipeline = buildPipeline(compiled, { id: 're-entry', lookupOperator: recordingFactory(journal) });
    await pipeline.start({
      onOutput(_port, e) {
        order.push(`output:${JSON.stringify(e.data)}`);
        // A sink that reacts synchronously, and an operator callback that fires meanwhile.
        if ((e.data as RecordValue).n === 1) {
          journal.contexts.get('op')!.emitLater('out', event({ n: 'later' }));
          pipeline.send('in', event({ n: 2 }));
          order.push('handler done');
        }
      },
      onInsight() {},
    });
    pipeline.send('in', event({ n: 1 }));
    expect(order).toEqual(['output:{"n":1}', 'handler done', 'output:{"n":"later"}', 'output:{"n":2}']);
  });

  it('close() awaits every operator, and isIdle asks them', async () => {
    const journal = new Journal();
    let busy = true;
    const { pipeline } = await started(
      query(operator('a', 'test::recorder'), operator('b', 'test::recorder'), select('in', 'a'), select('a', 'b')),
      withRecorders(journal, { b: { idle: () => !busy } }),
    );
    expect(pipeline.isIdle()).toBe(false);
    busy = false;
    expect(pipeline.isIdle()).toBe(true);
    await pipeline.close();
    expect(journal.closed).toEqual(['a', 'b']);
  });
});
