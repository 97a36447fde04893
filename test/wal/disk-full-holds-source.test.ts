/**
 * A full disk holds the source back until there is room for real work (issue "Durability under
 * faults", item 2). A child process (disk-full-hold-child.ts) runs in -> qos::wal -> out under a
 * real file-size limit (`ulimit -S -f`, the same as a full disk for LMDB), with a numbering
 * transactional source and a sink that acks nothing until the parent frees the space (`prlimit`).
 *
 * Before the fix the WAL restored the source as soon as an empty probe commit (which rewrites only
 * the counters, in pages LMDB had freed) succeeded although the disk was still full; the source
 * then sent, the commit was refused, the WAL triggered again, and lmdb-js printed a stack trace
 * for every refused commit. Checks: no restore while the disk is full, one log line per change of
 * state and no stack trace, and, after the space is freed, every event acked upstream and
 * delivered, with nothing left in the store once all is acked downstream.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liftFileSizeLimit, runScript } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';

const CHILD = join(import.meta.dirname, 'disk-full-hold-child.ts');
const LIMIT_KIB = 1024;
/** 300 events of 10 KB: three times what the limit holds. */
const TOTAL = 300;
/** How long the disk stays full once the WAL triggered: about 30 probes (one per 100 ms tick). */
const HOLD_MS = 3000;

describe('qos::wal on a full disk holds the source back', () => {
  it('does not restore while the disk is still full, logs each change once, and loses nothing', { timeout: 150_000 }, async () => {
    const base = temporaryDirectory();
    try {
      const run = runScript(CHILD, [join(base, 'wal'), String(TOTAL), String(HOLD_MS)], { deadlineMs: 120_000, fileSizeLimitKiB: LIMIT_KIB });
      run.onLine((line) => {
        if (!line.startsWith('HELD ')) return;
        liftFileSizeLimit(run.child.pid as number);
        run.child.stdin.write('FREED\n');
      });
      const exit = await run.exited;
      const stderr = exit.stderr;
      expect(exit.stdout, stderr.slice(-3000)).toMatch(/^DONE /m);
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });

      const held = JSON.parse(/^HELD (.*)$/m.exec(exit.stdout)![1]) as { triggers: number; restoresWhileFull: number };
      expect(held.triggers).toBeGreaterThanOrEqual(1);
      expect(held.restoresWhileFull, 'restores sent upstream while the disk was still full').toBe(0);

      const done = JSON.parse(/^DONE (.*)$/m.exec(exit.stdout)![1]) as { acked: number[]; delivered: number[]; triggers: number; restores: number; storedAfterDrain: number };
      const delivered = new Set(done.delivered);
      expect(done.acked.length).toBe(TOTAL);
      expect(done.acked.filter((n) => !delivered.has(n)), 'acked upstream but never delivered').toEqual([]);
      expect(done.restores).toBeGreaterThanOrEqual(1);
      expect(done.storedAfterDrain).toBe(0);

      // One clear line per change of state, never a stack trace (lmdb-js logs every refused commit).
      expect(stderr, 'a stack trace on stderr').not.toMatch(/^\s+at /m);
      const fullLines = stderr.match(/store full or failing, refusing events/g) ?? [];
      const accepting = stderr.match(/room in the store again, accepting events/g) ?? [];
      expect(fullLines.length, stderr).toBe(done.triggers);
      expect(accepting.length, stderr).toBe(done.restores);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
