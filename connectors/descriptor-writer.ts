/**
 * A Writable over a file descriptor the process already has open (1 for stdout, 2 for stderr),
 * written with `fs.write`, so that it works the same in the main thread and in a worker thread.
 *
 * Why not `process.stdout`: in a worker thread it is a proxy whose write callback fires once the
 * line is posted to the main thread, which writes it to the descriptor later, with no backpressure
 * from the real pipe. Here a write's callback fires only once the operating system has taken all
 * of its bytes, and while it has not, the stream's buffer fills up to its highWaterMark (`write`
 * returns false, `drain` follows), which is the congestion signal a sink needs.
 *
 * Two things the descriptor may do, because libuv puts a pipe's (or socket's) descriptor into
 * O_NONBLOCK mode once `process.stdout` exists in any thread, and that flag belongs to the open
 * file, shared by every user of the descriptor:
 * - a write takes only part of the buffer (the pipe had less room): the rest is written next;
 * - a write fails with EAGAIN (the pipe is full): it is tried again after a short timer that backs
 *   off from 1 ms to MAX_RETRY_DELAY_MS while the pipe stays full. There is no portable way to be
 *   told when a descriptor libuv does not own becomes writable, so it polls, as Go's runtime does
 *   (growing sleeps) and pino's sonic-boom does (a fixed 100 ms); the bound keeps a reader that
 *   resumes from waiting long for its next bytes, the back-off keeps a paused reader cheap.
 * A blocking descriptor (a terminal, a file, a pipe nobody made non-blocking) simply makes the
 * `fs.write` wait in libuv's thread pool. Bytes are never dropped and writes stay in order: one
 * `fs.write` at a time, and what Writable buffered meanwhile is written next as one batch.
 *
 * Any other error (EPIPE: the reader went away; EBADF) fails the write being made and every write
 * queued behind it with that error, and the stream is destroyed ('error' is emitted).
 *
 * Ending the stream waits for everything written so far and leaves the descriptor open: it is
 * the process's, not this stream's.
 */
import { write as writeToDescriptor } from 'node:fs';
import { Writable } from 'node:stream';

/** The longest wait between two attempts on a full pipe. */
const MAX_RETRY_DELAY_MS = 32;
const FIRST_RETRY_DELAY_MS = 1;

export interface DescriptorWriterOptions {
  /** Bytes buffered before `write` returns false (Writable's highWaterMark). */
  highWaterMark?: number;
  /** Names the descriptor in errors, e.g. "stdout". */
  name?: string;
}

export class DescriptorWriter extends Writable {
  private readonly descriptorName: string;

  constructor(
    private readonly fd: number,
    options: DescriptorWriterOptions = {},
  ) {
    super({ highWaterMark: options.highWaterMark, decodeStrings: true });
    this.descriptorName = options.name ?? `file descriptor ${fd}`;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(chunk, 0, FIRST_RETRY_DELAY_MS, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeAll(Buffer.concat(chunks.map(({ chunk }) => chunk)), 0, FIRST_RETRY_DELAY_MS, callback);
  }

  /** Nothing to flush beyond what the writes already waited for; the descriptor stays open. */
  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    callback(error);
  }

  /** Writes `buffer` from `offset` on until the operating system has all of it, or fails. */
  private writeAll(buffer: Buffer, offset: number, retryDelayMs: number, done: (error?: Error | null) => void): void {
    writeToDescriptor(this.fd, buffer, offset, buffer.length - offset, null, (error, written) => {
      if (error) {
        if (error.code === 'EAGAIN') {
          setTimeout(() => this.writeAll(buffer, offset, Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS), done), retryDelayMs);
          return;
        }
        error.message = `cannot write to ${this.descriptorName}: ${error.message}`;
        done(error);
        return;
      }
      const next = offset + written;
      if (next < buffer.length) this.writeAll(buffer, next, FIRST_RETRY_DELAY_MS, done);
      else done();
    });
  }
}
