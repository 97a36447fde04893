/**
 * The slabs a WAL writes its records into (engine/byte-slab.ts), used again once nothing can
 * read them, instead of a new megabyte each time.
 *
 * Why: a slab given up goes back to the allocator when the garbage collector finds it, and a
 * megabyte is given back to the kernel (munmap), which must then stop every core running one of
 * the process's threads to drop the mapping (a TLB shootdown: an interrupt per core, costly in a
 * virtual machine); the next slab's pages are faulted in and zeroed again. A whole process
 * file -> qos::wal -> file writes some 270 MB of records per 400,000 events: with the slabs used
 * again the process did 225-243k events/s against 192-209k without, four interleaved pairs of
 * runs on the same machine, and spent 6.4 instead of 7.5 us of CPU an event (the notes of issue
 * 15 say how it was measured).
 *
 * When a slab can be written again: lmdb-js holds a pointer into a record until the commit that
 * writes it has settled (landed or been refused), and nothing else reads the WAL's copy of an
 * event, except where the WAL keeps the record's own text as the event it emits later (an event
 * that came without its bytes, operator.ts `recordText`): that text goes to the sinks, which may
 * hold it for as long as they like, so such a slab is *lent* and left to the garbage collector.
 * Records go into the slabs in sequence order, so a slab whose last record is below the end of
 * everything settled is free, unless it was lent.
 */
import { ByteSlab, SLAB_BYTES } from '../../../engine/byte-slab.ts';

/** Free slabs kept for reuse at most (16 MiB): about what two commits in flight hold at full speed. */
const MOST_FREE_SLABS = 16;

interface SlabInUse {
  buffer: Buffer;
  /** The sequence number of the last record written into it so far. */
  lastSeq: number;
  /** The WAL keeps a view of one of its records for an event it will emit: never written again. */
  lent: boolean;
}

export class RecordSlabs {
  /** Where the WAL writes its records: its slabs come from here. */
  readonly slab = new ByteSlab(() => this.take());
  /** Slabs written into and not free yet, oldest first (the last one may still be being written). */
  private readonly inUse: SlabInUse[] = [];
  private readonly free: Buffer[] = [];

  /** Record `seq` was written into `buffer` (a slab, or a buffer of its own for a large record, which is not kept). */
  wrote(buffer: Buffer, seq: number): void {
    const last = this.inUse[this.inUse.length - 1];
    if (last !== undefined && last.buffer === buffer) last.lastSeq = seq;
    else if (buffer.length === SLAB_BYTES) this.inUse.push({ buffer, lastSeq: seq, lent: false });
  }

  /** A view of a record in `buffer` (the last one written) is kept beyond its commit. */
  lend(buffer: Buffer): void {
    const last = this.inUse[this.inUse.length - 1];
    if (last !== undefined && last.buffer === buffer) last.lent = true;
  }

  /** Every commit of the records below `endSeq` has settled: the slabs that hold only those are free. */
  settledBelow(endSeq: number): void {
    const inUse = this.inUse;
    // The slab being written stays in use: its next record goes after the last.
    while (inUse.length > 1 && inUse[0].lastSeq < endSeq) {
      const { buffer, lent } = inUse.shift() as SlabInUse;
      if (!lent && this.free.length < MOST_FREE_SLABS) this.free.push(buffer);
    }
  }

  /** How many slabs wait to be written again (for tests). */
  get freeSlabs(): number {
    return this.free.length;
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
  }
}
