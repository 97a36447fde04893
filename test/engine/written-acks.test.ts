/**
 * `rill run`'s acks of a written batch (engine/written-acks.ts): a run of consecutive ids becomes
 * one ack whose id names exactly the run's events, for every source it tracks; a gap, another port
 * or other operator metadata starts a new run, so no ack ever names an event that was not written.
 */
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import type { Insight } from '../../engine/insight.ts';
import { WrittenAcks } from '../../engine/written-acks.ts';

const WAL = 7;
const SOURCE = 3;

/** An id as a WAL emits it: its sequence number, derived from the source's line number. */
function walId(seq: number, line: number): EventId {
  return EventId.derivedFrom(WAL, 0, seq, new EventId(SOURCE, 0, line));
}

function sent(acks: WrittenAcks): Array<{ port: string; insight: Insight }> {
  const out: Array<{ port: string; insight: Insight }> = [];
  acks.send((port, insight) => out.push({ port, insight }));
  return out;
}

describe('WrittenAcks', () => {
  it('acks a run of consecutive WAL events with one insight naming each tracked range exactly', () => {
    const acks = new WrittenAcks();
    for (let seq = 10; seq < 20; seq++) acks.add('out', walId(seq, seq + 100), {});
    const out = sent(acks);
    expect(out).toHaveLength(1);
    expect(out[0].port).toBe('out');
    expect(out[0].insight.kind).toBe('ack');
    expect(out[0].insight.id?.rangeFor(WAL)).toEqual({ min: 10, max: 19 });
    expect(out[0].insight.id?.rangeFor(SOURCE)).toEqual({ min: 110, max: 119 });
  });

  it('starts a new run at a gap in any tracked range, at another port and at other operator metadata', () => {
    const acks = new WrittenAcks();
    const opMeta = { 5: 1 };
    acks.add('out', walId(1, 1), {});
    acks.add('out', walId(2, 2), {});
    // seq 3 failed (not written): the run must not cover it.
    acks.add('out', walId(4, 4), {});
    // The source line skips (a blank line): a range naming line 5 would name a line never acked.
    acks.add('out', walId(5, 6), {});
    acks.add('out/p', walId(6, 7), {});
    acks.add('out/p', walId(7, 8), opMeta);
    acks.add('out/p', walId(8, 9), opMeta);
    const ranges = sent(acks).map(({ port, insight }) => [port, insight.id?.rangeFor(WAL), insight.id?.rangeFor(SOURCE), insight.opMeta]);
    expect(ranges).toEqual([
      ['out', { min: 1, max: 2 }, { min: 1, max: 2 }, {}],
      ['out', { min: 4, max: 4 }, { min: 4, max: 4 }, {}],
      ['out', { min: 5, max: 5 }, { min: 6, max: 6 }, {}],
      ['out/p', { min: 6, max: 6 }, { min: 7, max: 7 }, {}],
      ['out/p', { min: 7, max: 8 }, { min: 8, max: 9 }, opMeta],
    ]);
  });

  it('merges ids that track nothing into a range of their own ids', () => {
    const acks = new WrittenAcks();
    for (let n = 0; n < 3; n++) acks.add('out', new EventId(SOURCE, 0, n), {});
    const out = sent(acks);
    expect(out).toHaveLength(1);
    expect(out[0].insight.id?.rangeFor(SOURCE)).toEqual({ min: 0, max: 2 });
  });
});
