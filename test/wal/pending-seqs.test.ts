/**
 * The WAL's pending events by seq (pending-seqs.ts), against a Map model: whatever sequence of
 * sets, deletes and walks (with deletions during the walk, as the operator's range acks do),
 * every lookup, the size and the walk's contents agree with the Map. The seqs mostly run in order
 * from a moving front, as a WAL's do, and now and then jump far ahead or back (an old event sent
 * again), past the ring's largest size, so the outliers are exercised as well as the ring's growth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingSeqs } from '../../operators/qos/wal/pending-seqs.ts';

/** Further than the ring ever grows (MAX_SLOTS): such a seq must go to the outliers. */
const FAR = 3_000_000;

type Step =
  | { kind: 'emit'; count: number }
  | { kind: 'jump'; by: number }
  | { kind: 'ack'; back: number; span: number }
  | { kind: 'walk'; deleteEvery: number }
  | { kind: 'lookup'; back: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('emit' as const), count: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), by: fc.oneof(fc.integer({ min: -FAR, max: FAR }), fc.integer({ min: -3000, max: 3000 })) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('ack' as const), back: fc.nat(4000), span: fc.nat(800) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('walk' as const), deleteEvery: fc.integer({ min: 1, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('lookup' as const), back: fc.nat(5000) }) },
);

describe('PendingSeqs', () => {
  it('behaves as a Map from seq to record bytes', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(1_000_000), (steps, start) => {
        const pending = new PendingSeqs();
        const model = new Map<number, number>();
        let next = start;
        for (const s of steps) {
          if (s.kind === 'emit') {
            for (let i = 0; i < s.count; i++, next++) {
              const bytes = (next * 7) % 2000;
              pending.set(next, bytes);
              model.set(next, bytes);
            }
          } else if (s.kind === 'jump') {
            next = Math.max(0, next + s.by);
          } else if (s.kind === 'ack') {
            for (let seq = next - s.back; seq <= next - s.back + s.span; seq++) expect(pending.delete(seq)).toBe(model.delete(seq));
          } else if (s.kind === 'walk') {
            let visited = 0;
            const seen: Array<[number, number]> = [];
            for (const [seq, bytes] of pending) {
              seen.push([seq, bytes]);
              if (visited++ % s.deleteEvery === 0) {
                pending.delete(seq);
                model.delete(seq);
              }
            }
            // Each pending seq visited once, with its bytes.
            expect(new Set(seen.map(([seq]) => seq)).size).toBe(seen.length);
            for (const [seq, bytes] of seen) expect(bytes).toBe((seq * 7) % 2000);
          } else {
            const seq = next - s.back;
            expect(pending.get(seq)).toBe(model.get(seq));
            expect(pending.has(seq)).toBe(model.has(seq));
          }
          expect(pending.size).toBe(model.size);
        }
        expect([...pending.keys()].sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
        for (const [seq, bytes] of model) expect(pending.get(seq)).toBe(bytes);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps seqs far apart without a ring as large as the distance between them', () => {
    const pending = new PendingSeqs();
    pending.set(5, 100);
    for (let seq = FAR; seq < FAR + 5000; seq++) pending.set(seq, 1);
    pending.set(2 * FAR, 7);
    expect(pending.size).toBe(5002);
    expect(pending.get(5)).toBe(100);
    expect(pending.get(2 * FAR)).toBe(7);
    expect(pending.get(FAR + 4999)).toBe(1);
    expect(pending.get(FAR + 5000)).toBeUndefined();
    expect(pending.delete(5)).toBe(true);
    expect(pending.get(5)).toBeUndefined();
    expect(pending.size).toBe(5001);
  });
});
