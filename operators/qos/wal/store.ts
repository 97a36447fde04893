/**
 * The WAL's durable store: one LMDB environment per directory (lmdb-js).
 *
 * On-disk layout (format version 2)
 * ---------------------------------
 * `<dir>/data.mdb`, `<dir>/lock.mdb`: one LMDB environment; `<dir>/rill-wal.lock` while a rill
 * process has the store open for writing (store-lock.ts: one process per store); nothing else.
 * - Root database (JSON values), three keys:
 *   - `"identity"` -> `{"magic":"rill-wal","formatVersion":2,"epoch":"<32 hex digits>","createdAt":"<ISO time>"}`,
 *     written once when the store is created. The random epoch names this store for ever: with a
 *     sequence number it forms the delivery id (`$.wal = {epoch, seq}`) receivers use to drop duplicates.
 *   - `"counters"` -> `{"storedEvents":n,"storedBytes":n,"nextSeq":n,"damagedEvents":n}`, rewritten in every commit, in
 *     the same transaction as the records it counts (the last durable counters plus the commit's
 *     changes; this store is the only writer and commits one batch at a time, so they can never
 *     disagree with the records, even when a commit fails). `storedBytes` is the sum over
 *     stored records of (8 key bytes + record bytes), never the file size (LMDB files do not shrink).
 *     `nextSeq` is never reused, even when the store is empty, so delivery ids stay unique.
 *     `damagedEvents` counts the records in `damaged` (absent in stores written before it: 0).
 *   - `"limits"` -> the operator config (`readCount`, `maxElements`, `maxBytes`, `maxInFlight`) of the
 *     last run, for `rill wal inspect` only.
 *   - `"probe-0"`, `"probe-1"`, ... -> filler strings of PROBE_PIECE_BYTES, only between the two
 *     commits of a disk-full probe (`probe`, then `endProbe`); any that a crash left behind are
 *     deleted when the store is opened.
 * - Database `"chunks"`: key = the first sequence number of a chunk (lmdb-js ordered-binary, numeric
 *   order), value = the records (record.ts) of a run of consecutive sequence numbers that one commit
 *   appended, up to ~64 KiB (chunk.ts has the value's layout and says why chunks).
 * - Database `"chunk-state"`: same keys, value = the chunk's record count and lengths, and which of its events
 *   are removed (acked, dead-lettered or set aside). An ack marks its event in the same commit that
 *   counts it, so acks are persisted per event; a chunk's two values are deleted in the commit that
 *   removes its last event. A stored event is one whose chunk exists and does not mark it removed.
 * - Format version 1 (rill before chunks) kept one record per key in a database `"events"`. Such a
 *   store is read as it is read-only (`rill wal inspect`), and rewritten into chunks, in one
 *   transaction, when it is opened for writing.
 * - Database `"damaged"`: key = sequence number, value = a record that failed its checksum or could
 *   not be decoded (record.ts), set aside for inspection. A record is set aside in one transaction,
 *   with the counters (`storedEvents`/`storedBytes` down, `damagedEvents` up) and its chunk's state
 *   (marked removed). An event of a chunk whose records value is damaged (lengths that do not add up)
 *   is set aside as an empty record.
 *
 * Before LMDB maps `data.mdb`, its meta pages are checked (checkLmdbHeader): LMDB trusts them, and a
 * file shorter than the pages they say it uses (a truncated copy) kills the process with SIGBUS on
 * the first read past its end; such a file is refused with the path and the reason instead.
 *
 * When things are persisted: `append`/`remove` queue work in memory; at the end of the current
 * JavaScript turn (a microtask) everything queued becomes one lmdb-js `batch` (one LMDB transaction,
 * executed on lmdb-js's writer thread, with one promise for the whole commit).
 * One commit runs at a time: whatever is queued while it runs becomes the next one (group commit). The
 * environment is opened with `overlappingSync: false` and without `noSync`: with lmdb-js defaults on
 * Linux (`overlappingSync: true`) a write promise resolves when the commit is *visible*, before the
 * fdatasync; with `overlappingSync: false` LMDB syncs inside `mdb_txn_commit`, so the promise returned
 * by `commit()` resolves only once the commit is durable on disk.
 *
 * A refused commit (disk full, EFBIG, MDB_MAP_FULL) rejects `commit()`'s promise with a
 * WalStoreError naming the path and LMDB's reason, and stores nothing of its batch; its deletions are queued again with the next batch. The environment is opened with
 * `eventTurnBatching: false` so that lmdb-js creates no promise that nobody handles (see
 * openEnvironment): a failing commit must never become an unhandled rejection.
 */
import type { Database, RootDatabase } from 'lmdb';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { accessSync, closeSync, constants, existsSync, fstatSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Chunk, CHUNK_BYTES, MAX_CHUNK_RECORDS, splitRecords } from './chunk.ts';
import { ChunkIndex } from './chunk-index.ts';
import { AppendColumns, RemovalColumns, SpareColumns } from './batch-columns.ts';
import { silenceLmdbCommitErrors } from './lmdb-console.ts';
import { WalStoreError } from './store-error.ts';
import { STORE_LOCK_FILE, StoreLock } from './store-lock.ts';

const requireFromHere = createRequire(import.meta.url);

export const WAL_MAGIC = 'rill-wal';
export const WAL_FORMAT_VERSION = 2;
/** rill before chunks: one record per key in the database `events` (still read, see above). */
const FORMAT_VERSION_PER_EVENT = 1;
/** Bytes a record's key counts for in `storedBytes`. */
export const KEY_BYTES = 8;
const PROBE_KEY_PREFIX = 'probe-';
/** Just past every `probe-<i>` key in the root database's key order. */
const PROBE_KEYS_END = 'probe.';
const PROBE_PIECE_BYTES = 16 * 1024;
const PROBE_PIECE = 'f'.repeat(PROBE_PIECE_BYTES);
const STORE_FILES = ['data.mdb', 'lock.mdb', STORE_LOCK_FILE];
/** Where a new store is written before its data.mdb is linked into place (createStaged). */
const STAGING_PREFIX = '.rill-creating-';

