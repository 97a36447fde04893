/**
 * The WAL's in-memory cache of recently stored events (recent-events.ts), against a Map model:
 * whatever sequence of adds, takes and refused commits, `take` hands out exactly the event added
 * under that sequence number, or nothing; never another event, never one that was forgotten.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import { RecentEvents, type RecentEvent } from '../../operators/qos/wal/recent-events.ts';
import type { Utf8Parts } from '../../engine/text-event.ts';

const CAPACITY = 8;
/** Room for about five of the test's records (600 bytes and up), so the byte bound bites too. */
const MAX_BYTES = 3100;

type Step = { kind: 'add' } | { kind: 'skip' } | { kind: 'take'; ahead: number } | { kind: 'refuse'; back: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'add' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'skip' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const), ahead: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refuse' as const), back: fc.nat(CAPACITY + 2) }) },
);

function scratch(): RecentEvent {
  return { originalId: new EventId(0, 0, 0), ingestNs: 0, opMeta: {}, meta: {}, buffer: Buffer.alloc(0), start: 0, end: 0, tail: undefined, crc: -1, keys: -1, recordBytes: 0 };
}

/**
 * A stand-in payload text `text` amid other bytes of its buffer (as a line lies in a source's
 * read buffer), its last `tailBytes` bytes as a second piece, with a CRC and key set to carry.
 */
function textOf(text: string, tailBytes = 0): Utf8Parts {
  const bytes = Buffer.from(text);
  const head = bytes.subarray(0, bytes.length - tailBytes);
  const buffer = Buffer.concat([Buffer.from('x'.repeat(LEADING_BYTES)), head, Buffer.from('\nrest')]);
  return { buffer, start: LEADING_BYTES, end: LEADING_BYTES + head.length, tail: Buffer.from(bytes.subarray(bytes.length - tailBytes)), crc: bytes.length, keys: 3 };
}
const LEADING_BYTES = 7;

function payloadOf(into: RecentEvent): string {
  return into.buffer.toString('utf8', into.start, into.end) + (into.tail?.toString('utf8') ?? '');
}

describe('RecentEvents', () => {
  it('hands out exactly what was added under a sequence number, or nothing', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const recent = new RecentEvents(CAPACITY, MAX_BYTES);
        /** What the cache may still hand out: seq -> payload. */
        const kept = new Map<number, number>();
        let nextSeq = 0;
        let nextRead = 0;
        const into = scratch();
        for (const s of steps) {
          if (s.kind === 'add' || s.kind === 'skip') {
            // 'skip': a stored event the cache never sees (as when the WAL refuses nothing but
            // the window was full); the cache must not hand out anything for it.
            const seq = nextSeq++;
            if (s.kind === 'add') {
              recent.add(seq, new EventId(1, 0, seq), { ingestNs: seq * 10, opMeta: {}, meta: { seq } }, textOf(`{"payload":${seq}}`, seq % 3), 600 + seq);
              kept.set(seq, seq);
            }
          } else if (s.kind === 'take') {
            const seq = Math.min(nextRead + s.ahead, nextSeq);
            const found = recent.take(seq, into);
            if (found) {
              expect(kept.has(seq)).toBe(true);
              expect(payloadOf(into)).toBe(`{"payload":${kept.get(seq)}}`);
              expect(into.originalId.eventId).toBe(seq);
              expect(into.ingestNs).toBe(seq * 10);
              expect(into.recordBytes).toBe(600 + seq);
              expect(into.crc).toBe(Buffer.byteLength(`{"payload":${seq}}`));
              expect(into.keys).toBe(3);
              // A second piece only where there was one.
              expect(into.tail === undefined).toBe(seq % 3 === 0);
              expect(into.meta).toEqual({ seq });
            }
            // Taken or not, nothing at or below seq is handed out again (the WAL reads on past it).
            for (const key of [...kept.keys()]) if (key <= seq) kept.delete(key);
            nextRead = seq + 1;
          } else {
            const from = Math.max(nextRead, nextSeq - s.back);
            recent.forgetFrom(from);
            for (const key of [...kept.keys()]) if (key >= from) kept.delete(key);
          }
          expect(recent.size).toBeLessThanOrEqual(CAPACITY);
          expect(recent.bytes).toBeLessThanOrEqual(MAX_BYTES);
          if (recent.size === 0) expect(recent.bytes).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps consecutive events up to its capacity, then starts again once emptied', () => {
    const recent = new RecentEvents(2, 1_000_000);
    const into = scratch();
    for (let seq = 0; seq < 4; seq++) recent.add(seq, new EventId(1, 0, seq), { ingestNs: 0, opMeta: {}, meta: {} }, textOf(String(seq)), 1);
    expect(recent.size).toBe(2);
    expect(recent.take(0, into)).toBe(true);
    expect(recent.take(1, into)).toBe(true);
    expect(recent.take(2, into)).toBe(false);
    recent.add(4, new EventId(1, 0, 4), { ingestNs: 0, opMeta: {}, meta: {} }, textOf('4'), 1);
    expect(recent.take(4, into)).toBe(true);
    expect(payloadOf(into)).toBe('4');
  });

  it('keeps every event as its ring grows past its first size, with the window anywhere in it', () => {
    // The ring starts at 1,024 slots and doubles while the window is full: entries move slots then.
    const recent = new RecentEvents(5_000, 100_000_000);
    const into = scratch();
    let next = 0;
    let taken = 0;
    const add = (count: number) => {
      for (let i = 0; i < count; i++, next++) recent.add(next, new EventId(1, 0, next), { ingestNs: next, opMeta: {}, meta: { n: next } }, textOf(`{"n":${next}}`, next % 2), 20);
    };
    const take = (count: number) => {
      for (let i = 0; i < count; i++, taken++) {
        expect(recent.take(taken, into)).toBe(true);
        expect(payloadOf(into)).toBe(`{"n":${taken}}`);
        expect(into.meta).toEqual({ n: taken });
        expect(into.ingestNs).toBe(taken);
      }
    };
    add(700);
    take(300);
    add(2_600);
    expect(recent.size).toBe(3_000);
    take(1_000);
    add(2_900);
    expect(recent.size).toBe(4_900);
    take(4_900);
    expect(recent.size).toBe(0);
  });

  it('keeps no more than its byte bound, and has room again once events are taken', () => {
    const recent = new RecentEvents(100, 2_000);
    const into = scratch();
    const add = (seq: number, bytes: number) => recent.add(seq, new EventId(1, 0, seq), { ingestNs: 0, opMeta: {}, meta: {} }, textOf(String(seq)), bytes);
    add(0, 1_500);
    add(1, 1_000);
    expect(recent.size).toBe(1);
    expect(recent.bytes).toBe(1_500);
    expect(recent.take(0, into)).toBe(true);
    expect(recent.bytes).toBe(0);
    add(2, 1_000);
    add(3, 1_000);
    expect(recent.size).toBe(2);
    expect(recent.take(1, into)).toBe(false);
    expect(recent.take(2, into)).toBe(true);
    expect(recent.bytes).toBe(1_000);
  });
});
