/**
 * The store's chunks (chunk.ts) in sequence order, in memory: which chunk holds an event, which
 * events are removed. Built from the `chunk-state` database when the store opens (a few bytes per
 * chunk of ~64 KiB), kept up to date by the store. Chunks are added in sequence order (appends take
 * increasing numbers) and mostly deleted from the front (acks come mostly in order), so a sorted
 * array with a moving head, and a lookup that remembers the last chunk it found.
 */
import type { Chunk } from './chunk.ts';

export class ChunkIndex {
  /** Chunks by firstSeq, ascending; deleted ones stay until compacted. */
  private chunks: Chunk[] = [];
  private head = 0;
  /** Deleted chunks still in `chunks` (before or after head). */
  private deletedInArray = 0;
  private lastFound: Chunk | undefined;

  /** Adds a chunk whose events all follow every indexed chunk's. */
  add(chunk: Chunk): void {
    this.chunks.push(chunk);
  }

  /** The live chunk holding event `seq`, if any. */
  find(seq: number): Chunk | undefined {
    const last = this.lastFound;
    if (last !== undefined && !last.deleted && seq >= last.firstSeq && seq < last.endSeq) return last;
    const at = this.indexAtOrBefore(seq);
    const chunk = at < 0 ? undefined : this.chunks[at];
    if (chunk === undefined || chunk.deleted || seq >= chunk.endSeq) return undefined;
    this.lastFound = chunk;
    return chunk;
  }

  /** Live chunks that hold events at or after `seq`, in order (from the one holding `seq`, if any). */
  *from(seq: number): Iterable<Chunk> {
    let at = Math.max(this.head, this.indexAtOrBefore(seq));
    for (; at < this.chunks.length; at++) {
      const chunk = this.chunks[at];
      if (!chunk.deleted && chunk.endSeq > seq) yield chunk;
    }
  }

  /** Live chunks, last first. */
  *reversed(): Iterable<Chunk> {
    for (let at = this.chunks.length - 1; at >= this.head; at--) if (!this.chunks[at].deleted) yield this.chunks[at];
  }

  delete(chunk: Chunk): void {
    chunk.deleted = true;
    this.deletedInArray++;
    while (this.head < this.chunks.length && this.chunks[this.head].deleted) this.head++;
    // Compact once deleted entries are most of the array: amortised O(1) per chunk.
    if (this.deletedInArray > 1024 && this.deletedInArray * 2 > this.chunks.length) {
      this.chunks = this.chunks.filter((kept) => !kept.deleted);
      this.head = 0;
      this.deletedInArray = 0;
    }
  }

  /** Index of the last chunk with firstSeq <= seq, or -1. */
  private indexAtOrBefore(seq: number): number {
    let low = this.head;
    let high = this.chunks.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.chunks[middle].firstSeq <= seq) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }
}
