/**
 * Child process of directory-creation.test.ts: opens a WAL store in the directory given as argument
 * and prints `OPENED` or `REFUSED <message>`. A child, so that a regression to a start-up that
 * spins for ever (Node's recursive mkdir under /proc) makes the test fail at its deadline instead
 * of hanging the test worker.
 * Usage: node --import tsx test/wal/open-store-child.ts DIR
 */
import { WalStore, WalStoreError } from '../../operators/qos/wal/store.ts';

try {
  const store = await WalStore.open(process.argv[2]);
  await store.close();
  process.stdout.write('OPENED\n');
} catch (error) {
  if (!(error instanceof WalStoreError)) throw error;
  process.stdout.write(`REFUSED ${error.message}\n`);
}