export interface WalIdentity {
  magic: string;
  formatVersion: number;
  epoch: string;
  createdAt: string;
}

export interface WalCounters {
  storedEvents: number;
  storedBytes: number;
  nextSeq: number;
  damagedEvents: number;
}

export interface WalLimitsRecord {
  readCount: number;
  maxElements?: number;
  maxBytes?: number;
  maxInFlight?: number;
}

export interface StoredRecord {
  seq: number;
  bytes: Buffer;
}

export { WalStoreError };

/** What one commit writes. Flat arrays, no object per record: this is the per-event hot path. */
interface PendingBatch {
  /**
   * The sequence number of the first append: appends take consecutive numbers, so append i is
   * firstSeq + i. Append i is `appends.buffers[i]` from `appends.starts[i]` to `appends.ends[i]`: the WAL's records
   * are places in its slabs (record.ts), not a Buffer view each (an object per event to make, and to
   * keep alive until the commit); records one after the other in the same buffer are contiguous.
   */
  firstSeq: number;
  /** Handed back (batch-columns.ts) once the commit's writes are queued: undefined after that. */
  appends: AppendColumns | undefined;
  /** With each removed event's record bytes (kept to count them again if the commit is refused); handed back once the commit settles. */
  removals: RemovalColumns | undefined;
  /** Damaged records set aside into `damaged` (rare: no per-event cost when empty). */
  setAside: StoredRecord[];
  /** Committed chunks whose removed events changed: their state is rewritten (or both values deleted). */
  touched: Set<Chunk>;
  /** Removed events of this batch's own appends (no chunk yet): marked when its chunks are cut. */
  removedAppends: number[];
  eventsDelta: number;
  bytesDelta: number;
  /** A disk-full probe: write this many filler pieces, or (0) delete those written. */
  probePieces?: number;
  damagedDelta: number;
  durable: Promise<void>;
  settle: (error?: unknown) => void;
}

