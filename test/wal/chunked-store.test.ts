/**
 * The store keeps records in chunks (chunk.ts: one LMDB value per run of a commit's appends, the
 * removed events marked in the chunk's state). fast-check drives a real store (real LMDB
 * directory) through random appends of records from a few bytes to more than a chunk, removals
 * (of committed events, and of events appended in the same turn), set-asides, commits and
 * close-and-reopen, and checks after every commit against a map of what must be stored: every read
 * (`read`, `get`, `allRecords`, `bounds`), the counters, and that a reopen (whose open checks the
 * counters against the chunks) gives the same. A format-1 store (one record per key) is read as it
 * is read-only and rewritten into chunks when opened for writing.
 */
import fc from 'fast-check';
import { open } from 'lmdb';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteSlab } from '../../engine/byte-slab.ts';
import { CHUNK_BYTES } from '../../operators/qos/wal/chunk.ts';
import { KEY_BYTES, WalStore } from '../../operators/qos/wal/store.ts';
import { temporaryDirectory } from './harness.ts';

const base = temporaryDirectory('rill-wal-chunks-');
afterAll(() => rmSync(base, { recursive: true, force: true }));
const RUNS = Number(process.env.RILL_WAL_MODEL_RUNS ?? 1000) >= 20_000 ? 500 : 60;

type Step =
  | { kind: 'append'; sizes: number[]; inSlab: boolean }
  | { kind: 'remove'; picks: number[] }
  | { kind: 'removeFresh'; size: number }
  | { kind: 'setAside'; pick: number }
  | { kind: 'commit' }
  | { kind: 'reopen' };

const size = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 2000 }) }, { weight: 1, arbitrary: fc.integer({ min: 2000, max: CHUNK_BYTES + 5000 }) });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), sizes: fc.array(size, { minLength: 1, maxLength: 120 }), inSlab: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeFresh' as const), size }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setAside' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** A record whose bytes say which event it is; `slab`: written into it, as the WAL writes its records (one after the other: chunks are views of them). */
function recordOf(seq: number, length: number, slab?: ByteSlab): Buffer {
  if (slab === undefined) {
    const record = Buffer.alloc(length, 97 + (seq % 26));
    record.write(String(seq).slice(0, length));
    return record;
  }
  slab.reserve(length);
  slab.buffer.set(recordOf(seq, length), slab.start);
  return slab.commit(slab.start + length);
}

interface Model {
  stored: Map<number, Buffer>;
  damaged: number;
}

function expectMatches(store: WalStore, model: Model): void {
  const seqs = [...model.stored.keys()].sort((a, b) => a - b);
  const read = store.read(0, store.nextSeq, Number.MAX_SAFE_INTEGER);
  expect(read.map((record) => record.seq)).toEqual(seqs);
  for (const record of read) expect(record.bytes.equals(model.stored.get(record.seq) as Buffer)).toBe(true);
  expect([...store.allRecords()].map((record) => record.seq)).toEqual(seqs);
  expect(store.bounds()).toEqual(seqs.length === 0 ? undefined : { first: seqs[0], last: seqs[seqs.length - 1] });
  let bytes = 0;
  for (const record of model.stored.values()) bytes += KEY_BYTES + record.length;
  expect({ events: store.storedEvents, bytes: store.storedBytes, damaged: store.damagedEvents }).toEqual({ events: seqs.length, bytes, damaged: model.damaged });
  expect({ durableEvents: store.durableStoredEvents, durableBytes: store.durableStoredBytes }).toEqual({ durableEvents: seqs.length, durableBytes: bytes });
  // A removed or never stored event reads as nothing; a stored one as its record.
  for (const seq of [seqs[0] - 1, seqs[0], seqs[seqs.length - 1], store.nextSeq]) {
    if (Number.isNaN(seq) || seq === undefined) continue;
    const stored = model.stored.get(seq);
    expect(store.get(seq)?.equals(stored as Buffer) ?? stored === undefined).toBe(true);
  }
}

