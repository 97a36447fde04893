/**
 * The disk-full probe's two commits on a real store: `probe(n)` writes at least n bytes of filler
 * (the data file grows to hold them, as it would for real records), never as events; `endProbe()`
 * deletes it; a filler left behind (a crash between the two) is deleted when the store is opened.
 */
import { open } from 'lmdb';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { temporaryDirectory } from './harness.ts';

const FILLER_BYTES = 2 * 1024 * 1024;

async function fillerKeys(dir: string): Promise<string[]> {
  const root = open({ path: dir, readOnly: true, maxDbs: 4 });
  try {
    return [...root.getKeys({ start: 'probe-', end: 'probe.' })].map(String);
  } finally {
    await root.close();
  }
}

describe('the disk-full probe', () => {
  it('commits a filler that takes real space, not events, deletes it, and a reopen clears a leftover', async () => {
    const base = temporaryDirectory();
    const dir = join(base, 'wal');
    try {
      let store = await WalStore.open(dir, { readCount: 1, maxElements: 10 });
      const sizeBefore = statSync(join(dir, 'data.mdb')).size;
      await store.probe(FILLER_BYTES);
      expect(statSync(join(dir, 'data.mdb')).size - sizeBefore).toBeGreaterThanOrEqual(FILLER_BYTES);
      expect({ stored: store.storedEvents, bytes: store.storedBytes, bounds: store.bounds() }).toEqual({ stored: 0, bytes: 0, bounds: undefined });
      await store.endProbe();
      await store.close();
      expect(await fillerKeys(dir)).toEqual([]);

      // A probe whose deletion never came (the process died between the two commits).
      store = await WalStore.open(dir, { readCount: 1, maxElements: 10 });
      await store.probe(100_000);
      await store.close();
      expect((await fillerKeys(dir)).length).toBeGreaterThan(0);
      store = await WalStore.open(dir, { readCount: 1, maxElements: 10 });
      await store.close();
      expect(await fillerKeys(dir)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
