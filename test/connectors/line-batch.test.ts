/**
 * LineBatch's slab reuse (connectors/line-batch.ts): a taken batch keeps its bytes until it is
 * released, whatever is added, taken and released meanwhile and in whatever order writes complete;
 * released slabs are written again (the point of it), and a caller that never releases gets what
 * it always got.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBatch } from '../../connectors/line-batch.ts';

type Step = { kind: 'add'; length: number; utf8: boolean } | { kind: 'take' } | { kind: 'release'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 100, max: 700 })), utf8: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'take' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
);

/** Line n: its number then letters, `length` bytes in all (at least its number). */
function lineOf(n: number, length: number): string {
  const head = `${n}:`;
  return head + 'abcdefghijklmnopqrstuvwxyz'.repeat(30).slice(0, Math.max(0, length - head.length));
}

describe('LineBatch', () => {
  it('never writes over a taken batch before it is released, and gives every line once, in order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        // Small batches (8 per slab of 8 KiB): slabs fill, are replaced and come back often.
        const batch = new LineBatch(1024);
        let next = 0;
        let pending = '';
        let written = '';
        const inFlight: Array<{ bytes: Buffer; text: string }> = [];
        const take = () => {
          const bytes = batch.take();
          if (bytes === undefined) return expect(pending).toBe('');
          expect(bytes.toString()).toBe(pending);
          inFlight.push({ bytes, text: pending });
          pending = '';
        };
        for (const s of steps) {
          if (s.kind === 'add') {
            const line = lineOf(next++, s.length);
            if (s.utf8) {
              const source = Buffer.from(`xx${line}yy`);
              batch.addUtf8({ buffer: source, start: 2, end: source.length - 2, crc: -1, keys: -1 });
            } else batch.add(line);
            pending += `${line}\n`;
          } else if (s.kind === 'take') take();
          else if (inFlight.length > 0) {
            const [done] = inFlight.splice(s.pick % inFlight.length, 1);
            // What the write wrote: still the batch's bytes.
            expect(done.bytes.toString()).toBe(done.text);
            written += done.text;
            batch.release(done.bytes);
          }
          for (const { bytes, text } of inFlight) expect(bytes.toString()).toBe(text);
        }
        take();
        for (const { bytes, text } of inFlight) {
          expect(bytes.toString()).toBe(text);
          written += text;
        }
        // Every line once (in the order the writes completed, batch by batch).
        const lines = written.split('\n').slice(0, -1);
        expect(lines.map((line) => Number(line.slice(0, line.indexOf(':')))).sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, n) => n));
      }),
      { numRuns: 300 },
    );
  });

  it('reuses no slab while any batch cut from it is unreleased, when writes complete out of order', () => {
    const batch = new LineBatch(1024);
    const taken: Array<{ bytes: Buffer; text: string }> = [];
    for (let n = 0; n < 40; n++) {
      batch.add(`${n}:${'y'.repeat(600)}`);
      const bytes = batch.take()!;
      taken.push({ bytes, text: bytes.toString() });
    }
    // Every other write completes; the rest are still going on while more lines come.
    taken.forEach(({ bytes }, n) => n % 2 === 0 && batch.release(bytes));
    for (let n = 0; n < 40; n++) {
      batch.add('z'.repeat(600));
      batch.release(batch.take()!);
    }
    taken.forEach(({ bytes, text }, n) => n % 2 === 1 && expect(bytes.toString()).toBe(text));
  });

  it('writes into a released slab again instead of a new one', () => {
    const batch = new LineBatch(1024);
    const line = 'x'.repeat(1000);
    const slabs = new Set<ArrayBufferLike>();
    for (let n = 0; n < 100; n++) {
      batch.add(line);
      const bytes = batch.take()!;
      slabs.add(bytes.buffer);
      batch.release(bytes);
    }
    // 100 KB through 8 KiB slabs: a slab and its spare, over and over.
    expect(slabs.size).toBeLessThanOrEqual(3);
  });

  it('leaves alone memory it never gave out, however it is released', () => {
    // A file sink's batch (gathered-lines.ts) releases every piece it wrote, views of events' own
    // buffers among them: such a buffer, even one of a slab's size, must never become a slab.
    const batch = new LineBatch(1024);
    const foreign = Buffer.alloc(8 * 1024, 0x66);
    batch.release(foreign);
    batch.release(foreign.subarray(10, 20));
    for (let n = 0; n < 40; n++) {
      batch.add('z'.repeat(1000));
      const bytes = batch.take()!;
      expect(bytes.buffer).not.toBe(foreign.buffer);
      batch.release(bytes);
    }
    expect(foreign.every((byte) => byte === 0x66)).toBe(true);
  });
});
