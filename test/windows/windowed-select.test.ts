/**
 * Windowed and grouped selects beyond what the corpus covers: each(), eviction, max_groups,
 * having, emit_empty_windows on ticks, window settings' errors and warnings, aggregate values.
 */
import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import { EventId } from '../../engine/event-id.ts';
import { plain, runQuery } from './helpers.ts';

/** A transactional input event numbered 2 (the helper numbers from 0). */
function transactionalEvent2() {
  return { id: new EventId(5, 0, 2), meta: {}, ingestNs: 2, transactional: true, opMeta: {} };
}

function compileFailure(source: string): string {
  try {
    compileQuery(source, 'test.trickle');
  } catch (error) {
    if (error instanceof CompileError) return error.diagnostics[0].message;
    throw error;
  }
  throw new Error('compiled');
}

describe('windowed select', () => {
  it('group by each() puts an event in one group per element', async () => {
    const { payloads } = await runQuery(
      'define tumbling window w with size = 2 end;\nselect {"g": group[0], "n": aggr::stats::count()} from in[w] group by set(each(event.tags)) into out;',
      [{ data: { tags: ['x', 'y'] } }, { data: { tags: ['y'] } }, { data: { tags: ['x'] } }],
    );
    expect(payloads).toEqual([
      { g: 'y', n: 2 },
      { g: 'x', n: 2 },
    ]);
  });

  it('without group by, the group is [null, "[null]"] and `window` is the window name', async () => {
    const { payloads } = await runQuery('define tumbling window w with size = 1 end;\nselect [group, window] from in[w] into out;', [{ data: 1 }]);
    expect(payloads).toEqual([[[null, '[null]'], 'w']]);
  });

  it('group by without windows emits per event with the group value, and keeps no groups', async () => {
    const { payloads, pipeline } = await runQuery('select [group, event.v] from in group by set(event.g, event.h) into out;', [
      { data: { g: 1, h: 'a', v: 9 } },
      { data: { g: 2, h: 'a', v: 8 } },
    ]);
    expect(payloads).toEqual([
      [[1, 'a', '[1,"a"]'], 9],
      [[2, 'a', '[2,"a"]'], 8],
    ]);
    expect(pipeline.stats().select_0.groups).toBe(0);
  });

  it('having filters emitted windows; it sees the output as event', async () => {
    const { payloads } = await runQuery(
      'define tumbling window w with size = 2 end;\nselect {"s": aggr::stats::sum(event)} from in[w] into out having event.s > 3;',
      [1, 2, 3, 4].map((data) => ({ data })),
    );
    expect(plain(payloads)).toEqual([{ s: 7 }]);
  });

  it('an interval window closes on a tick; emit_empty_windows emits a window with no events', async () => {
    const source = (empty: boolean) =>
      `define tumbling window w with interval = 10, emit_empty_windows = ${empty} end;\nselect aggr::stats::count() from in[w] into out;`;
    // e0 opens [0, 10); e1 is in it; the tick at 10 emits 2; the tick at 20 finds it empty.
    const steps = [{ data: 1, ingestNs: 0 }, { data: 2, ingestNs: 5 }, { tick: 10 }, { tick: 20 }];
    expect((await runQuery(source(false), steps)).payloads).toEqual([2]);
    expect((await runQuery(source(true), steps)).payloads).toEqual([2, 0]);
  });

  it('max_groups fails the event that would open one group too many', async () => {
    const { payloads, errors } = await runQuery(
      'define tumbling window w with size = 1, max_groups = 2 end;\nselect group[0] from in[w] group by set(event) into out;',
      ['a', 'b', 'c', 'a'].map((data) => ({ data })),
    );
    expect(payloads).toEqual(['a', 'b', 'a']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('Maximum number of groups reached: 2');
  });

  it('eviction_period drops groups idle for one to two periods, so max_groups counts live ones', async () => {
    const { payloads, errors, pipeline } = await runQuery(
      'define tumbling window w with size = 2, max_groups = 1, eviction_period = 100 end;\nselect [group[0], aggr::win::collect_flattened(event.n)] from in[w] group by set(event.g) into out;',
      [
        { data: { g: 'a', n: 0 }, ingestNs: 0 },
        // Past the period: `a` is retired (kept one more period), so `b` fits under max_groups = 1.
        { data: { g: 'b', n: 1 }, ingestNs: 150 },
        // Past it again: `a`, untouched since, is dropped; it starts afresh without event 0.
        { data: { g: 'a', n: 2 }, ingestNs: 400 },
        { data: { g: 'a', n: 3 }, ingestNs: 410 },
      ],
    );
    expect(errors).toEqual([]);
    expect(payloads).toEqual([['a', [2, 3]]]);
    expect(pipeline.stats().select_0.groups).toBe(2);
  });

  it('aggregates: min/max keep the type, mean/var/stdev are floats, first/last/collect', async () => {
    const { payloads } = await runQuery(
      `define tumbling window w with size = 4 end;
select {"min": aggr::stats::min(event), "max": aggr::stats::max(event), "mean": aggr::stats::mean(event),
  "var": aggr::stats::var(event), "stdev": aggr::stats::stdev(event), "first": aggr::win::first(event),
  "last": aggr::win::last(event), "all": aggr::win::collect_flattened(event)} from in[w] into out;`,
      [2, 4, 4, 6].map((data) => ({ data })),
    );
    expect(plain(payloads)).toEqual([{ min: 2, max: 6, mean: 4, var: 8 / 3, stdev: Math.sqrt(8 / 3), first: 2, last: 6, all: [2, 4, 4, 6] }]);
  });

  it('hdr reports count, min, max, mean and percentiles with 2 significant digits', async () => {
    const values = [...Array(100).keys()].map((i) => (i + 1) * 10);
    const { payloads } = await runQuery(
      'define tumbling window w with size = 100 end;\nselect aggr::stats::hdr(event, ["0.5", "0.99"]) from in[w] into out;',
      values.map((data) => ({ data })),
    );
    const hdr = plain(payloads[0]) as Record<string, unknown>;
    expect(hdr.count).toBe(100);
    expect(hdr.min).toBe(10);
    // 1000 falls in a bucket of width 4 (values 512..1023 have 4-wide buckets): highest equivalent 1003.
    expect(hdr.max).toBe(1003);
    expect(hdr.percentiles).toEqual({ '0.5': 501, '0.99': 991 });
  });

  it('dds percentiles are within 1 % of the exact value', async () => {
    const values = [...Array(1000).keys()].map((i) => i + 1);
    const { payloads } = await runQuery(
      'define tumbling window w with size = 1000 end;\nselect aggr::stats::dds(event, ["0.5", "0.9"]) from in[w] into out;',
      values.map((data) => ({ data })),
    );
    const dds = plain(payloads[0]) as { count: number; percentiles: Record<string, number> };
    expect(dds.count).toBe(1000);
    expect(Math.abs(dds.percentiles['0.5'] - 500) / 500).toBeLessThan(0.011);
    expect(Math.abs(dds.percentiles['0.9'] - 900) / 900).toBeLessThan(0.011);
  });

  it('a non-number given to sum is Tremor\'s bad-type error at the call; a bad percentile a runtime error', async () => {
    const sum = await runQuery('define tumbling window w with size = 2 end;\nselect aggr::stats::sum(event) from in[w] into out;', [{ data: 'x' }]);
    expect(sum.errors[0]).toContain(`      |        ${'^'.repeat('aggr::stats::sum(event)'.length)} Bad type passed to function stats::sum/1`);
    const hdr = await runQuery('define tumbling window w with size = 2 end;\nselect aggr::stats::hdr(event, ["x"]) from in[w] into out;', [{ data: 1 }]);
    expect(hdr.errors[0]).toContain("Runtime error in function stats::hdr/2: Provided percentile 'x' isn't a float");
  });

  it('a window script weighs events; a script value that is not a count is a runtime error', async () => {
    const { errors } = await runQuery('define tumbling window w with size = 2 script "x" end;\nselect aggr::stats::count() from in[w] into out;', [{ data: 1 }]);
    expect(errors[0]).toContain("Data based window didn't provide a valid value");
  });

  it('window settings: Tremor’s errors, and a warning with the nearest name for an unknown one', () => {
    expect(compileFailure('define tumbling window w with max_groups = 1 end;\nselect aggr::stats::count() from in[w] into out;')).toBe(
      'Bad window configuration, either `size` or `interval` is required.',
    );
    expect(compileFailure('define sliding window w with size = 1 end;\nselect aggr::stats::count() from in[w] into out;')).toBe('Sliding windows are not yet implemented');
    expect(compileFailure('select aggr::stats::count() from in[nope] into out;')).toBe('Window `nope` is not defined');
    expect(compileFailure('define tumbling window w with size = 1 end;\ndefine tumbling window w with size = 2 end;\nselect event from in into out;')).toBe('Window `w` is already defined');
    const query = compileQuery('define tumbling window w with size = 1, max_group = 3 end;\nselect aggr::stats::count() from in[w] into out;', 'q.trickle');
    expect(query.warnings.map((w) => [w.message, w.hint])).toEqual([
      ['Unknown window setting `max_group`; windows know size, interval, emit_empty_windows, max_groups, eviction_period', 'Did you mean `max_groups`?'],
    ]);
    const unbounded = compileQuery('define tumbling window w with interval = 1, emit_empty_windows = true end;\nselect aggr::stats::count() from in[w] into out;', 'q.trickle');
    expect(unbounded.warnings.map((w) => w.message)).toEqual([
      '`emit_empty_windows` without `max_groups` or `eviction_period`: groups are never dropped, and each emits every interval',
    ]);
  });

  it('a transactional event the where filters out is acked at once; one in a window waits for the window', async () => {
    const { pipeline, outputs, insights } = await runQuery(
      'define tumbling window w with size = 2 end;\nselect aggr::stats::count() from in[w] where event > 0 into out;',
      [{ data: 0 }, { data: 1 }],
      { transactional: true },
    );
    expect(outputs).toEqual([]);
    expect(insights.map((insight) => [insight.kind, insight.id!.eventId])).toEqual([['ack', 0]]);
    pipeline.send('in', { ...transactionalEvent2(), data: 2 });
    expect(outputs.map((output) => output.event.data)).toEqual([2]);
    pipeline.contraflow('out', { kind: 'ack', id: outputs[0].event.id, opMeta: outputs[0].event.opMeta });
    expect(insights.map((insight) => [insight.kind, insight.id!.eventId])).toEqual([
      ['ack', 0],
      ['ack', 1],
      ['ack', 2],
    ]);
  });

  it('a window whose target fails starts over, and the events it covered are acked once each', async () => {
    const { errors, insights } = await runQuery(
      'define tumbling window w with size = 2 end;\nselect aggr::stats::sum(event) + "x" from in[w] into out;',
      [1, 2, 3, 4].map((data) => ({ data })),
      { transactional: true },
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('The binary operation `+` is not defined');
    expect(insights.map((insight) => [insight.kind, insight.id!.eventId]).sort()).toEqual([
      ['ack', 0],
      ['ack', 1],
      ['ack', 2],
      ['ack', 3],
    ]);
  });

  it('aggregates are rejected outside selects and in where', () => {
    expect(compileFailure('select event from in where aggr::stats::count() > 1 into out;')).toContain('can only be used in the target or `having`');
    expect(compileFailure('select aggr::stats::nope(event) from in into out;')).toBe('Call to undefined function aggr::stats::nope');
  });
});
