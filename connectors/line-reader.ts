/**
 * A file's lines, read, cut and (for a JSON codec) checked to parse on a worker thread
 * (line-reader-worker.mjs says why), in batches of about BATCH_BYTES. While the caller handles one
 * batch, the worker already reads the next one, so both cores work on a `file` source.
 *
 * The file is the caller's open descriptor: the worker reads the very file the source opened.
 * A batch asked for at another offset than the one read ahead (a `fail` rewound the source) is read
 * afresh; the read-ahead batch is dropped.
 *
 * One worker per thread serves every file source of that thread. It is started when a file source
 * is configured (`startLineReaderThread`), so that its start (about 60 ms: a new V8 isolate) runs
 * while the rest of the flow starts (LMDB, the other connectors) instead of before the first line.
 * `rill server run` starts it earlier still, before it has read its files
 * (`prestartLineReaderThread`), and ends it again if no source took it
 * (`releaseUnclaimedLineReaderThread`).
 */
import { Worker } from 'node:worker_threads';
import { shippedFile } from '../queries/shipped-file.ts';

const WORKER_FILE = shippedFile(import.meta.url, 'line-reader-worker.mjs', 'connectors/line-reader-worker.mjs');
/** About 400 of the bench's 630-byte lines: a few milliseconds of the engine's work per batch. */
export const BATCH_BYTES = 256 * 1024;
/**
 * Batches asked for ahead of the one being handled. With one, the engine thread waited for the
 * worker 14% of a file -> wal -> file run (the worker's batch took about as long as the engine's):
 * two keep one ready while the next is read.
 */
const BATCHES_AHEAD = 2;

export interface LineBatch {
  /** Where in the file `data` starts. */
  offset: number;
  /** The bytes read; the lines are views of them. */
  data: Buffer;
  /**
   * Where each line is in `data`: without its newline (nor a `\r` before it), and for a line that
   * parses without the JSON whitespace around its value either.
   */
  starts: Int32Array;
  ends: Int32Array;
  /** Each line's bytes in the file, newline included. */
  lengths: Int32Array;
  /** 1 where the line is UTF-8 and JSON.parse accepted it (when asked to check; else 0). */
  parses: Uint8Array;
  /** Where `parses` is 1: the CRC-32 of the line's JSON value (`Utf8Text.crc`). */
  crcs: Uint32Array;
  /** Where `parses` is 1: the set of the line's top-level keys (`Utf8Text.keys`). */
  keys: Int32Array;
  /** Nothing follows the last line: the end of the file as it was when read. */
  atEnd: boolean;
}

/** Which chunks a stream source cut are UTF-8 JSON, and where each one's value is within it (`starts`/`ends`, where it parses). */
export interface CheckedChunks {
  starts: Int32Array;
  ends: Int32Array;
  parses: Uint8Array;
  /** Where `parses` is 1: the CRC-32 of the chunk's JSON value (`Utf8Text.crc`). */
  crcs: Uint32Array;
  /** Where `parses` is 1: the set of the chunk's top-level keys (`Utf8Text.keys`). */
  keys: Int32Array;
}

type WorkerAnswer = LineBatch | CheckedChunks | { error: string };

interface Waiter {
  resolve: (answer: never) => void;
  reject: (error: Error) => void;
}

/**
 * This thread's reader worker, the requests it has not answered yet (it answers in order), and
 * whether a source has taken it (false while only prestarted).
 */
let thread: { worker: Worker; waiting: Waiter[]; claimed: boolean } | undefined;

/** Starts this thread's reader worker if it is not running (idle, it keeps no process alive). */
export function startLineReaderThread(): void {
  prestartLineReaderThread();
  thread!.claimed = true;
}

/** Starts the reader worker ahead of any source; releaseUnclaimedLineReaderThread ends it if none takes it. */
export function prestartLineReaderThread(): void {
  if (thread !== undefined) return;
  const worker = new Worker(WORKER_FILE);
  worker.unref();
  const started = { worker, waiting: [] as Waiter[], claimed: false };
  worker.on('message', (answer: WorkerAnswer) => {
    const waiter = started.waiting.shift();
    if (started.waiting.length === 0) worker.unref();
    if ('error' in answer) waiter?.reject(new Error(answer.error));
    else if ('data' in answer) {
      // A transferred Buffer arrives as a plain Uint8Array over the same memory.
      const { data } = answer;
      waiter?.resolve({ ...answer, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) } as never);
    } else waiter?.resolve(answer as never);
  });
  const ended = (error: Error) => {
    // The next reader starts another one.
    if (thread === started) thread = undefined;
    for (const waiter of started.waiting.splice(0)) waiter.reject(error);
  };
  worker.on('error', ended);
  worker.on('exit', () => ended(new Error('the line reader thread ended')));
  thread = started;
}

