/**
 * A chunk: the records of consecutive sequence numbers that one commit appended, stored as one
 * LMDB value (format version 2, store.ts). One value per chunk instead of one per event: LMDB's
 * per-value work (a B-tree insert, later a delete, and lmdb-js's per-operation bookkeeping on the
 * JavaScript thread) is paid once per ~64 KiB instead of once per event. In a whole process on two
 * cores that work competed with the source and the sink for the CPU: file -> qos::wal -> file went
 * from 91k to 125k events/s when only the puts were batched.
 *
 * An ack still removes one event: the chunk's `removed` map marks it, and is stored (as the chunk's
 * state value) in the same commit, so an acked event is never delivered again after a restart,
 * exactly as when its record was deleted. The chunk's value is deleted once every event in it is
 * removed.
 *
 * Values:
 * - records (database `chunks`): the records, one after the other. Nothing else, so that the value
 *   is the records as the WAL wrote them, one after the other in its slab (record.ts): a view of
 *   that memory, not a copy (the store cuts a chunk where the next record does not follow in memory).
 * - state (database `chunk-state`): u32 LE count, then count u32 LE record lengths, then
 *   ceil(count / 8) bytes, bit i set when the event firstSeq + i is removed (acked, dead-lettered
 *   or set aside as damaged).
 */

/** A chunk is closed once its records reach this many bytes (or MAX_CHUNK_RECORDS records). */
export const CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_RECORDS = 4096;

export class Chunk {
  /** Events not removed yet; the chunk's values are deleted when this reaches 0. */
  remaining: number;
  /** False until the commit that wrote it is durable: reads see committed chunks only. */
  committed = false;
  /** Deleted (every event removed): no longer found, whatever the disk still holds. */
  deleted = false;

  constructor(
    readonly firstSeq: number,
    /** The byte length of each record, in order (the records value is them, one after the other). */
    readonly lengths: Uint32Array,
    /** Bit i: event firstSeq + i is removed. */
    readonly removed: Uint8Array = new Uint8Array((lengths.length + 7) >> 3),
    remaining?: number,
  ) {
    this.remaining = remaining ?? lengths.length;
  }

  get count(): number {
    return this.lengths.length;
  }

  get endSeq(): number {
    return this.firstSeq + this.count;
  }

  isRemoved(seq: number): boolean {
    const i = seq - this.firstSeq;
    return (this.removed[i >> 3] & (1 << (i & 7))) !== 0;
  }

  /** Marks event `seq` removed; false if it was already. */
  markRemoved(seq: number): boolean {
    const i = seq - this.firstSeq;
    const bit = 1 << (i & 7);
    if ((this.removed[i >> 3] & bit) !== 0) return false;
    this.removed[i >> 3] |= bit;
    this.remaining--;
    return true;
  }

  /** The state value as of now (a copy: lmdb-js may read a value after `put` returns). */
  stateValue(): Buffer {
    const count = this.count;
    const value = Buffer.allocUnsafe(4 + 4 * count + this.removed.length);
    value.writeUInt32LE(count, 0);
    for (let i = 0; i < count; i++) value.writeUInt32LE(this.lengths[i], 4 + 4 * i);
    value.set(this.removed, 4 + 4 * count);
    return value;
  }

  /** The chunk a state value describes, or undefined if the value is not one. */
  static fromState(firstSeq: number, value: Buffer): Chunk | undefined {
    if (value.length < 4) return undefined;
    const count = value.readUInt32LE(0);
    if (count === 0 || value.length !== 4 + 4 * count + ((count + 7) >> 3)) return undefined;
    const lengths = new Uint32Array(count);
    for (let i = 0; i < count; i++) lengths[i] = value.readUInt32LE(4 + 4 * i);
    const removed = new Uint8Array(value.subarray(4 + 4 * count));
    let removedCount = 0;
    for (let i = 0; i < count; i++) if ((removed[i >> 3] & (1 << (i & 7))) !== 0) removedCount++;
    const chunk = new Chunk(firstSeq, lengths, removed, count - removedCount);
    chunk.committed = true;
    return chunk;
  }
}

/** The records of a records value, as views of it; undefined if their lengths do not add up to its size (damaged). */
export function splitRecords(value: Buffer, lengths: Uint32Array): Buffer[] | undefined {
  const records: Buffer[] = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i];
    if (at + length > value.length) return undefined;
    records[i] = value.subarray(at, at + length);
    at += length;
  }
  return at === value.length ? records : undefined;
}
