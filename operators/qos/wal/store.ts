/**
 * The WAL's durable store: one LMDB environment per directory (lmdb-js).
 *
 * On-disk layout (format version 1)
 * ---------------------------------
 * `<dir>/data.mdb`, `<dir>/lock.mdb`: one LMDB environment, nothing else in the directory.
 * - Root database (JSON values), three keys:
 *   - `"identity"` -> `{"magic":"rill-wal","formatVersion":1,"epoch":"<32 hex digits>","createdAt":"<ISO time>"}`,
 *     written once when the store is created. The random epoch names this store for ever: with a
 *     sequence number it forms the delivery id (`$.wal = {epoch, seq}`) receivers use to drop duplicates.
 *   - `"counters"` -> `{"storedEvents":n,"storedBytes":n,"nextSeq":n}`, rewritten in every commit, in
 *     the same transaction as the records it counts (the last durable counters plus the commit's
 *     changes; this store is the only writer and commits one batch at a time, so they can never
 *     disagree with the records, even when a commit fails). `storedBytes` is the sum over
 *     stored records of (8 key bytes + record bytes), never the file size (LMDB files do not shrink).
 *     `nextSeq` is never reused, even when the store is empty, so delivery ids stay unique.
 *   - `"limits"` -> the operator config (`readCount`, `maxElements`, `maxBytes`, `maxInFlight`) of the
 *     last run, for `rill wal inspect` only.
 * - Database `"events"`: key = sequence number (lmdb-js ordered-binary, numeric order), value = the
 *   event record (record.ts). A record exists exactly while its event is not acked: an ack deletes it,
 *   so acks are persisted per event and the acked prefix is everything below the first key.
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
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const WAL_MAGIC = 'rill-wal';
export const WAL_FORMAT_VERSION = 1;
/** Bytes a record's key counts for in `storedBytes`. */
export const KEY_BYTES = 8;
const LMDB_FILES = ['data.mdb', 'lock.mdb'];

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

/** The directory is not a rill WAL, is damaged, or cannot be opened; the message names the path. */
export class WalStoreError extends Error {}

/** What one commit writes. Flat arrays, no object per record: this is the per-event hot path. */
interface PendingBatch {
  /** The sequence number of `puts[0]`: appends take consecutive numbers, so puts[i] is firstSeq + i. */
  firstSeq: number;
  puts: Buffer[];
  removedSeqs: number[];
  /** Record bytes of removedSeqs[i] (kept to count them again if the commit is refused). */
  removedBytes: number[];
  eventsDelta: number;
  bytesDelta: number;
  durable: Promise<void>;
  settle: (error?: unknown) => void;
}

