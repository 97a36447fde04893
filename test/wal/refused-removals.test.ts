/**
 * Removals (acked records) in a commit the disk refuses are not lost: they are retried with the
 * next commit. For real: a child process (refused-removals-child.ts) drives a WAL store under a
 * soft file-size limit (`ulimit -S -f`), so LMDB cannot write past it (as on a full disk). A
 * commit that removes acked records and appends a record larger than the whole limit is refused
 * (a delete-only commit would not do: LMDB reuses freed pages, so it usually fits); a second
 * refused commit carries the retried removals again. The parent then frees the space (`prlimit`
 * on the running child), the child's next commit lands, and the test checks the records, the
 * counters and `removalsAwaitingRetry` in the child and after reopening the directory.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_BYTES, WalStore } from '../../operators/qos/wal/store.ts';
import { liftFileSizeLimit, runScript } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';
import { AFTER_RECOVERY, RECORD_BYTES, RECORDS, recordFor, REMOVED, type RecoveredReport, type RefusedReport, type StoreView } from './refused-removals-scenario.ts';

const CHILD = fileURLToPath(new URL('./refused-removals-child.ts', import.meta.url));
const FILE_SIZE_LIMIT_KIB = 1024;

const base = temporaryDirectory('rill-wal-retry-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const recordsBytes = (count: number) => count * (KEY_BYTES + RECORD_BYTES);

describe('removals of a refused commit (real file-size limit)', () => {
  it('are retried with the next commit once space is freed, and a reopen shows the same', async () => {
    const dir = join(base, 'wal');
    const run = runScript(CHILD, [dir, String(FILE_SIZE_LIMIT_KIB)], { deadlineMs: 90_000, fileSizeLimitKiB: FILE_SIZE_LIMIT_KIB });
    let refused: RefusedReport | undefined;
    let recovered: RecoveredReport | undefined;
    let liftError: unknown;
    run.onLine((line) => {
      if (line.startsWith('REFUSED ')) {
        refused = JSON.parse(line.slice('REFUSED '.length)) as RefusedReport;
        try {
          liftFileSizeLimit(run.child.pid as number);
          run.child.stdin.write('FREED\n');
        } catch (error) {
          liftError = error;
          run.child.kill('SIGKILL');
        }
      } else if (line.startsWith('RECOVERED ')) {
        recovered = JSON.parse(line.slice('RECOVERED '.length)) as RecoveredReport;
      }
    });
    const exit = await run.exited;
    expect(liftError).toBeUndefined();
    expect(exit.stderr).not.toMatch(/unhandled|ERR_UNHANDLED_REJECTION/i);
    expect({ code: exit.code, signal: exit.signal, timedOut: exit.timedOut }, exit.stderr).toEqual({ code: 0, signal: null, timedOut: false });

    // While full: both commits refused, nothing of them stored, the removals waiting (once, not twice).
    // Reads no longer return the removed events (a chunk marks them at once); that their removal is
    // not durable until the retry lands is what the counters say here and the reopen below checks.
    const beforeRetry: StoreView = { storedEvents: RECORDS, storedBytes: recordsBytes(RECORDS), removalsAwaitingRetry: REMOVED, committedSeqs: range(REMOVED, RECORDS) };
    const full = refused as RefusedReport;
    // The refusal names the store and LMDB's own reason (here a short write, EIO), not lmdb-js's generic "Commit failed".
    for (const message of [full.firstRefusal, full.secondRefusal]) {
      expect(message.startsWith(`${dir}: commit refused (`), message).toBe(true);
      expect(message).not.toContain('Commit failed');
    }
    expect(full.afterFirstRefusal).toEqual(beforeRetry);
    expect(full.afterSecondRefusal).toEqual(beforeRetry);

    // Space freed: the probe commit carried the removals; the two refused appends' seqs are never reused.
    const after = recovered as RecoveredReport;
    const kept = RECORDS - REMOVED;
    expect(after.afterProbe).toEqual({ storedEvents: kept, storedBytes: recordsBytes(kept), removalsAwaitingRetry: 0, committedSeqs: range(REMOVED, RECORDS) });
    const appendedSeq = RECORDS + 2;
    const finalView = {
      storedEvents: kept + 1,
      storedBytes: recordsBytes(kept) + KEY_BYTES + AFTER_RECOVERY.length,
      removalsAwaitingRetry: 0,
      committedSeqs: [...range(REMOVED, RECORDS), appendedSeq],
    };
    expect(after.afterAppend).toEqual({ ...finalView, appendedSeq, nextSeq: appendedSeq + 1 });
    expect(after.changedRecords).toEqual([]);

    // Reopened from disk (read-only, then read-write, whose open checks the counters against the records).
    const inspected = await WalStore.openReadOnly(dir);
    const onDisk = {
      storedEvents: inspected.storedEvents,
      storedBytes: inspected.storedBytes,
      removalsAwaitingRetry: inspected.removalsAwaitingRetry,
      committedSeqs: inspected.read(0, inspected.nextSeq, Number.MAX_SAFE_INTEGER).map((record) => record.seq),
    };
    const nextSeq = inspected.nextSeq;
    const removedStillStored = range(0, REMOVED).filter((seq) => inspected.get(seq) !== undefined);
    const keptIntact = range(REMOVED, RECORDS).every((seq) => inspected.get(seq)?.equals(recordFor(seq)));
    const appended = inspected.get(appendedSeq)?.toString();
    await inspected.close();
    expect(onDisk).toEqual(finalView);
    expect({ nextSeq, removedStillStored, keptIntact, appended }).toEqual({ nextSeq: appendedSeq + 1, removedStillStored: [], keptIntact: true, appended: AFTER_RECOVERY.toString() });

    const reopened = await WalStore.open(dir);
    const counters = { storedEvents: reopened.storedEvents, storedBytes: reopened.storedBytes, nextSeq: reopened.nextSeq, bounds: reopened.bounds() };
    await reopened.close();
    expect(counters).toEqual({ storedEvents: finalView.storedEvents, storedBytes: finalView.storedBytes, nextSeq: appendedSeq + 1, bounds: { first: REMOVED, last: appendedSeq } });
  }, 120_000);
});