describe('the chunked WAL store', () => {
  it('reads, counts and reopens exactly what was appended and not removed', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const dir = join(base, `run-${run++}`);
        let store = await WalStore.open(dir);
        const slab = new ByteSlab();
        const model: Model = { stored: new Map(), damaged: 0 };
        /** Events appended since the last commit (stored, not yet readable). */
        let pending = new Map<number, Buffer>();
        const sizes = new Map<number, number>();
        const commit = async () => {
          await store.commit();
          for (const [seq, record] of pending) model.stored.set(seq, record);
          pending = new Map();
          expectMatches(store, model);
        };
        try {
          for (const current of steps) {
            if (current.kind === 'append') {
              for (const length of current.sizes) {
                const seq = store.nextSeq;
                const record = recordOf(seq, length, current.inSlab ? slab : undefined);
                expect(store.append(record)).toBe(seq);
                pending.set(seq, record);
                sizes.set(seq, length);
              }
            } else if (current.kind === 'remove' || current.kind === 'setAside') {
              const committed = [...model.stored.keys()].sort((a, b) => a - b);
              const picks = current.kind === 'remove' ? current.picks : [current.pick];
              for (const pick of picks) {
                if (committed.length === 0) break;
                const seq = committed.splice(pick % committed.length, 1)[0];
                if (current.kind === 'remove') store.remove(seq, sizes.get(seq) as number);
                else {
                  store.setAside(seq, store.get(seq) as Buffer);
                  model.damaged++;
                }
                model.stored.delete(seq);
              }
            } else if (current.kind === 'removeFresh') {
              // Appended and acked in the same turn: never stored at all, nothing left behind.
              const seq = store.append(recordOf(store.nextSeq, current.size));
              store.remove(seq, current.size);
            } else if (current.kind === 'commit') await commit();
            else {
              await commit();
              await store.close();
              store = await WalStore.open(dir);
              expectMatches(store, model);
            }
          }
          await commit();
          await store.close();
          const reader = await WalStore.openReadOnly(dir);
          try {
            expectMatches(reader, model);
            expect([...reader.damagedRecords()].length).toBe(model.damaged);
          } finally {
            await reader.close();
          }
        } finally {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('stores records that lie one after the other in memory as one chunk, whether appended as views or by their place', async () => {
    const chunkValues = async (dir: string): Promise<number> => {
      const raw = open({ path: dir, maxDbs: 8, readOnly: true });
      const count = raw.openDB<Buffer, number>({ name: 'chunks', encoding: 'binary' }).getKeysCount();
      await raw.close();
      return count;
    };
    for (const how of ['views', 'places'] as const) {
      const dir = join(base, `contiguous-${how}`);
      const store = await WalStore.open(dir);
      const slab = new ByteSlab();
      const records = Array.from({ length: 50 }, (_, seq) => recordOf(seq, 100, slab));
      // The same memory, by views made one by one (`subarray`) or by (buffer, start, end).
      for (const record of records) {
        if (how === 'views') store.append(record);
        else store.appendAt(slab.buffer, record.byteOffset - slab.buffer.byteOffset, record.byteOffset - slab.buffer.byteOffset + record.length);
      }
      // And one record in memory of its own: a chunk of its own.
      store.append(recordOf(50, 100));
      await store.commit();
      expect(store.read(0, 51, 51).map((record) => Buffer.from(record.bytes))).toEqual([...records, recordOf(50, 100)]);
      await store.close();
      expect(await chunkValues(dir)).toBe(2);
    }
  });

  it('rewrites a format-1 store (one record per key, with gaps) into chunks when opened for writing, and reads it as it is read-only', async () => {
    const dir = join(base, 'format-1');
    const raw = open({ path: dir, encoding: 'json', maxDbs: 4 });
    const seqs = [3, 4, 5, 9, 10, 200];
    await raw.put('identity', { magic: 'rill-wal', formatVersion: 1, epoch: 'b'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z' });
    const bytes = seqs.reduce((sum, seq) => sum + KEY_BYTES + recordOf(seq, 40_000).length, 0);
    await raw.put('counters', { storedEvents: seqs.length, storedBytes: bytes, nextSeq: 201, damagedEvents: 0 });
    const events = raw.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
    for (const seq of seqs) await events.put(seq, recordOf(seq, 40_000));
    await raw.close();
    const model: Model = { stored: new Map(seqs.map((seq) => [seq, recordOf(seq, 40_000)])), damaged: 0 };

    const reader = await WalStore.openReadOnly(dir);
    expect(reader.identity.formatVersion).toBe(1);
    expectMatches(reader, model);
    await reader.close();

    const writer = await WalStore.open(dir);
    expect(writer.identity.formatVersion).toBe(2);
    expectMatches(writer, model);
    writer.remove(4, 40_000);
    model.stored.delete(4);
    expect(writer.append(Buffer.from('after'))).toBe(201);
    model.stored.set(201, Buffer.from('after'));
    await writer.close();

    const reopened = await WalStore.openReadOnly(dir);
    expect(reopened.identity.formatVersion).toBe(2);
    expectMatches(reopened, model);
    await reopened.close();
  });
});
