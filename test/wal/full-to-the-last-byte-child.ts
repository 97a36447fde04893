/**
 * Child process of full-to-the-last-byte.test.ts, started under a soft file-size limit
 * (`ulimit -S -f`): fills a real WAL store with 2 KB records, one commit each, until a commit is
 * refused, so the store file ends at the limit; then makes three more commits that each delete
 * records and add one, which LMDB must write past the limit. Those writes fail outright (EFBIG,
 * as ENOSPC on a disk full to the last byte), the path where lmdb-js 3.5.6's prebuilt binary
 * formats an error message past the end of its 100-byte buffer and the process often aborts
 * ("malloc(): corrupted top size"). Prints `LOADED <path of lmdb's native addon>`, then `DONE <json>`
 * and exits 0 if it survives.
 *
 * Usage: node --import tsx test/wal/full-to-the-last-byte-child.ts WAL_DIR
 */
import { WalStore } from '../../operators/qos/wal/store.ts';

const RECORD = Buffer.alloc(2048, 'r');
const MAX_RECORDS = 10_000;

async function refused(commit: Promise<void>): Promise<boolean> {
  try {
    await commit;
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  const store = await WalStore.open(process.argv[2]);
  const report = process.report?.getReport() as { sharedObjects?: string[] } | undefined;
  const addon = report?.sharedObjects?.find((path) => path.includes('lmdb') && path.endsWith('.node'));
  process.stdout.write(`LOADED ${addon ?? 'unknown'}\n`);
  let stored = 0;
  for (; stored < MAX_RECORDS; stored++) {
    store.append(RECORD);
    if (await refused(store.commit())) break;
  }
  const refusedAfterFull: boolean[] = [];
  for (let round = 0; round < 3; round++) {
    for (let seq = round * 10; seq < round * 10 + 10; seq++) store.remove(seq, RECORD.length);
    store.append(RECORD);
    refusedAfterFull.push(await refused(store.commit()));
  }
  await store.close();
  process.stdout.write(`DONE ${JSON.stringify({ stored, refusedAfterFull })}\n`);
}

await main();