export class WalStore {
  private batch: PendingBatch | undefined;
  /** The commit in progress (settled, never rejected), if any. */
  private committing: Promise<void> | undefined;
  /** Deletions of a refused commit, queued again with the next batch. */
  private readonly retrySeqs: number[] = [];
  private readonly retryBytes: number[] = [];
  /** The counters record as the last successful commit wrote it. */
  private durableCounters: WalCounters;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly identity: WalIdentity,
    private readonly root: RootDatabase,
    private readonly events: Database<Buffer, number>,
    private counters: WalCounters,
    private readonly temporary: boolean,
  ) {
    this.durableCounters = { ...counters };
  }

  /**
   * Opens (or creates) the WAL in `dir`; with no `dir`, a temporary store deleted on close.
   * Refuses a directory that holds anything but a rill WAL, without changing it.
   */
  static async open(dir: string | undefined, limits?: WalLimitsRecord): Promise<WalStore> {
    const temporary = dir === undefined;
    const path = dir ?? mkdtempSync(join(tmpdir(), 'rill-wal-'));
    const state = classifyDirectory(path);
    if (state === 'new') createDirectory(path);
    const root = await openEnvironment(path, false);
    try {
      if (state === 'new') await initialise(root);
      const identity = readIdentity(root, path);
      const events = root.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
      const counters = readCounters(root, events, path);
      const store = new WalStore(path, identity, root, events, counters, temporary);
      if (limits) await root.put('limits', limits);
      return store;
    } catch (error) {
      await root.close();
      if (temporary) rmSync(path, { recursive: true, force: true });
      throw error;
    }
  }

  /** Opens an existing WAL read-only (for `rill wal inspect`): nothing in `dir` is changed. */
  static async openReadOnly(dir: string): Promise<WalStore> {
    if (classifyDirectory(dir) === 'new') throw new WalStoreError(`${dir}: not a rill WAL (no such directory or it is empty)`);
    const root = await openEnvironment(dir, true);
    try {
      const identity = readIdentity(root, dir);
      // `create: false` (an lmdb-js option its types omit): inspecting never creates anything.
      const events = root.openDB<Buffer, number>({ name: 'events', encoding: 'binary', create: false } as { name: string });
      return new WalStore(dir, identity, root, events, readCounters(root, events, dir), false);
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

  get nextSeq(): number {
    return this.counters.nextSeq;
  }

  storedLimits(): WalLimitsRecord | undefined {
    return this.root.get('limits') as WalLimitsRecord | undefined;
  }

  /** Queues a record; it is durable when the promise of the current `commit()` resolves. */
  append(bytes: Buffer): number {
    const batch = this.openBatch();
    const seq = this.counters.nextSeq++;
    if (batch.puts.length === 0) batch.firstSeq = seq;
    batch.puts.push(bytes);
    batch.eventsDelta += 1;
    batch.bytesDelta += KEY_BYTES + bytes.length;
    this.counters.storedEvents += 1;
    this.counters.storedBytes += KEY_BYTES + bytes.length;
    return seq;
  }

  /** Queues the deletion of an acked record of `recordBytes` bytes. */
  remove(seq: number, recordBytes: number): void {
    this.queueRemoval(this.openBatch(), seq, recordBytes);
  }

  /** Acked events whose deletion a refused commit left undone (they are retried with the next batch). */
  get removalsAwaitingRetry(): number {
    return this.retrySeqs.length;
  }

  private queueRemoval(batch: PendingBatch, seq: number, recordBytes: number): void {
    batch.removedSeqs.push(seq);
    batch.removedBytes.push(recordBytes);
    batch.eventsDelta -= 1;
    batch.bytesDelta -= KEY_BYTES + recordBytes;
    this.counters.storedEvents -= 1;
    this.counters.storedBytes -= KEY_BYTES + recordBytes;
  }

  /**
   * The durable commit of everything queued in this turn (a resolved promise if nothing is).
   * It rejects if LMDB refuses the commit (disk full, ...): then none of it was stored.
   */
  commit(): Promise<void> {
    return this.batch ? this.batch.durable : Promise.resolve();
  }

  /** Writes the counters again (an empty commit): how a full store probes whether space came back. */
  probe(): Promise<void> {
    this.openBatch();
    return this.commit();
  }

  /** Up to `limit` committed records with `fromSeq <= seq < endSeq`, in order. */
  read(fromSeq: number, endSeq: number, limit: number): StoredRecord[] {
    const records: StoredRecord[] = [];
    if (fromSeq >= endSeq || limit <= 0) return records;
    for (const { key, value } of this.events.getRange({ start: fromSeq, end: endSeq, limit })) {
      records.push({ seq: key, bytes: value });
    }
    return records;
  }

  /** One committed record, if still stored. */
  get(seq: number): Buffer | undefined {
    return this.events.get(seq);
  }

  /** Lowest and highest stored sequence numbers (committed records only). */
  bounds(): { first: number; last: number } | undefined {
    let first: number | undefined;
    for (const key of this.events.getKeys({ limit: 1 })) first = key;
    if (first === undefined) return undefined;
    let last = first;
    for (const key of this.events.getKeys({ reverse: true, limit: 1 })) last = key;
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
    const batch: PendingBatch = { firstSeq: 0, puts: [], removedSeqs: [], removedBytes: [], eventsDelta: 0, bytesDelta: 0, durable, settle };
    this.batch = batch;
    for (let i = 0; i < this.retrySeqs.length; i++) this.queueRemoval(batch, this.retrySeqs[i], this.retryBytes[i]);
    this.retrySeqs.length = 0;
    this.retryBytes.length = 0;
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
    // One `batch`: lmdb-js writes it as one transaction on its writer thread (the B-tree work is
    // off the JavaScript thread) and returns one promise for all of it, settled after the commit's
    // fsync (overlappingSync off).
    const committed = this.root.batch(() => {
      for (let i = 0; i < batch.puts.length; i++) void this.events.put(batch.firstSeq + i, batch.puts[i]);
      for (const seq of batch.removedSeqs) void this.events.remove(seq);
      void this.root.put('counters', counters);
    });
    this.committing = committed.then(
      () => {
        this.durableCounters = counters;
        batch.settle();
      },
      async (error: unknown) => this.refuse(batch, new WalStoreError(`${this.path}: commit refused (${await refusalReason(error)})`)),
    );
    void this.committing.then(() => {
      this.committing = undefined;
      if (this.batch !== undefined) this.seal(this.batch);
    });
  }

  private refuse(batch: PendingBatch, error: WalStoreError): void {
    // Nothing of the batch was stored: take it back out of the in-memory counters. Its deletions
    // were acked downstream, so they are queued again (and counted again) with the next batch; not
    // at once, which would spin on failing commits while the disk stays full.
    this.counters.storedEvents -= batch.eventsDelta;
    this.counters.storedBytes -= batch.bytesDelta;
    for (let i = 0; i < batch.removedSeqs.length; i++) {
      this.retrySeqs.push(batch.removedSeqs[i]);
      this.retryBytes.push(batch.removedBytes[i]);
    }
    batch.settle(error);
  }

  /**
   * The counters record once `batch` is committed. This store is the environment's only writer and
   * commits one batch at a time, so the last durable counters plus the batch's changes are exactly
   * what a read-modify-write inside the transaction would give.
   */
  private countersAfter(batch: PendingBatch): WalCounters {
    const lastSeq = batch.firstSeq + batch.puts.length - 1;
    return {
      storedEvents: this.durableCounters.storedEvents + batch.eventsDelta,
      storedBytes: this.durableCounters.storedBytes + batch.bytesDelta,
      nextSeq: Math.max(this.durableCounters.nextSeq, lastSeq + 1),
    };
  }
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
  const entries = readdirSync(path);
  if (entries.length === 0) return 'new';
  const foreign = entries.filter((name) => !LMDB_FILES.includes(name));
  if (foreign.length > 0) {
    throw new WalStoreError(`${path}: not a rill WAL (unexpected ${foreign.length === 1 ? 'file' : 'files'} ${foreign.slice(0, 3).join(', ')}); refusing to use it`);
  }
  if (!entries.includes('data.mdb')) throw new WalStoreError(`${path}: not a rill WAL (no data.mdb)`);
  checkLmdbHeader(path);
  return 'existing';
}

// LMDB meta pages (pages 0 and 1): page flags at byte 18 (P_META = 0x08), magic 0xBEEFC0DE at 24,
// data format version at 28, page size at 48. LMDB trusts these and can crash the process on a
// garbage file, so they are checked before LMDB sees the file.
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_DATA_VERSION = 2;

function checkLmdbHeader(path: string): void {
  const file = join(path, 'data.mdb');
  const size = statSync(file).size;
  const damaged = (what: string) => new WalStoreError(`${path}: damaged or unreadable WAL (data.mdb ${what}); refusing to use it`);
  const descriptor = openSync(file, 'r');
  try {
    const header = Buffer.alloc(64);
    if (readSync(descriptor, header, 0, 64, 0) < 64) throw damaged('is too short');
    const pageSize = header.readUInt32LE(48);
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if (!validPageSize || size < 2 * pageSize) throw damaged('has no valid meta pages');
    const second = Buffer.alloc(64);
    readSync(descriptor, second, 0, 64, pageSize);
    for (const page of [header, second]) {
      if ((page.readUInt16LE(18) & 0x08) === 0 || page.readUInt32LE(24) !== LMDB_MAGIC) throw damaged('is not an LMDB file');
      if (page.readUInt32LE(28) !== LMDB_DATA_VERSION) throw damaged(`has LMDB data version ${page.readUInt32LE(28)}`);
    }
  } finally {
    closeSync(descriptor);
  }
}

async function openEnvironment(path: string, readOnly: boolean): Promise<RootDatabase> {
  // Loaded on first use: lmdb-js and its native addon take ~35 ms to load, which every `rill`
  // command would otherwise pay, WAL or not.
  const { open } = await import('lmdb');
  try {
    // eventTurnBatching off: with it, lmdb-js starts every turn's batch with an internal write whose
    // promise nobody holds; when that commit fails (disk full) the promise rejects unhandled and
    // Node crashes. The store batches per turn itself, one transaction per commit.
    // RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS=1 (tests only, never in use): no fdatasync at all, so that
    // test/power-cut/power-cut.test.ts can show its harness detects acks sent before a sync.
    const noSync = process.env.RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS === '1';
    return open({ path, encoding: 'json', overlappingSync: false, eventTurnBatching: false, readOnly, maxDbs: 4, noSync });
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
  const counters: WalCounters = { storedEvents: 0, storedBytes: 0, nextSeq: 0 };
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
  if (formatVersion !== WAL_FORMAT_VERSION) {
    throw new WalStoreError(`${path}: unsupported rill WAL format version ${JSON.stringify(formatVersion)} (this rill reads version ${WAL_FORMAT_VERSION})`);
  }
  if (typeof epoch !== 'string' || !/^[0-9a-f]{32}$/.test(epoch)) throw new WalStoreError(`${path}: damaged rill WAL (bad epoch in identity record)`);
  return identity as WalIdentity;
}

function readCounters(root: RootDatabase, events: Database<Buffer, number>, path: string): WalCounters {
  const counters = root.get('counters') as Partial<WalCounters> | undefined;
  const valid =
    counters !== undefined &&
    [counters.storedEvents, counters.storedBytes, counters.nextSeq].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  if (!valid) throw new WalStoreError(`${path}: damaged rill WAL (missing or invalid counters record)`);
  const entries = events.getStats() as { entryCount: number };
  if (entries.entryCount !== counters.storedEvents) {
    throw new WalStoreError(`${path}: damaged rill WAL (counters say ${counters.storedEvents} events, the store holds ${entries.entryCount})`);
  }
  for (const lastSeq of events.getKeys({ reverse: true, limit: 1 })) {
    if (lastSeq >= (counters.nextSeq as number)) throw new WalStoreError(`${path}: damaged rill WAL (event ${lastSeq} is at or past nextSeq ${counters.nextSeq})`);
  }
  return { ...(counters as WalCounters) };
}