export class WalStore {
  private batch: PendingBatch | undefined;
  /** Columns of settled batches, for the next ones (batch-columns.ts). */
  private readonly spareAppends = new SpareColumns(() => new AppendColumns());
  private readonly spareRemovals = new SpareColumns(() => new RemovalColumns());
  /** The commit in progress (settled, never rejected), if any. */
  private committing: Promise<void> | undefined;
  /** Deletions of a refused commit, queued again with the next batch. */
  private readonly refusedRemovals = new RemovalColumns();
  /** Damaged records a refused commit did not set aside, queued again with the next batch. */
  private readonly retrySetAside: StoredRecord[] = [];
  /** Chunks whose state a refused commit did not write, written with the next batch. */
  private readonly retryTouched: Chunk[] = [];
  /** The records of the chunk read last (reads go through a chunk in order, one event at a time). */
  private lastRead: { chunk: Chunk; records: Buffer[] | undefined } | undefined;
  /** The counters record as the last successful commit wrote it. */
  private durableCounters: WalCounters;
  /** Filler pieces of durable probes not deleted yet (`probe-0` up to this). */
  private probePiecesStored = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly identity: WalIdentity,
    private readonly root: RootDatabase,
    /** Records values by chunk; in a format-1 store opened read-only, the `events` database (one record per key). */
    private readonly chunkRecords: Database<Buffer, number> | undefined,
    private readonly chunkStates: Database<Buffer, number> | undefined,
    /** Undefined only read-only, in a store written before damaged records were set aside. */
    private readonly damaged: Database<Buffer, number> | undefined,
    private readonly index: ChunkIndex,
    /** A format-1 store opened read-only: every record is its own chunk of one, unframed. */
    private readonly perEventRecords: boolean,
    private counters: WalCounters,
    private readonly temporary: boolean,
    private readonly lock: StoreLock | undefined,
  ) {
    this.durableCounters = { ...counters };
  }

  /**
   * Opens (or creates) the WAL in `dir`; with no `dir`, a temporary store deleted on close.
   * Refuses a directory that holds anything but a rill WAL, without changing it, and one that
   * another WalStore (in this process or another) has open.
   */
  static async open(dir: string | undefined, limits?: WalLimitsRecord): Promise<WalStore> {
    const temporary = dir === undefined;
    const path = dir ?? mkdtempSync(join(tmpdir(), 'rill-wal-'));
    const state = classifyDirectory(path);
    if (state === 'new') createDirectory(path);
    const lock = StoreLock.acquire(path);
    let root: RootDatabase | undefined;
    try {
      removeStaging(path);
      if (state === 'new') await createStaged(path);
      checkLmdbHeader(path);
      checkWritable(path);
      root = await openEnvironment(path, false);
      let identity = readIdentity(root, path);
      const chunkRecords = root.openDB<Buffer, number>({ name: 'chunks', encoding: 'binary' });
      const chunkStates = root.openDB<Buffer, number>({ name: 'chunk-state', encoding: 'binary' });
      const damaged = root.openDB<Buffer, number>({ name: 'damaged', encoding: 'binary' });
      if (identity.formatVersion === FORMAT_VERSION_PER_EVENT) identity = rewriteIntoChunks(root, identity, chunkRecords, chunkStates, path);
      const index = readChunkIndex(chunkRecords, chunkStates, path);
      const counters = readCounters(root, index, damaged, path);
      const store = new WalStore(path, identity, root, chunkRecords, chunkStates, damaged, index, false, counters, temporary, lock);
      if (limits) await root.put('limits', limits);
      const fillers = [...root.getKeys({ start: PROBE_KEY_PREFIX, end: PROBE_KEYS_END })];
      const environment = root;
      if (fillers.length > 0) await environment.transaction(() => fillers.forEach((key) => environment.remove(key)));
      return store;
    } catch (error) {
      await root?.close();
      lock.release();
      if (temporary) rmSync(path, { recursive: true, force: true });
      throw error;
    }
  }

  /** Opens an existing WAL read-only (for `rill wal inspect`): nothing in `dir` is changed. */
  static async openReadOnly(dir: string): Promise<WalStore> {
    if (classifyDirectory(dir) === 'new') throw new WalStoreError(`${dir}: not a rill WAL (no such directory or it is empty)`);
    // No lock file and no writability check: reading needs neither (without lock.mdb and without
    // the right to create it, LMDB reads without one), and the store may be in use.
    checkLmdbHeader(dir);
    const root = await openEnvironment(dir, true);
    try {
      const identity = readIdentity(root, dir);
      // `create: false` (an lmdb-js option its types omit): inspecting never creates anything.
      const existing = (name: string) => root.openDB<Buffer, number>({ name, encoding: 'binary', create: false } as { name: string }) as Database<Buffer, number> | undefined;
      // Undefined in a store written before damaged records were set aside (nothing creates it read-only).
      const damaged = existing('damaged');
      const perEvent = identity.formatVersion === FORMAT_VERSION_PER_EVENT;
      const chunkRecords = existing(perEvent ? 'events' : 'chunks');
      const chunkStates = perEvent ? undefined : existing('chunk-state');
      const index = perEvent ? perEventIndex(chunkRecords) : readChunkIndex(chunkRecords, chunkStates, dir);
      return new WalStore(dir, identity, root, chunkRecords, chunkStates, damaged, index, perEvent, readCounters(root, index, damaged, dir), false, undefined);
    } catch (error) {
      void root.close();
      throw error;
    }
  }

  get epoch(): string {
    return this.identity.epoch;
  }

  /** Events stored or queued for storing, not yet acked (in-memory view, ahead of the disk by one commit). */
  get storedEvents(): number {
    return this.counters.storedEvents;
  }

  get storedBytes(): number {
    return this.counters.storedBytes;
  }

  /** Events on disk as of the last durable commit (what a crash now would leave): the status line's `stored`. */
  get durableStoredEvents(): number {
    return this.durableCounters.storedEvents;
  }

  get durableStoredBytes(): number {
    return this.durableCounters.storedBytes;
  }

  get nextSeq(): number {
    return this.counters.nextSeq;
  }

  /** Damaged records set aside (or queued for setting aside). */
  get damagedEvents(): number {
    return this.counters.damagedEvents;
  }

  storedLimits(): WalLimitsRecord | undefined {
    return this.root.get('limits') as WalLimitsRecord | undefined;
  }

  /**
   * Queues a record; it is durable when the promise of the current `commit()` resolves. Records
   * that are views of the same memory, one after the other, go into one chunk value as a view of
   * it (as the WAL's own appendAt records do).
   */
  append(bytes: Buffer): number {
    return this.appendAt(wholeBufferOf(bytes), bytes.byteOffset, bytes.byteOffset + bytes.length);
  }

  /**
   * Queues the record that is `buffer` from `start` to `end` (as `append`). Its bytes must stay as
   * they are until the commit has settled: lmdb-js reads them on its writer thread.
   */
  appendAt(buffer: Buffer, start: number, end: number): number {
    const batch = this.openBatch();
    const seq = this.counters.nextSeq++;
    const appends = batch.appends as AppendColumns;
    if (appends.count === 0) batch.firstSeq = seq;
    appends.push(buffer, start, end);
    const bytes = end - start;
    batch.eventsDelta += 1;
    batch.bytesDelta += KEY_BYTES + bytes;
    this.counters.storedEvents += 1;
    this.counters.storedBytes += KEY_BYTES + bytes;
    return seq;
  }

  /** Queues the deletion of an acked record of `recordBytes` bytes. */
  remove(seq: number, recordBytes: number): void {
    this.queueRemoval(this.openBatch(), seq, recordBytes);
  }

  /** Acked events whose deletion a refused commit left undone (they are retried with the next batch). */
  get removalsAwaitingRetry(): number {
    return this.refusedRemovals.count;
  }

  /**
   * Queues the move of the damaged record `seq` (of `bytes`, as read) out of `events` into
   * `damaged`: it is no longer a stored event, and it is kept for inspection.
   */
  setAside(seq: number, bytes: Buffer): void {
    // A copy: what a read hands out may be lmdb-js's memory, not ours to keep until the commit.
    this.queueSetAside(this.openBatch(), { seq, bytes: Buffer.from(bytes) });
  }

  private queueSetAside(batch: PendingBatch, record: StoredRecord): void {
    batch.setAside.push(record);
    this.markRemoved(batch, record.seq);
    batch.eventsDelta -= 1;
    batch.bytesDelta -= KEY_BYTES + record.bytes.length;
    batch.damagedDelta += 1;
    this.counters.storedEvents -= 1;
    this.counters.storedBytes -= KEY_BYTES + record.bytes.length;
    this.counters.damagedEvents += 1;
  }

  private queueRemoval(batch: PendingBatch, seq: number, recordBytes: number): void {
    (batch.removals as RemovalColumns).push(seq, recordBytes);
    this.markRemoved(batch, seq);
    batch.eventsDelta -= 1;
    batch.bytesDelta -= KEY_BYTES + recordBytes;
    this.counters.storedEvents -= 1;
    this.counters.storedBytes -= KEY_BYTES + recordBytes;
  }

  /**
   * Marks `seq` removed in its chunk, whose state the batch then writes. Already marked when a
   * refused commit's removal is queued again: the chunk is in retryTouched then.
   */
  private markRemoved(batch: PendingBatch, seq: number): void {
    const chunk = this.index.find(seq);
    if (chunk !== undefined) {
      if (chunk.markRemoved(seq)) batch.touched.add(chunk);
    } else if (seq >= batch.firstSeq && seq < batch.firstSeq + (batch.appends as AppendColumns).count) batch.removedAppends.push(seq);
  }

  /**
   * The durable commit of everything queued in this turn (a resolved promise if nothing is).
   * It rejects if LMDB refuses the commit (disk full, ...): then none of it was stored.
   */
  commit(): Promise<void> {
    return this.batch ? this.batch.durable : Promise.resolve();
  }

  /**
   * How a full store finds out whether there is room again: a commit that writes a filler of
   * at least `fillerBytes` bytes (root keys `"probe-<i>"`, never events), which LMDB can only store
   * in free pages of its file or by growing the file, as real records. In pieces the size of large
   * events, so that free pages scattered by deleted records count, as they would for real ones.
   * An empty commit is no test: it rewrites the counters in pages LMDB freed itself, which
   * succeeds on a full disk.
   */
  probe(fillerBytes: number): Promise<void> {
    this.openBatch().probePieces = Math.max(1, Math.ceil(fillerBytes / PROBE_PIECE_BYTES));
    return this.commit();
  }

  /** Commits the deletions a refused commit left undone, on their own (an empty commit if none). */
  retryRemovals(): Promise<void> {
    this.openBatch();
    return this.commit();
  }

  /** Deletes the filler of successful probes, so that its pages are free for real records. */
  endProbe(): Promise<void> {
    this.openBatch().probePieces = 0;
    return this.commit();
  }

  /** Up to `limit` committed records with `fromSeq <= seq < endSeq`, in order (removed ones not). */
  read(fromSeq: number, endSeq: number, limit: number): StoredRecord[] {
    const records: StoredRecord[] = [];
    if (fromSeq >= endSeq || limit <= 0) return records;
    for (const record of this.committedRecords(fromSeq)) {
      if (record.seq >= endSeq) break;
      records.push(record);
      if (records.length === limit) break;
    }
    return records;
  }

  /** Every committed record, in order (for `rill wal inspect --verify`). */
  allRecords(): Iterable<StoredRecord> {
    return this.committedRecords(0);
  }

  /** The committed records not removed, from `fromSeq` on, in order. */
  private *committedRecords(fromSeq: number): Iterable<StoredRecord> {
    for (const chunk of this.index.from(fromSeq)) {
      // Uncommitted chunks are the newest: nothing committed follows them.
      if (!chunk.committed) return;
      if (chunk.remaining === 0) continue;
      const records = this.recordsOf(chunk);
      for (let seq = Math.max(fromSeq, chunk.firstSeq); seq < chunk.endSeq; seq++) {
        if (!chunk.isRemoved(seq)) yield { seq, bytes: records[seq - chunk.firstSeq] };
      }
    }
  }

  /**
   * A committed chunk's records, as views of its value read from LMDB. A value that does not hold
   * the chunk's records (damaged, or missing) gives empty records, which fail to decode: the WAL
   * sets its events aside as damaged (an empty record keeps none of the damaged bytes).
   */
  private recordsOf(chunk: Chunk): Buffer[] {
    if (this.lastRead?.chunk === chunk && this.lastRead.records !== undefined) return this.lastRead.records;
    const value = this.chunkRecords?.get(chunk.firstSeq);
    let records: Buffer[] | undefined;
    if (value !== undefined) records = this.perEventRecords ? [value] : splitRecords(value, chunk.lengths);
    records ??= new Array<Buffer>(chunk.count).fill(Buffer.alloc(0));
    this.lastRead = { chunk, records };
    return records;
  }

  /** Every record set aside as damaged, in order. */
  *damagedRecords(): Iterable<StoredRecord> {
    if (this.damaged === undefined) return;
    for (const { key, value } of this.damaged.getRange({})) yield { seq: key, bytes: value };
  }

  /** One committed record, if stored and not removed. */
  get(seq: number): Buffer | undefined {
    const chunk = this.index.find(seq);
    if (chunk === undefined || !chunk.committed || chunk.isRemoved(seq)) return undefined;
    return this.recordsOf(chunk)[seq - chunk.firstSeq];
  }

  /** Lowest and highest stored sequence numbers (committed records only, removed ones not). */
  bounds(): { first: number; last: number } | undefined {
    let first: number | undefined;
    for (const chunk of this.index.from(0)) {
      if (!chunk.committed) break;
      if (chunk.remaining === 0) continue;
      for (let seq = chunk.firstSeq; first === undefined; seq++) if (!chunk.isRemoved(seq)) first = seq;
      break;
    }
    if (first === undefined) return undefined;
    let last = first;
    for (const chunk of this.index.reversed()) {
      if (!chunk.committed || chunk.remaining === 0) continue;
      for (let seq = chunk.endSeq - 1; seq >= chunk.firstSeq; seq--) {
        if (!chunk.isRemoved(seq)) {
          last = seq;
          break;
        }
      }
      break;
    }
    return { first, last };
  }

  /** Waits for every queued commit, then closes the environment (and deletes a temporary one). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.committing !== undefined || this.batch !== undefined) {
      if (this.committing === undefined && this.batch !== undefined) this.seal(this.batch);
      await this.committing;
    }
    await this.root.close();
    this.lock?.release();
    if (this.temporary) rmSync(this.path, { recursive: true, force: true });
  }

  private openBatch(): PendingBatch {
    if (this.closed) throw new WalStoreError(`${this.path}: WAL store is closed`);
    if (this.batch) return this.batch;
    let settle!: (error?: unknown) => void;
    const durable = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Callers attach their own handlers; this one keeps an unobserved rejection from crashing the process.
    durable.catch(() => undefined);
    const batch: PendingBatch = {
      firstSeq: 0, appends: this.spareAppends.take(), removals: this.spareRemovals.take(), setAside: [], touched: new Set(), removedAppends: [], eventsDelta: 0, bytesDelta: 0, damagedDelta: 0, durable, settle,
    };
    this.batch = batch;
    const retried = this.refusedRemovals;
    for (let i = 0; i < retried.count; i++) this.queueRemoval(batch, retried.seqs[i], retried.bytes[i]);
    retried.clear();
    for (const record of this.retrySetAside.splice(0)) this.queueSetAside(batch, record);
    for (const chunk of this.retryTouched.splice(0)) batch.touched.add(chunk);
    queueMicrotask(() => {
      if (this.committing === undefined && this.batch === batch) this.seal(batch);
    });
    return batch;
  }

  /**
   * Commits `batch` as one transaction. One commit at a time: whatever is queued while it runs
   * (any number of turns) becomes the next transaction, sealed as soon as this one settles. This
   * is the group commit.
   */
  private seal(batch: PendingBatch): void {
    this.batch = undefined;
    const counters = this.countersAfter(batch);
    const created = this.cutIntoChunks(batch);
    // Defined: only a writable store commits, and its open creates these databases.
    const records = this.chunkRecords as Database<Buffer, number>;
    const states = this.chunkStates as Database<Buffer, number>;
    // One `batch`: lmdb-js writes it as one transaction on its writer thread (the B-tree work is
    // off the JavaScript thread) and returns one promise for all of it, settled after the commit's
    // fsync (overlappingSync off).
    const appends = batch.appends as AppendColumns;
    // lmdb-js runs the callback at once: the writes are queued (with views of the records) when it returns.
    const committed = this.root.batch(() => {
      for (const chunk of created) {
        if (chunk.remaining === 0) continue;
        // Its records lie one after the other in one buffer (cutIntoChunks cut it so): a view of them.
        const from = chunk.firstSeq - batch.firstSeq;
        void records.put(chunk.firstSeq, appends.buffers[from].subarray(appends.starts[from], appends.ends[chunk.endSeq - batch.firstSeq - 1]));
        void states.put(chunk.firstSeq, chunk.stateValue());
      }
      for (const chunk of batch.touched) {
        // A chunk of a refused commit was never stored: nothing to write.
        if (!chunk.committed) continue;
        if (chunk.remaining === 0) {
          void records.remove(chunk.firstSeq);
          void states.remove(chunk.firstSeq);
          if (!chunk.deleted) this.index.delete(chunk);
        } else void states.put(chunk.firstSeq, chunk.stateValue());
      }
      for (const { seq, bytes } of batch.setAside) void this.damaged?.put(seq, bytes);
      void this.root.put('counters', counters);
      if (batch.probePieces === 0) for (let i = 0; i < this.probePiecesStored; i++) void this.root.remove(PROBE_KEY_PREFIX + i);
      else if (batch.probePieces !== undefined) for (let i = 0; i < batch.probePieces; i++) void this.root.put(PROBE_KEY_PREFIX + i, PROBE_PIECE);
    });
    batch.appends = undefined;
    this.spareAppends.giveBack(appends);
    this.committing = committed.then(
      () => {
        for (const chunk of created) chunk.committed = true;
        this.durableCounters = counters;
        if (batch.probePieces !== undefined) this.probePiecesStored = batch.probePieces === 0 ? 0 : Math.max(this.probePiecesStored, batch.probePieces);
        // The next commit starts before anyone hears that this one landed: what the WAL does then
        // (acks upstream, emitting the committed events, the sink writing them) runs on the
        // JavaScript thread while LMDB writes and syncs the next batch. Sealed after the landing's
        // work, the batch waited for it, and LMDB sat idle meanwhile (1 to 3 ms of every 7 to 18 ms
        // commit cycle of a whole-process file -> wal -> file flow).
        this.sealNext();
        this.handBackRemovals(batch);
        batch.settle();
      },
      async (error: unknown) => {
        // Never stored: these sequence numbers are a gap, as the puts of a refused commit always were.
        for (const chunk of created) this.index.delete(chunk);
        this.refuse(batch, new WalStoreError(`${this.path}: commit refused (${await refusalReason(error)})`));
        this.sealNext();
      },
    );
  }

  /** The commit in progress has settled: whatever was queued meanwhile becomes the next one. */
  private sealNext(): void {
    this.committing = undefined;
    if (this.batch !== undefined) this.seal(this.batch);
  }

  private refuse(batch: PendingBatch, error: WalStoreError): void {
    // Nothing of the batch was stored: take it back out of the in-memory counters. Its deletions
    // were acked downstream, so they are queued again (and counted again) with the next batch; not
    // at once, which would spin on failing commits while the disk stays full.
    this.counters.storedEvents -= batch.eventsDelta;
    this.counters.storedBytes -= batch.bytesDelta;
    this.counters.damagedEvents -= batch.damagedDelta;
    const removals = batch.removals as RemovalColumns;
    for (let i = 0; i < removals.count; i++) this.refusedRemovals.push(removals.seqs[i], removals.bytes[i]);
    this.handBackRemovals(batch);
    this.retrySetAside.push(...batch.setAside);
    this.retryTouched.push(...batch.touched);
    batch.settle(error);
  }

  /** The batch's removals are no longer needed (its commit landed, or they were queued for a retry). */
  private handBackRemovals(batch: PendingBatch): void {
    if (batch.removals === undefined) return;
    this.spareRemovals.giveBack(batch.removals);
    batch.removals = undefined;
  }

  /**
   * The chunks of the batch's appends (consecutive sequence numbers from batch.firstSeq), each closed
   * at CHUNK_BYTES or MAX_CHUNK_RECORDS, and where the next record does not follow it in memory (a
   * new slab), so that a chunk's value is a view of the records, not a copy. Added to the index
   * (uncommitted until the commit lands).
   */
  private cutIntoChunks(batch: PendingBatch): Chunk[] {
    const created: Chunk[] = [];
    const { buffers: putBuffers, starts: putStarts, ends: putEnds, count } = batch.appends as AppendColumns;
    let first = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      bytes += putEnds[i] - putStarts[i];
      const last = i === count - 1;
      if (last || bytes >= CHUNK_BYTES || i + 1 - first === MAX_CHUNK_RECORDS || putBuffers[i + 1] !== putBuffers[i] || putStarts[i + 1] !== putEnds[i]) {
        const lengths = new Uint32Array(i + 1 - first);
        for (let j = first; j <= i; j++) lengths[j - first] = putEnds[j] - putStarts[j];
        const chunk = new Chunk(batch.firstSeq + first, lengths);
        this.index.add(chunk);
        created.push(chunk);
        first = i + 1;
        bytes = 0;
      }
    }
    for (const seq of batch.removedAppends) this.index.find(seq)?.markRemoved(seq);
    // Removed before they were ever stored: nothing to write.
    for (const chunk of created) if (chunk.remaining === 0) this.index.delete(chunk);
    return created;
  }

  /**
   * The counters record once `batch` is committed. This store is the environment's only writer and
   * commits one batch at a time, so the last durable counters plus the batch's changes are exactly
   * what a read-modify-write inside the transaction would give.
   */
  private countersAfter(batch: PendingBatch): WalCounters {
    const lastSeq = batch.firstSeq + (batch.appends as AppendColumns).count - 1;
    return {
      storedEvents: this.durableCounters.storedEvents + batch.eventsDelta,
      storedBytes: this.durableCounters.storedBytes + batch.bytesDelta,
      nextSeq: Math.max(this.durableCounters.nextSeq, lastSeq + 1),
      damagedEvents: this.durableCounters.damagedEvents + batch.damagedDelta,
    };
  }
}

