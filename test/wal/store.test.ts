import { open } from 'lmdb';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_BYTES, WalStore, WalStoreError } from '../../operators/qos/wal/store.ts';
import { HarnessContext, startWal, temporaryDirectory } from './harness.ts';

const opened: WalStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function openStore(dir: string | undefined): Promise<WalStore> {
  const store = await WalStore.open(dir, { readCount: 1, maxElements: 10 });
  opened.push(store);
  return store;
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));
}

describe('WAL store', () => {
  it('stores records by sequence number and counts bytes from the records', async () => {
    const store = await openStore(join(temporaryDirectory(), 'wal'));
    const seqs = ['a', 'bb', 'ccc'].map((text) => store.append(Buffer.from(text)));
    expect(seqs).toEqual([0, 1, 2]);
    await store.commit();
    expect(store.storedEvents).toBe(3);
    expect(store.storedBytes).toBe(3 * KEY_BYTES + 6);
    expect(store.read(1, 3, 10).map((r) => [r.seq, r.bytes.toString()])).toEqual([[1, 'bb'], [2, 'ccc']]);
    expect(store.read(0, 3, 2).map((r) => r.seq)).toEqual([0, 1]);
    store.remove(1, 2);
    await store.commit();
    expect(store.read(0, 3, 10).map((r) => r.seq)).toEqual([0, 2]);
    expect(store.bounds()).toEqual({ first: 0, last: 2 });
    expect(store.storedBytes).toBe(2 * KEY_BYTES + 4);
  });

  it('keeps epoch, counters and the next sequence number across a reopen, even when empty', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const first = await WalStore.open(dir);
    const epoch = first.epoch;
    expect(epoch).toMatch(/^[0-9a-f]{32}$/);
    for (let i = 0; i < 5; i++) first.append(Buffer.from(`event ${i}`));
    await first.commit();
    for (let seq = 0; seq < 5; seq++) first.remove(seq, `event ${seq}`.length);
    await first.close();

    const second = await openStore(dir);
    expect(second.epoch).toBe(epoch);
    expect(second.storedEvents).toBe(0);
    expect(second.storedBytes).toBe(0);
    expect(second.bounds()).toBeUndefined();
    expect(second.append(Buffer.from('next'))).toBe(5);
  });

  it('gives different stores different epochs', async () => {
    const a = await openStore(undefined);
    const b = await openStore(undefined);
    expect(a.epoch).not.toBe(b.epoch);
  });

  it('deletes a temporary store on close', async () => {
    const store = await WalStore.open(undefined);
    store.append(Buffer.from('x'));
    const path = store.path;
    expect(existsSync(join(path, 'data.mdb'))).toBe(true);
    await store.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a directory holding other files and leaves it alone', async () => {
    const dir = temporaryDirectory();
    writeFileSync(join(dir, 'notes.txt'), 'precious');
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: not a rill WAL (unexpected file notes.txt); refusing to use it`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses an LMDB environment that is not a rill WAL, without changing it', async () => {
    const dir = temporaryDirectory();
    const foreign = open({ path: dir, encoding: 'json' });
    await foreign.put('hello', 'world');
    await foreign.close();
    const before = snapshot(dir);
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: not a rill WAL (no identity record)`);
    expect(snapshot(dir)['data.mdb']).toBe(before['data.mdb']);
    await expect(WalStore.openReadOnly(dir)).rejects.toThrow(WalStoreError);
  });

  it('refuses a WAL with the wrong magic or format version', async () => {
    for (const [identity, message] of [
      [{ magic: 'other', formatVersion: 1, epoch: '0'.repeat(32) }, 'not a rill WAL (identity magic is "other", expected "rill-wal")'],
      [{ magic: 'rill-wal', formatVersion: 99, epoch: '0'.repeat(32) }, 'unsupported rill WAL format version 99'],
    ] as const) {
      const dir = join(temporaryDirectory(), 'wal');
      await (await WalStore.open(dir)).close();
      const raw = open({ path: dir, encoding: 'json' });
      await raw.put('identity', identity);
      await raw.close();
      await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: ${message}`);
    }
  });

  it('refuses a damaged data file with a message naming the path', async () => {
    const dir = temporaryDirectory();
    writeFileSync(join(dir, 'data.mdb'), Buffer.alloc(8192, 0x5a));
    const before = snapshot(dir);
    await expect(WalStore.open(dir)).rejects.toThrow(new RegExp(`^${dir}: damaged or unreadable WAL`));
    expect(snapshot(dir)['data.mdb']).toBe(before['data.mdb']);
  });

  it('refuses a WAL whose counters disagree with its records', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const store = await WalStore.open(dir);
    store.append(Buffer.from('x'));
    await store.close();
    const raw = open({ path: dir, encoding: 'json' });
    await raw.put('counters', { storedEvents: 7, storedBytes: 9, nextSeq: 1 });
    await raw.close();
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: damaged rill WAL (counters say 7 events, the store holds 1)`);
  });

  it('sets a damaged record aside in one commit with the counters, and a reopen agrees', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const store = await WalStore.open(dir);
    for (const text of ['a', 'bad', 'c']) store.append(Buffer.from(text));
    await store.commit();
    store.setAside(1, Buffer.from('bad'));
    expect({ events: store.storedEvents, bytes: store.storedBytes, damaged: store.damagedEvents }).toEqual({ events: 2, bytes: 2 * KEY_BYTES + 2, damaged: 1 });
    await store.commit();
    expect(store.read(0, 3, 10).map((r) => r.seq)).toEqual([0, 2]);
    await store.close();
    const reopened = await openStore(dir);
    expect({ events: reopened.storedEvents, bytes: reopened.storedBytes, damaged: reopened.damagedEvents }).toEqual({ events: 2, bytes: 2 * KEY_BYTES + 2, damaged: 1 });
    expect([...reopened.damagedRecords()].map((r) => [r.seq, r.bytes.toString()])).toEqual([[1, 'bad']]);
  });

  it('refuses a WAL whose damaged-record count disagrees with its damaged records', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const store = await WalStore.open(dir);
    store.append(Buffer.from('x'));
    await store.close();
    const raw = open({ path: dir, encoding: 'json' });
    await raw.put('counters', { storedEvents: 1, storedBytes: KEY_BYTES + 1, nextSeq: 1, damagedEvents: 3 });
    await raw.close();
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: damaged rill WAL (counters say 3 damaged records set aside, the store holds 0)`);
  });

  it('reads a store written before damaged records were set aside (no `damaged` database, no count)', async () => {
    const dir = temporaryDirectory();
    const raw = open({ path: dir, encoding: 'json', maxDbs: 4 });
    await raw.put('identity', { magic: 'rill-wal', formatVersion: 1, epoch: 'a'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z' });
    await raw.put('counters', { storedEvents: 1, storedBytes: KEY_BYTES + 3, nextSeq: 1 });
    await raw.openDB<Buffer, number>({ name: 'events', encoding: 'binary' }).put(0, Buffer.from('old'));
    await raw.close();
    const reader = await WalStore.openReadOnly(dir);
    expect({ events: reader.storedEvents, damaged: reader.damagedEvents, setAside: [...reader.damagedRecords()] }).toEqual({ events: 1, damaged: 0, setAside: [] });
    await reader.close();
    const writer = await openStore(dir);
    expect({ events: writer.storedEvents, damaged: writer.damagedEvents, record: writer.get(0)?.toString() }).toEqual({ events: 1, damaged: 0, record: 'old' });
  });

  it('opens read-only without changing the data file', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const store = await WalStore.open(dir, { readCount: 3, maxBytes: 1000 });
    store.append(Buffer.from('kept'));
    await store.close();
    const before = snapshot(dir)['data.mdb'];
    const reader = await WalStore.openReadOnly(dir);
    expect(reader.storedEvents).toBe(1);
    expect(reader.storedLimits()).toEqual({ readCount: 3, maxBytes: 1000 });
    await reader.close();
    expect(snapshot(dir)['data.mdb']).toBe(before);
  });
});

describe('WAL location', () => {
  it('lives in <dataDir>/<pipelineId>/<nodeId> when there is a data dir and no dir', async () => {
    const dataDir = temporaryDirectory();
    const wal = await startWal({ read_count: 1, max_elements: 5 }, new HarnessContext(1, dataDir));
    expect((wal as unknown as { path: string }).path).toBe(join(dataDir, 'test', 'wal'));
    await wal.close?.();
    expect(existsSync(join(dataDir, 'test', 'wal', 'data.mdb'))).toBe(true);
  });

  it('resolves a relative dir against the working directory', async () => {
    const cwd = process.cwd();
    const base = temporaryDirectory();
    mkdirSync(join(base, 'sub'));
    process.chdir(base);
    try {
      const wal = await startWal({ read_count: 1, max_elements: 5, dir: 'sub/store' }, new HarnessContext(1));
      expect((wal as unknown as { path: string }).path).toBe(join(base, 'sub', 'store'));
      await wal.close?.();
    } finally {
      process.chdir(cwd);
    }
  });

  it('uses a temporary store removed on close without dir or data dir', async () => {
    const wal = await startWal({ read_count: 1, max_elements: 5 }, new HarnessContext(1));
    const path = (wal as unknown as { path: string }).path;
    expect(existsSync(path)).toBe(true);
    await wal.close?.();
    expect(existsSync(path)).toBe(false);
  });
});
