/**
 * Child process of refused-removals.test.ts, started under a soft file-size limit (`ulimit -S -f`)
 * so that LMDB cannot write past that size (EFBIG, as on a full disk). Drives a real WAL store:
 *
 * 1. Stores RECORDS records and commits them (they fit).
 * 2. In one turn, acks (removes) the first REMOVED of them and appends a record larger than the
 *    whole file-size limit: that commit must be refused whatever pages LMDB could reuse, and its
 *    removals are queued for retry. Then, still full, appends another oversized record alone: that
 *    commit carries the retried removals and is refused too.
 *    Prints `REFUSED <json>` and waits for a `FREED` line on stdin (the parent lifts the limit).
 * 3. Probes (an empty commit, as the WAL operator does on ticks while full): it carries the retried
 *    removals and lands. Then appends one more record and commits it.
 *    Prints `RECOVERED <json>`, closes the store and exits 0.
 *
 * Usage: node --import tsx test/wal/refused-removals-child.ts WAL_DIR FILE_SIZE_LIMIT_KIB
 * Why an oversized record: LMDB reuses pages freed by earlier commits, so a commit that only
 * removes records (or adds a small one) may still fit on a "full" disk; one whose new record is
 * larger than the whole limit cannot, so the refusal does not depend on LMDB's page allocation.
 * Its write starts below the limit, so it ends as a short write (EIO). A store filled to the last
 * byte is avoided on purpose: there a write fails outright (EFBIG), the case
 * full-to-the-last-byte.test.ts covers (lmdb-js 3.5.6's prebuilt binary overruns an error-message
 * buffer there; `npm install` builds a fixed one).
 */
import { createInterface } from 'node:readline';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { AFTER_RECOVERY, RECORD_BYTES, RECORDS, recordFor, REMOVED, type RecoveredReport, type RefusedReport, type StoreView } from './refused-removals-scenario.ts';

function view(store: WalStore): StoreView {
  return {
    storedEvents: store.storedEvents,
    storedBytes: store.storedBytes,
    removalsAwaitingRetry: store.removalsAwaitingRetry,
    committedSeqs: store.read(0, store.nextSeq, Number.MAX_SAFE_INTEGER).map((record) => record.seq),
  };
}

/** The commit's error message, or a line saying it was not refused (the parent's assertions then fail). */
async function refusal(commit: Promise<void>): Promise<string> {
  try {
    await commit;
    return 'NOT REFUSED';
  } catch (error) {
    return (error as Error).message;
  }
}

async function main(): Promise<void> {
  const [dir, limitKiB] = [process.argv[2], Number(process.argv[3])];
  const oversized = Buffer.alloc(2 * limitKiB * 1024, 'x');
  const store = await WalStore.open(dir);

  for (let i = 0; i < RECORDS; i++) store.append(recordFor(i));
  await store.commit();

  for (let seq = 0; seq < REMOVED; seq++) store.remove(seq, RECORD_BYTES);
  store.append(oversized);
  const firstRefusal = await refusal(store.commit());
  const afterFirstRefusal = view(store);

  store.append(oversized);
  const secondRefusal = await refusal(store.commit());
  const afterSecondRefusal = view(store);
  const refused: RefusedReport = { firstRefusal, afterFirstRefusal, secondRefusal, afterSecondRefusal };
  process.stdout.write(`REFUSED ${JSON.stringify(refused)}\n`);

  const lines = createInterface({ input: process.stdin });
  const line = await lines[Symbol.asyncIterator]().next();
  lines.close();
  if (line.value !== 'FREED') throw new Error(`expected FREED on stdin, got ${JSON.stringify(line.value)}`);

  await store.probe(1024);
  await store.endProbe();
  const afterProbe = view(store);
  const appendedSeq = store.append(AFTER_RECOVERY);
  await store.commit();
  const afterAppend = { ...view(store), appendedSeq, nextSeq: store.nextSeq };
  const changedRecords = afterAppend.committedSeqs.filter((seq) => seq !== appendedSeq && !store.get(seq)?.equals(recordFor(seq)));
  await store.close();
  const recovered: RecoveredReport = { afterProbe, afterAppend, changedRecords };
  process.stdout.write(`RECOVERED ${JSON.stringify(recovered)}\n`);
}

await main();
