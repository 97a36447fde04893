/**
 * The `file` sink's stream: a file opened with fs.open `flags`, written a batch at a time, each
 * batch the pieces GatheredLines made (gathered-lines.ts), with one `fs.writev` (libuv splits it
 * where a batch has more pieces than the system takes at once). A write's callback fires once the
 * operating system has all of its bytes; the file is not fsynced.
 *
 * Backpressure in bytes, as fs.WriteStream's was: `write` returns false once more than
 * `highWaterMarkBytes` are written but not yet taken by the operating system, and `drain` follows
 * when they are. (An object-mode Writable counts batches, and a batch may hold one line or a
 * megabyte.)
 *
 * A write that took only part of its bytes (a disk that filled up) goes on with the rest; the next
 * attempt then fails with the system's error, which fails that write and the ones queued after it.
 */
import { close, open, writev } from 'node:fs';
import { Writable } from 'node:stream';

export class FileWriter extends Writable {
  private fd = -1;
  private pendingBytes = 0;
  private needsDrain = false;

  constructor(
    private readonly path: string,
    private readonly flags: string,
    private readonly highWaterMarkBytes: number,
  ) {
    // Writable's own limit never stops a write: the byte limit below does.
    super({ objectMode: true, highWaterMark: Number.MAX_SAFE_INTEGER });
  }

  /** Queues one batch; false when the bytes not yet written are over the limit (`drain` follows). */
  override write(pieces: Buffer[], callback?: (error: Error | null | undefined) => void): boolean;
  override write(pieces: Buffer[], encoding: BufferEncoding, callback?: (error: Error | null | undefined) => void): boolean;
  override write(pieces: Buffer[], encodingOrCallback?: BufferEncoding | ((error: Error | null | undefined) => void), callback?: (error: Error | null | undefined) => void): boolean {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    this.pendingBytes += bytes;
    super.write(pieces, (error: Error | null | undefined) => {
      this.pendingBytes -= bytes;
      if (this.needsDrain && this.pendingBytes <= this.highWaterMarkBytes) {
        this.needsDrain = false;
        this.emit('drain');
      }
      done?.(error);
    });
    if (this.pendingBytes <= this.highWaterMarkBytes) return true;
    this.needsDrain = true;
    return false;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, this.flags, 0o666, (error, fd) => {
      if (error) return callback(error);
      this.fd = fd;
      callback();
    });
  }

  override _write(pieces: Buffer[], _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(pieces, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer[] }>, callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.flatMap(({ chunk }) => chunk), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.fd < 0) return callback(error);
    const fd = this.fd;
    this.fd = -1;
    close(fd, (closeError) => callback(error ?? closeError));
  }

  private writeAll(pieces: Buffer[], done: (error?: Error | null) => void): void {
    writev(this.fd, pieces, null, (error, written) => {
      if (error) {
        error.message = `cannot write to ${this.path}: ${error.message}`;
        return done(error);
      }
      const rest = afterWritten(pieces, written);
      if (rest.length > 0) this.writeAll(rest, done);
      else done();
    });
  }
}

/** The pieces after the first `written` bytes (the piece those end in, cut). */
export function afterWritten(pieces: Buffer[], written: number): Buffer[] {
  let index = 0;
  while (index < pieces.length && written >= pieces[index].length) written -= pieces[index++].length;
  if (index === pieces.length) return [];
  return [pieces[index].subarray(written), ...pieces.slice(index + 1)];
}