/**
 * One Buffer over the whole memory of each ArrayBuffer that `append`ed records lie in: appends
 * are recognised as one after the other by that Buffer's identity and their offsets (cutIntoChunks),
 * so views of the same memory made one by one (`subarray`) must share it.
 */
const wholeBuffers = new WeakMap<ArrayBufferLike, Buffer>();

function wholeBufferOf(bytes: Buffer): Buffer {
  let whole = wholeBuffers.get(bytes.buffer);
  if (whole === undefined) {
    whole = Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength);
    wholeBuffers.set(bytes.buffer, whole);
  }
  return whole;
}

/**
 * Why LMDB refused a commit (e.g. "No space left on device"). lmdb-js rejects the commit with a
 * generic "Commit failed (see commitError for details)" and attaches the real error as a second
 * promise, `commitError`, which rejects too (already settled when the commit rejects, in lmdb-js
 * 3.5.6); one macrotask bounds the wait should it not be.
 */
async function refusalReason(error: unknown): Promise<string> {
  const generic = error instanceof Error ? error.message : String(error);
  const underlying = (error as { commitError?: Promise<unknown> }).commitError;
  if (underlying === undefined) return generic;
  const nextMacrotask = new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
  const cause = await Promise.race([underlying.then(() => undefined, (reason: unknown) => reason), nextMacrotask]);
  return cause instanceof Error ? cause.message : generic;
}

