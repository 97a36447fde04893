/**
 * AckedPrefix under any interleaving of reads, skipped lines, acks (in any order, of ranges, of
 * forgotten events) and fails: the prefix never covers a line that was not acked, a fail restarts
 * at or before the failed line and never before the prefix, and once everything is acked the
 * prefix reaches the end of what was read.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AckedPrefix, type Position } from '../../connectors/acked-prefix.ts';

const LINES = 60;
/** Every line is 10 bytes, so a position's offset must be 10 × its line. */
const at = (line: number): Position => ({ offset: line * 10, line });
/** Lines the source skips (blank or undecodable): never emitted. */
const skipped = (line: number): boolean => line % 7 === 0;

type Op = { kind: 'read' } | { kind: 'ack'; pick: number; width: number } | { kind: 'stale-ack'; pick: number } | { kind: 'fail'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'read' } as const) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat(), width: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stale-ack' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
);

describe('AckedPrefix', () => {
  it('covers only acked lines, restarts fails between the prefix and the failed line, and reaches the end once all is acked', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const prefix = new AckedPrefix(at(0));
        let read = 0;
        let nextNumber = 0;
        /** Event number -> line, for the events the prefix still tracks or may (not forgotten by a fail). */
        const live = new Map<number, number>();
        const everEmitted: number[] = [];
        const ackedLines = new Set<number>();

        const readLine = (): void => {
          const line = ++read;
          if (skipped(line)) {
            ackedLines.add(line);
            prefix.skipped(line * 10, line);
            return;
          }
          live.set(nextNumber, line);
          everEmitted.push(nextNumber);
          prefix.emitted(nextNumber++, line * 10, line);
        };
        const check = (): void => {
          const end = prefix.end;
          expect(end.offset).toBe(end.line * 10);
          for (let line = 1; line <= end.line; line++) expect(ackedLines.has(line), `line ${line} is in the prefix`).toBe(true);
          expect(end.line).toBeLessThanOrEqual(read);
        };

        for (const step of ops) {
          const numbers = [...live.keys()];
          if (step.kind === 'read' && read < LINES) readLine();
          if (step.kind === 'ack' && numbers.length > 0) {
            const first = numbers[step.pick % numbers.length];
            // A range as an aggregate acks it: only the live events in it were delivered.
            for (let n = first; n <= first + step.width; n++) if (live.has(n)) ackedLines.add(live.get(n)!);
            prefix.ack(first, first + step.width);
          }
          if (step.kind === 'stale-ack' && everEmitted.length > 0) {
            const n = everEmitted[step.pick % everEmitted.length];
            if (live.has(n)) ackedLines.add(live.get(n)!);
            prefix.ack(n, n);
          }
          if (step.kind === 'fail' && numbers.length > 0) {
            const n = numbers[step.pick % numbers.length];
            const before = prefix.end.line;
            const restart = prefix.fail(n);
            if (restart !== undefined) {
              expect(restart.line).toBeLessThan(live.get(n)!);
              expect(restart.line).toBeGreaterThanOrEqual(before);
              for (const m of numbers) if (m >= n) live.delete(m);
              read = restart.line;
            }
          }
          check();
        }

        // Liveness: ack everything still tracked, then read and ack the rest of the file.
        for (const [n, line] of live) {
          ackedLines.add(line);
          prefix.ack(n, n);
        }
        while (read < LINES) {
          readLine();
          const n = nextNumber - 1;
          if (live.has(n)) {
            ackedLines.add(live.get(n)!);
            prefix.ack(n, n);
          }
        }
        check();
        expect(prefix.end).toEqual(at(LINES));
        expect(prefix.tracked).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('says the prefix moved when one ack confirms more than a thousand lines at once, twice in a row', () => {
    // Confirmed entries are dropped in bulk once over 1024; the answer must not depend on that.
    // (It did: the file source then never saved its checkpoint and stopped reading at max_in_flight.)
    const prefix = new AckedPrefix(at(0));
    for (let n = 0; n < 2000; n++) prefix.emitted(n, (n + 1) * 10, n + 1);
    expect(prefix.ack(0, 1999)).toBe(true);
    for (let n = 2000; n < 4000; n++) prefix.emitted(n, (n + 1) * 10, n + 1);
    expect(prefix.ack(2000, 3999)).toBe(true);
    expect(prefix.end).toEqual(at(4000));
    expect(prefix.ack(2000, 3999)).toBe(false);
  });
});
