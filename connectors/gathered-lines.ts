/**
 * Lines gathered for one `writev`, as views of the bytes the events hold where that pays: the
 * `file` sink's batch (stream-sink.ts, written by file-writer.ts). LineBatch (line-batch.ts) copies
 * every line into a buffer of its own; copying each event's ~600 bytes once more, on the engine
 * thread, was 6% of a file -> wal -> file run, and without it the run went 10-15% faster.
 *
 * An event's text held as UTF-8 bytes (engine/text-event.ts) goes in as a view of them. When its
 * own newline follows it (a line of a `file` source, as the reader's thread cut it), the view takes
 * that newline too, and lines that lie one after the other in the same buffer (a batch of a file's
 * lines that no node changed) become one view. Otherwise a shared newline follows the view.
 * Everything else (a text to encode, a prefix, a text shorter than COPY_BELOW_BYTES or in two
 * pieces, where views cost more than the copy) is copied into a LineBatch, whose bytes go in
 * between as views too. The views keep the events' buffers alive until the write is done; nothing
 * is ever written into them.
 */
import type { Utf8Parts, Utf8Text } from '../engine/text-event.ts';
import { LineBatch } from './line-batch.ts';

const NEWLINE = 10;
const NEWLINE_PIECE = Buffer.from('\n');
/** Texts shorter than this are copied: a view (an object, an iovec) costs more than copying them. */
const COPY_BELOW_BYTES = 128;
/** The copies' batch size: a batch of copied lines is written as one piece once it holds this much. */
const COPY_BATCH_BYTES = 64 * 1024;
/**
 * Released slabs of copies kept (of 512 KiB: 4 MiB at most). A sink's 1 MiB batch of copied lines
 * (the seed's flow: every line has a second piece) spans two or three slabs, and up to two batches
 * are being written; with two spares, a slab in every batch was fresh memory (0.16-0.29 against
 * 0.12-0.16 us a line, two batches in flight, this class alone).
 */
const COPY_SPARE_SLABS = 8;

export class GatheredLines {
  private pieces: Buffer[] = [];
  private gathered = 0;
  private readonly copies = new LineBatch(COPY_BATCH_BYTES, COPY_SPARE_SLABS);
  /** The view being extended: `runBuffer` from `runStart` to `runEnd` (no run while runBuffer is undefined). */
  private runBuffer: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;

  /** Bytes gathered so far. */
  get bytes(): number {
    return this.gathered + this.copies.bytes;
  }

  /** Appends `prefix`, `text` and a newline (copied). */
  add(text: string, prefix = ''): void {
    this.endRun();
    this.copies.add(text, prefix);
    this.closeFullCopies();
  }

  /**
   * Appends `prefix`, a text given as its UTF-8 bytes and a newline: a view of them where it pays.
   * A text in two pieces (a line a select added keys to: its bytes but the closing brace, then the
   * keys) is copied: a view of the first piece and a copy of the second made two pieces and two
   * Buffer objects per line, 0.46-0.52 us a line against 0.34 for the copy into memory written
   * before (400k seed-flow lines through this class alone, two interleaved runs each).
   */
  addUtf8(text: Utf8Text | Utf8Parts, prefix = ''): void {
    const { buffer, start, end } = text;
    if (prefix !== '' || end - start < COPY_BELOW_BYTES || ('tail' in text && text.tail.length > 0)) {
      this.endRun();
      this.copies.addUtf8(text, prefix);
      this.closeFullCopies();
      return;
    }
    this.takeCopies();
    const ownNewline = end < buffer.length && buffer[end] === NEWLINE;
    if (this.runBuffer === buffer && this.runEnd === start) this.runEnd = ownNewline ? end + 1 : end;
    else {
      this.endRun();
      this.runBuffer = buffer;
      this.runStart = start;
      this.runEnd = ownNewline ? end + 1 : end;
    }
    if (!ownNewline) {
      this.endRun();
      this.pieces.push(NEWLINE_PIECE);
      this.gathered += 1;
    }
  }

  /** The gathered pieces, in order, or undefined when there are none; the next batch starts empty. */
  take(): Buffer[] | undefined {
    this.endRun();
    this.takeCopies();
    if (this.pieces.length === 0) return undefined;
    const pieces = this.pieces;
    this.pieces = [];
    this.gathered = 0;
    return pieces;
  }

  /** `pieces` (what `take` gave) have been written: the copies among them may be written over (line-batch.ts). */
  release(pieces: Buffer[]): void {
    // The views of events' bytes are not the copies' memory: LineBatch leaves them alone.
    for (const piece of pieces) this.copies.release(piece);
  }

  private endRun(): void {
    if (this.runBuffer === undefined) return;
    this.pieces.push(this.runBuffer.subarray(this.runStart, this.runEnd));
    this.gathered += this.runEnd - this.runStart;
    this.runBuffer = undefined;
  }

  /**
   * Copies go in as one piece once they hold COPY_BATCH_BYTES: a batch of nothing but copies (a
   * sink writing events it encodes) grew the copies' batch past its slab, and LineBatch then moved
   * the whole batch to a new buffer for every line (a file sink after a select that rebuilds each
   * event wrote ~30k events/s).
   */
  private closeFullCopies(): void {
    if (this.copies.bytes >= COPY_BATCH_BYTES) this.takeCopies();
  }

  /** What was copied since the last view goes in before the next one. */
  private takeCopies(): void {
    const copied = this.copies.take();
    if (copied === undefined) return;
    this.pieces.push(copied);
    this.gathered += copied.length;
  }
}