type DirectoryState = 'new' | 'existing';

/**
 * Creates `path` and any missing parents, or refuses with the reason. Not `mkdirSync(path,
 * { recursive: true })`: on Node 20 that spins for ever when the parent cannot hold a directory
 * (a path under /proc: mkdir fails with ENOENT although the parent exists, and libuv retries).
 * So: find the nearest existing ancestor, check that it is a directory, then create the missing
 * levels one at a time, each error becoming the refusal.
 */
/**
 * Creates a new store in a staging directory inside `path`, commits its identity durably, and only
 * then links its data.mdb into `path` and syncs `path`. A power cut during creation therefore
 * leaves either no data.mdb (a new store is created at the next start; the leftover staging
 * directory is removed) or a complete one, never a half-written data.mdb that would be refused as
 * damaged (the power-cut harness found that gap: a cut before LMDB's first fdatasync). Inside
 * `path`, not beside it, so that a `dir` that is a mount point works too. `link`, not `rename`:
 * if another process created the store meanwhile, its data.mdb is kept and this one discarded.
 */
async function createStaged(path: string): Promise<void> {
  const staging = mkdtempSync(join(path, STAGING_PREFIX));
  try {
    const root = await openEnvironment(staging, false);
    try {
      await initialise(root);
    } finally {
      await root.close();
    }
    try {
      linkSync(join(staging, 'data.mdb'), join(path, 'data.mdb'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new WalStoreError(`${path}: cannot create the WAL (${(error as Error).message})`);
    }
    syncDirectory(path);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Staging directories a process killed while creating the store left behind (the caller holds the lock). */
function removeStaging(path: string): void {
  for (const name of readdirSync(path)) if (name.startsWith(STAGING_PREFIX)) rmSync(join(path, name), { recursive: true, force: true });
}

/** fsync of a directory, so that a rename in it survives a power cut. */
function syncDirectory(dir: string): void {
  const descriptor = openSync(dir, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

function createDirectory(path: string): void {
  const missing: string[] = [];
  let ancestor = path;
  while (!existsSync(ancestor)) {
    missing.unshift(ancestor);
    ancestor = dirname(ancestor);
  }
  const refuse = (reason: string) => new WalStoreError(`${path}: cannot create the WAL directory (${reason})`);
  if (!statSync(ancestor).isDirectory()) throw refuse(`${ancestor} is a file, not a directory`);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      // Created meanwhile by someone else: fine if it is a directory.
      if (code === 'EEXIST' && statSync(level, { throwIfNoEntry: false })?.isDirectory()) continue;
      // ENOENT although the parent exists: a file system such as /proc that takes no new directories.
      const hint = code === 'ENOENT' && existsSync(dirname(level)) ? `; ${dirname(level)} does not accept new directories` : '';
      throw refuse(`${message}${hint}`);
    }
  }
}

function classifyDirectory(path: string): DirectoryState {
  if (!existsSync(path)) return 'new';
  if (!statSync(path).isDirectory()) throw new WalStoreError(`${path}: not a rill WAL (it is a file, not a directory)`);
  // A staging directory (createStaged) is not part of the store: a creation in progress, or one a
  // killed process left, which `open` removes once it holds the lock.
  const entries = readdirSync(path).filter((name) => !name.startsWith(STAGING_PREFIX));
  // A lock file alone: a process killed while creating the store, before its data.mdb was in place.
  if (entries.every((name) => name === STORE_LOCK_FILE)) return 'new';
  const foreign = entries.filter((name) => !STORE_FILES.includes(name));
  if (foreign.length > 0) {
    throw new WalStoreError(`${path}: not a rill WAL (unexpected ${foreign.length === 1 ? 'file' : 'files'} ${foreign.slice(0, 3).join(', ')}); refusing to use it`);
  }
  if (!entries.includes('data.mdb')) throw new WalStoreError(`${path}: not a rill WAL (no data.mdb)`);
  return 'existing';
}

// LMDB meta pages (pages 0 and 1; mdb.c's MDB_meta after a 24-byte page header): page flags at
// byte 18 (P_META = 0x08), magic 0xBEEFC0DE at 24, data format version at 28, page size at 48, the
// root pages (uint64) of the free-space and main B-trees at 88 and 136, the last page in use
// (uint64) at 144, the committing transaction id (uint64) at 152. LMDB trusts these and can crash
// the process on a garbage or truncated file, so they are checked before LMDB sees it.
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_DATA_VERSION = 2;
const META_BYTES = 160;
const ROOT_OFFSETS = [88, 136];
/** An empty B-tree's root (P_INVALID). */
const NO_ROOT = 0xffffffffffffffffn;
/**
 * How many pages a healthy data.mdb may lack at its end: LMDB does not write a page that a
 * transaction allocated and freed again (a "loose" page) and that no later commit reused, yet counts
 * it in the last page number. In 7,500 commits of the WAL's appends and deletes the file lacked one
 * page 9 times, never more; this allows a few times that. A file cut within this margin is not
 * detected (unless it cuts a root page).
 */
const UNWRITTEN_TAIL_PAGES = 32;

/**
 * Refuses a data.mdb LMDB would crash on: no valid meta pages, or shorter than the pages its newest
 * meta page says are in use (less a small margin, UNWRITTEN_TAIL_PAGES) or than its root pages. LMDB
 * maps the file and reads pages in place; past the end of a truncated file that read is SIGBUS,
 * which kills the process with no message.
 */
function checkLmdbHeader(path: string): void {
  const file = join(path, 'data.mdb');
  const damaged = (what: string) => new WalStoreError(`${path}: damaged or unreadable WAL (data.mdb ${what}); refusing to use it`);
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch (error) {
    throw new WalStoreError(`${path}: cannot read data.mdb (${(error as Error).message})`);
  }
  try {
    const size = fstatSync(descriptor).size;
    const first = Buffer.alloc(META_BYTES);
    if (readSync(descriptor, first, 0, META_BYTES, 0) < META_BYTES) throw damaged('is too short');
    const pageSize = first.readUInt32LE(48);
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if (!validPageSize || size < 2 * pageSize) throw damaged('has no valid meta pages');
    const second = Buffer.alloc(META_BYTES);
    readSync(descriptor, second, 0, META_BYTES, pageSize);
    for (const page of [first, second]) {
      if ((page.readUInt16LE(18) & 0x08) === 0 || page.readUInt32LE(24) !== LMDB_MAGIC) throw damaged('is not an LMDB file');
      if (page.readUInt32LE(28) !== LMDB_DATA_VERSION) throw damaged(`has LMDB data version ${page.readUInt32LE(28)}`);
    }
    // LMDB uses the meta page of the newest transaction.
    const newest = second.readBigUInt64LE(152) > first.readBigUInt64LE(152) ? second : first;
    const pagesInUse = Number(newest.readBigUInt64LE(144)) + 1;
    const pagesInFile = Math.floor(size / pageSize);
    const rootsPastEnd = ROOT_OFFSETS.map((at) => newest.readBigUInt64LE(at)).filter((root) => root !== NO_ROOT && root >= BigInt(pagesInFile));
    if (pagesInFile < pagesInUse - UNWRITTEN_TAIL_PAGES || rootsPastEnd.length > 0) {
      throw damaged(`is truncated: ${size} bytes, its meta page says ${pagesInUse} pages of ${pageSize} bytes (${pagesInUse * pageSize} bytes) are in use`);
    }
  } finally {
    closeSync(descriptor);
  }
}

/**
 * A writable open needs to write the directory (lock.mdb, the lock file) and both files: LMDB
 * reports some of these failures by crashing, so they are checked first. (root passes these
 * checks, as it passes the permissions themselves.)
 */
function checkWritable(path: string): void {
  for (const target of [path, join(path, 'data.mdb'), join(path, 'lock.mdb')]) {
    if (target !== path && !existsSync(target)) continue;
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new WalStoreError(`${path}: cannot open the WAL for writing (${target === path ? 'the directory' : target} is not writable)`);
    }
  }
}

async function openEnvironment(path: string, readOnly: boolean): Promise<RootDatabase> {
  // Loaded on first use: lmdb-js and its native addon take ~25-40 ms to load, which every `rill`
  // command would otherwise pay, WAL or not. In `rill server run`'s engine thread, a CommonJS
  // bundle (bin/compiled-cache.mjs), through require: its CommonJS build, one file (the ES module
  // build is some twenty modules for Node's ES loader, ~15 ms more), and a vm.Script cannot
  // import() in Node 20 anyway. Elsewhere its ES module build, as before: `npm run bench -- wal`'s
  // drain of a 1,000,000-event backlog peaked 30-45 MB higher with the CommonJS one (three runs
  // each, not understood yet).
  const { open } = globalThis.rillEngineBundle === true ? (requireFromHere('lmdb') as typeof import('lmdb')) : await import('lmdb');
  silenceLmdbCommitErrors();
  try {
    // eventTurnBatching off: with it, lmdb-js starts every turn's batch with an internal write whose
    // promise nobody holds; when that commit fails (disk full) the promise rejects unhandled and
    // Node crashes. The store batches per turn itself, one transaction per commit.
    // RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS=1 (tests only, never in use): no fdatasync at all, so that
    // test/power-cut/power-cut.test.ts can show its harness detects acks sent before a sync.
    const noSync = process.env.RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS === '1';
    return open({ path, encoding: 'json', overlappingSync: false, eventTurnBatching: false, readOnly, maxDbs: 8, noSync });
  } catch (error) {
    throw new WalStoreError(`${path}: damaged or unreadable WAL (${(error as Error).message})`);
  }
}

async function initialise(root: RootDatabase): Promise<void> {
  const identity: WalIdentity = {
    magic: WAL_MAGIC,
    formatVersion: WAL_FORMAT_VERSION,
    epoch: randomBytes(16).toString('hex'),
    createdAt: new Date().toISOString(),
  };
  const counters: WalCounters = { storedEvents: 0, storedBytes: 0, nextSeq: 0, damagedEvents: 0 };
  await root.transaction(() => {
    root.put('identity', identity);
    root.put('counters', counters);
  });
}

function readIdentity(root: RootDatabase, path: string): WalIdentity {
  let identity: unknown;
  try {
    identity = root.get('identity');
  } catch (error) {
    throw new WalStoreError(`${path}: not a rill WAL (no readable identity record: ${(error as Error).message})`);
  }
  if (typeof identity !== 'object' || identity === null) throw new WalStoreError(`${path}: not a rill WAL (no identity record)`);
  const { magic, formatVersion, epoch } = identity as Partial<WalIdentity>;
  if (magic !== WAL_MAGIC) throw new WalStoreError(`${path}: not a rill WAL (identity magic is ${JSON.stringify(magic)}, expected "${WAL_MAGIC}")`);
  if (formatVersion !== WAL_FORMAT_VERSION && formatVersion !== FORMAT_VERSION_PER_EVENT) {
    throw new WalStoreError(`${path}: unsupported rill WAL format version ${JSON.stringify(formatVersion)} (this rill reads versions ${FORMAT_VERSION_PER_EVENT} and ${WAL_FORMAT_VERSION})`);
  }
  if (typeof epoch !== 'string' || !/^[0-9a-f]{32}$/.test(epoch)) throw new WalStoreError(`${path}: damaged rill WAL (bad epoch in identity record)`);
  return identity as WalIdentity;
}

/**
 * The chunks of a format-2 store, from their states (a few bytes each: the records values are not
 * read). Refuses a store whose two databases do not name the same chunks.
 */
function readChunkIndex(records: Database<Buffer, number> | undefined, states: Database<Buffer, number> | undefined, path: string): ChunkIndex {
  const index = new ChunkIndex();
  const recordsCount = records === undefined ? 0 : (records.getStats() as { entryCount: number }).entryCount;
  let statesCount = 0;
  if (states !== undefined) {
    for (const { key, value } of states.getRange({})) {
      const chunk = Chunk.fromState(key, value);
      if (chunk === undefined) throw new WalStoreError(`${path}: damaged rill WAL (the state of the chunk at event ${key} is invalid)`);
      index.add(chunk);
      statesCount++;
    }
  }
  if (recordsCount !== statesCount) throw new WalStoreError(`${path}: damaged rill WAL (${recordsCount} chunks of records, ${statesCount} chunk states)`);
  return index;
}

/** A format-1 store read as it is: every record a committed chunk of one. */
function perEventIndex(events: Database<Buffer, number> | undefined): ChunkIndex {
  const index = new ChunkIndex();
  if (events === undefined) return index;
  for (const seq of events.getKeys({})) {
    // Its length is never needed: such a value is the record itself (recordsOf).
    const chunk = new Chunk(seq, new Uint32Array(1));
    chunk.committed = true;
    index.add(chunk);
  }
  return index;
}

/**
 * Rewrites a format-1 store (one record per key in `events`) into chunks, in one transaction with
 * its new identity: a crash meanwhile leaves the format-1 store as it was. Runs of consecutive
 * sequence numbers become chunks as appends do.
 */
function rewriteIntoChunks(root: RootDatabase, identity: WalIdentity, records: Database<Buffer, number>, states: Database<Buffer, number>, path: string): WalIdentity {
  const rewritten: WalIdentity = { ...identity, formatVersion: WAL_FORMAT_VERSION };
  const events = root.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
  try {
    root.transactionSync(() => {
      let run: Buffer[] = [];
      let runFirst = 0;
      let runBytes = 0;
      const close = () => {
        if (run.length === 0) return;
        records.putSync(runFirst, Buffer.concat(run));
        states.putSync(runFirst, new Chunk(runFirst, Uint32Array.from(run, (record) => record.length)).stateValue());
        run = [];
        runBytes = 0;
      };
      const seqs: number[] = [];
      for (const { key, value } of events.getRange({})) {
        if (run.length > 0 && (key !== runFirst + run.length || runBytes >= CHUNK_BYTES || run.length === MAX_CHUNK_RECORDS)) close();
        if (run.length === 0) runFirst = key;
        // A copy: what a range read hands out may be reused by lmdb-js.
        run.push(Buffer.from(value));
        runBytes += value.length;
        seqs.push(key);
      }
      close();
      for (const seq of seqs) events.removeSync(seq);
      root.putSync('identity', rewritten);
    });
  } catch (error) {
    throw new WalStoreError(`${path}: cannot rewrite the format-1 WAL into chunks (${(error as Error).message})`);
  }
  return rewritten;
}

function readCounters(root: RootDatabase, index: ChunkIndex, damaged: Database<Buffer, number> | undefined, path: string): WalCounters {
  const stored = root.get('counters') as Partial<WalCounters> | undefined;
  // Stores written before damaged records were set aside have no `damagedEvents`.
  const counters = stored === undefined ? undefined : { damagedEvents: 0, ...stored };
  const valid =
    counters !== undefined &&
    [counters.storedEvents, counters.storedBytes, counters.nextSeq, counters.damagedEvents].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  if (!valid) throw new WalStoreError(`${path}: damaged rill WAL (missing or invalid counters record)`);
  let storedEvents = 0;
  for (const chunk of index.from(0)) storedEvents += chunk.remaining;
  if (storedEvents !== counters.storedEvents) {
    throw new WalStoreError(`${path}: damaged rill WAL (counters say ${counters.storedEvents} events, the store holds ${storedEvents})`);
  }
  const damagedEntries = damaged === undefined ? 0 : (damaged.getStats() as { entryCount: number }).entryCount;
  if (damagedEntries !== counters.damagedEvents) {
    throw new WalStoreError(`${path}: damaged rill WAL (counters say ${counters.damagedEvents} damaged records set aside, the store holds ${damagedEntries})`);
  }
  for (const chunk of index.reversed()) {
    const lastSeq = chunk.endSeq - 1;
    if (lastSeq >= (counters.nextSeq as number)) throw new WalStoreError(`${path}: damaged rill WAL (event ${lastSeq} is at or past nextSeq ${counters.nextSeq})`);
    break;
  }
  return { ...(counters as WalCounters) };
}
