/**
 * A file's lines, read, cut and (for a JSON codec) checked to parse on a worker thread
 * (line-reader-worker.mjs says why), in batches of about BATCH_BYTES. While the caller handles one
 * batch, the worker already reads the next one, so both cores work on a `file` source.
 *
 * The file is the caller's open descriptor: the worker reads the very file the source opened.
 * A batch asked for at another offset than the one read ahead (a `fail` rewound the source) is read
 * afresh; the read-ahead batch is dropped.
 */
import { Worker } from 'node:worker_threads';
import { shippedFile } from '../queries/shipped-file.ts';

const WORKER_FILE = shippedFile(import.meta.url, 'line-reader-worker.mjs', 'connectors/line-reader-worker.mjs');
/** About 400 of the bench's 630-byte lines: a few milliseconds of the engine's work per batch. */
export const BATCH_BYTES = 256 * 1024;

export interface LineBatch {
  /** Each line without its newline (nor a `\r` before it). */
  texts: string[];
  /** Each line's bytes in the file, newline included. */
  lengths: Int32Array;
  /** 1 where JSON.parse accepted the line (when asked to check; else 0). */
  parses: Uint8Array;
  /** Nothing follows the last line: the end of the file as it was when read. */
  atEnd: boolean;
}

type WorkerAnswer = LineBatch | { error: string };

export class LineReader {
  private readonly worker: Worker;
  /** Answers come in the order of the requests. */
  private readonly waiting: Array<{ resolve: (batch: LineBatch) => void; reject: (error: Error) => void }> = [];
  private readAhead?: { offset: number; batch: Promise<LineBatch> };
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly validateJson: boolean,
  ) {
    this.worker = new Worker(WORKER_FILE);
    this.worker.unref();
    this.worker.on('message', (answer: WorkerAnswer) => {
      const waiter = this.waiting.shift();
      if (this.waiting.length === 0) this.worker.unref();
      if ('error' in answer) waiter?.reject(new Error(answer.error));
      else waiter?.resolve(answer);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the line reader thread ended')));
  }

  /** The lines from byte `offset` on; starts reading the batch after them. */
  async read(offset: number): Promise<LineBatch> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    const batch = await (ahead?.offset === offset ? ahead.batch : this.request(offset));
    if (!batch.atEnd && !this.closed) {
      let next = offset;
      for (const length of batch.lengths) next += length;
      this.readAhead = { offset: next, batch: this.request(next) };
    }
    return batch;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.readAhead = undefined;
    await this.worker.terminate();
  }

  private request(offset: number): Promise<LineBatch> {
    if (this.closed) return Promise.reject(new Error('the line reader is closed'));
    const batch = new Promise<LineBatch>((resolve, reject) => this.waiting.push({ resolve, reject }));
    // A read-ahead batch may never be asked for (a rewind, a stop): its failure is nobody's error.
    batch.catch(() => {});
    // Held open only while an answer is due: an idle reader (at the end of the file) must not keep
    // a process alive that has nothing else to do.
    this.worker.ref();
    this.worker.postMessage({ fd: this.fd, offset, bytes: BATCH_BYTES, validateJson: this.validateJson });
    return batch;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
