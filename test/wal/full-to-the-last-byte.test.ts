/**
 * A disk full to the last byte must not crash rill. LMDB's writes then fail outright (EFBIG here,
 * ENOSPC on a real disk), and lmdb-js 3.5.6's prebuilt binary formats that error message past the
 * end of a 100-byte buffer: about half the runs of this scenario aborted with "malloc(): corrupted
 * top size" (exit 134). `npm install` builds lmdb-js from source with the messages bounded
 * (bin/build-patched-lmdb.mjs). Each run is a real child process under a real file-size limit
 * (see full-to-the-last-byte-child.ts); with the prebuilt binary (`PREBUILDS_ONLY=1`) the same
 * runs abort.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from './child-process.ts';

const CHILD = join(import.meta.dirname, 'full-to-the-last-byte-child.ts');
const RUNS = 6;
const LIMIT_KIB = 1024;

const base = mkdtempSync(join(tmpdir(), 'rill-wal-full-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a store full to the last byte', () => {
  it('refuses every commit past the limit without crashing, run after run, with the patched lmdb-js', { timeout: 120_000 }, async () => {
    for (let run = 0; run < RUNS; run++) {
      const exit = await runScript(CHILD, [join(base, `wal-${run}`)], { deadlineMs: 60_000, fileSizeLimitKiB: LIMIT_KIB }).exited;
      expect(exit.stdout, `run ${run}: ${exit.stderr.slice(-2000)}`).toMatch(/^DONE /m);
      expect(exit.code, `run ${run} exited with ${exit.code} (${exit.signal})`).toBe(0);
      expect(exit.stdout).toMatch(/^LOADED .*\/lmdb\/build\/Release\/lmdb\.node$/m);
      const done = JSON.parse(/^DONE (.*)$/m.exec(exit.stdout)![1]) as { stored: number; refusedAfterFull: boolean[] };
      // The store did fill up, and the three commits that had to write past the limit were refused.
      expect(done.stored).toBeGreaterThan(100);
      expect(done.refusedAfterFull).toEqual([true, true, true]);
    }
  });
});
