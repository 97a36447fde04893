/**
 * Lines gathered into one byte buffer, to be written with one `write` call: a sink that writes
 * each event with a call of its own pays a stream write, a callback and a UTF-8 encoding of a
 * new string (prefix + text + newline) per event; here each text is encoded once, straight into
 * place, and a text the event holds as UTF-8 bytes already (engine/text-event.ts) is copied. Used
 * by the `file`/`stdout`/`stderr` sinks (stream-sink.ts) and by `rill run`'s writer
 * (engine/run-json-lines.ts).
 *
 * Batches are cut one after the other from a slab (a new slab when the next line does not fit),
 * never written again once taken: a taken batch may still wait in a stream's queue, and small
 * batches cost no buffer of their own. A batch that does not fit in what is left of its slab is
 * copied to the next one; a slab holds BATCHES_PER_SLAB batches of `batchBytes` (the size at which
 * the callers write a batch out), so at most one batch in that many is copied, once.
 */
import type { Utf8Text } from '../engine/text-event.ts';

const NEWLINE = 10;
const BATCHES_PER_SLAB = 8;

export class LineBatch {
  private slab: Buffer;
  /** Where the batch being gathered starts in `slab`, and where it ends. */
  private start = 0;
  private end = 0;

  private readonly slabBytes: number;

  constructor(batchBytes: number) {
    this.slabBytes = batchBytes * BATCHES_PER_SLAB;
    this.slab = Buffer.allocUnsafe(this.slabBytes);
  }

  /** Bytes gathered so far. */
  get bytes(): number {
    return this.end - this.start;
  }

  /** Appends `prefix`, `text` and a newline. */
  add(text: string, prefix = ''): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; one more for the newline.
    this.makeRoom((prefix.length + text.length) * 3 + 1);
    if (prefix !== '') this.end += this.slab.write(prefix, this.end);
    this.end += this.slab.write(text, this.end);
    this.slab[this.end++] = NEWLINE;
  }

  /** Appends `prefix`, a text given as its UTF-8 bytes (copied) and a newline. */
  addUtf8(text: Utf8Text, prefix = ''): void {
    this.makeRoom(prefix.length * 3 + (text.end - text.start) + 1);
    if (prefix !== '') this.end += this.slab.write(prefix, this.end);
    this.end += text.buffer.copy(this.slab, this.end, text.start, text.end);
    this.slab[this.end++] = NEWLINE;
  }

  private makeRoom(needed: number): void {
    if (this.end + needed <= this.slab.length) return;
    // The batch so far moves to a new slab (a line longer than a slab gets one its size).
    const slab = Buffer.allocUnsafe(Math.max(this.slabBytes, this.bytes + needed));
    this.end = this.slab.copy(slab, 0, this.start, this.end);
    this.start = 0;
    this.slab = slab;
  }

  /** The gathered bytes, or undefined when there are none; the next batch starts after them. */
  take(): Buffer | undefined {
    if (this.end === this.start) return undefined;
    const bytes = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    return bytes;
  }
}