/** Ends a reader worker that was prestarted and that no source took since. */
export function releaseUnclaimedLineReaderThread(): void {
  if (thread === undefined || thread.claimed) return;
  const { worker } = thread;
  thread = undefined;
  void worker.terminate();
}

/** Asks the worker of this thread (started if needed) and resolves with its answer. */
function ask<T>(request: object, transfer?: ArrayBuffer[]): Promise<T> {
  startLineReaderThread();
  const { worker, waiting } = thread!;
  const answer = new Promise<T>((resolve, reject) => waiting.push({ resolve: resolve as (answer: never) => void, reject }));
  // Held open only while an answer is due: an idle worker must not keep alive a process that has
  // nothing else to do.
  worker.ref();
  worker.postMessage(request, transfer);
  return answer;
}

/**
 * Which of a stream source's chunks (a TCP read, cut by its preprocessors) are UTF-8 JSON, checked
 * on the worker: the source emits those as their bytes (SourceContext.emitJson).
 */
export function checkChunks(chunks: Buffer[], validateJson: boolean): Promise<CheckedChunks> {
  // One buffer of its own, handed over (transferred, not copied), and the chunks' lengths: posting
  // the chunks themselves cloned each one (a read's hundred lines were 8% of a tcp -> wal flow).
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const joined = Buffer.allocUnsafeSlow(total);
  const lengths = new Int32Array(chunks.length);
  let at = 0;
  chunks.forEach((chunk, i) => {
    at += chunk.copy(joined, at);
    lengths[i] = chunk.length;
  });
  return ask<CheckedChunks>({ joined, lengths, validateJson }, [joined.buffer as ArrayBuffer, lengths.buffer]);
}

export class LineReader {
  /** Batches asked for, in file order: the first from `aheadFrom`, each next one where the one before ended. */
  private ahead: Array<Promise<LineBatch>> = [];
  private aheadFrom = -1;
  /** The last batch asked for: the worker answers in order, so once it is in, every read is over. */
  private lastAsked: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly validateJson: boolean,
  ) {
    startLineReaderThread();
  }

  /** The lines from byte `offset` on; keeps BATCHES_AHEAD batches after them asked for. */
  async read(offset: number): Promise<LineBatch> {
    if (this.aheadFrom !== offset || this.ahead.length === 0) {
      // A rewind (or the first read): what was asked for ahead is not what comes next.
      this.ahead = [this.request(offset)];
      this.aheadFrom = offset;
    }
    while (this.ahead.length < 1 + BATCHES_AHEAD) this.ahead.push(this.request(undefined));
    const batch = await this.ahead.shift()!;
    let next = batch.offset;
    for (let i = 0; i < batch.lengths.length; i++) next += batch.lengths[i];
    this.aheadFrom = next;
    // What was read ahead of the end was read before anything could follow it: asked for again.
    if (batch.atEnd) this.ahead = [];
    return batch;
  }

  /** No more reads; batches read ahead are dropped (the caller closes the file after this). */
  async close(): Promise<void> {
    this.closed = true;
    this.ahead = [];
    // Every read must be over before the descriptor is closed and perhaps reused for another file.
    await this.lastAsked.catch(() => {});
  }

  /** A batch from `offset`, or (undefined) from where the one asked for before it ends. */
  private request(offset: number | undefined): Promise<LineBatch> {
    if (this.closed) return Promise.reject(new Error('the line reader is closed'));
    const batch = ask<LineBatch>({ fd: this.fd, offset, bytes: BATCH_BYTES, validateJson: this.validateJson });
    // A read-ahead batch may never be asked for (a rewind, a stop): its failure is nobody's error.
    batch.catch(() => {});
    this.lastAsked = batch;
    return batch;
  }
}
