/**
 * Byte strings written one after the other into 1 MiB slabs, straight into place: one ArrayBuffer
 * per slab instead of one per piece (`Buffer.from` takes 8 KB pool pieces, a new ArrayBuffer for
 * anything larger), which at a few hundred thousand pieces a second is much of what the garbage
 * collector would otherwise do. A slab is never written again once full, so a piece stays as it
 * was for as long as anything holds it (a WAL record lmdb-js still has to write, an event's text
 * a sink has not written yet); a slab is freed when no piece of it is referenced any more. Only
 * an owner that knows when nothing reads a slab any more hands it out again (`newSlab`:
 * operators/qos/wal/record-slabs.ts).
 *
 * The byte after a piece is 0 until the next piece takes it: a view of a piece that ends where the
 * piece ends (an event's text as `buffer`/`start`/`end` of the whole slab) never sees a newline
 * after it that could change later. connectors/gathered-lines.ts takes a line's own newline along
 * when one follows its text; slab memory is reused memory, and a stale newline there, overwritten
 * by the next piece before the write, joined two lines of the seed's flow.
 */
export const SLAB_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

export class ByteSlab {
  /** Where the piece being written goes: `buffer` from `start` on (set by `reserve`). */
  buffer: Buffer;
  start = 0;
  /**
   * `buffer` as a DataView (offsets within `buffer`), for numbers: a DataView's setFloat64 took
   * 6-12 ns where Buffer's writeDoubleLE took 70-80 (it copies the number's bytes one at a time).
   */
  view: DataView;
  /** Empty until the first piece: a slab nobody writes to costs no megabyte (rill run starts several). */
  private slab: Buffer = EMPTY;
  private slabView = viewOf(EMPTY);
  private used = 0;

  constructor(
    /** Where a new slab comes from: a fresh one by default (operators/qos/wal/record-slabs.ts hands out used ones). */
    private readonly newSlab: () => Buffer = () => Buffer.allocUnsafe(SLAB_BYTES),
  ) {
    this.buffer = this.slab;
    this.view = this.slabView;
  }

  /** Room for at most `bytes` bytes at `buffer`/`start`; `commit` then says where the piece ended. */
  reserve(bytes: number): void {
    // One more for the byte after the piece.
    bytes += 1;
    if (bytes > SLAB_BYTES / 4) {
      // A piece too big for a slab gets a buffer of its own.
      this.buffer = Buffer.allocUnsafe(bytes);
      this.view = viewOf(this.buffer);
      this.start = 0;
      return;
    }
    if (this.used + bytes > this.slab.length) {
      this.slab = this.newSlab();
      this.slabView = viewOf(this.slab);
      this.used = 0;
    }
    this.buffer = this.slab;
    this.view = this.slabView;
    this.start = this.used;
  }

  /** The piece written, from `start` to `end`; the next one starts after it. */
  commit(end: number): Buffer {
    this.commitAt(end);
    return this.buffer.subarray(this.start, end);
  }

  /** As `commit`, without making the view (the caller keeps `buffer`, `start` and `end`). */
  commitAt(end: number): void {
    this.buffer[end] = 0;
    if (this.buffer === this.slab) this.used = end;
  }
}

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
