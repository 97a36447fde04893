/**
 * What one byte stream (a TCP connection) has delivered but not yet emitted: its reads split by
 * the preprocessors into chunks, held in order until the source may emit them. A circuit-breaker
 * `trigger` can arrive in the middle of a read (a WAL downstream filling up while this read's
 * lines go through it); the lines after that point wait here, and the socket is paused, until
 * `restore`. So at most one read's lines (CHECKED_READS_AHEAD with `checked`) are held per connection.
 *
 * Each chunk is decoded (UTF-8, then the codec) when it is emitted. With `checked` (tcp_server), a
 * read's chunks are first checked on the line reader's worker thread (UTF-8, and JSON.parse for a
 * JSON codec), so that a JSON chunk goes on as its text and is parsed only if a node reads it; up to
 * CHECKED_READS_AHEAD reads may be at the worker while earlier ones are emitted, and `checked` is
 * called when one comes back, to emit it. A chunk that does not decode
 * is reported and skipped: the first per stream with its reason, later ones only counted, and the
 * count is reported when the stream closes (a client sending garbage cannot flood stderr).
 */
import type { RecordValue, Value } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import type { StreamSplitter } from './processors.ts';
import { checkChunks, type CheckedChunks } from '../line-reader.ts';
import { nowNs } from '../../engine/event.ts';

/** Reads at the worker at once per stream: enough to keep it busy while the engine emits. */
export const CHECKED_READS_AHEAD = 4;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface InboundStreamOptions {
  splitter: StreamSplitter;
  codec: Codec;
  /** The stream's name in reports (`127.0.0.1:50312`). */
  name: string;
  /** The metadata record of each event: a fresh one, or one frozen record for all (engine/frozen-record.ts). */
  meta: () => RecordValue;
  report: (message: string) => void;
  /** Check chunks on the worker thread; called when a read's check is back (emit it then). */
  checked?: () => void;
}

/** Where emitted chunks go: `emitJson` for a chunk known to be JSON, as its bytes (only with `checked`). */
export interface InboundTarget {
  emit(data: Value, meta: RecordValue, dataJson?: string): void;
  emitJson?(utf8: Buffer, start: number, end: number, meta: RecordValue, crc: number, keys: number, ingestNs: number): void;
}

/** One read's chunks, in order; `check` while at the worker, then its answer. */
interface HeldRead {
  chunks: Buffer[];
  next: number;
  pending: boolean;
  check?: CheckedChunks;
}

export class InboundStream {
  private readonly held: HeldRead[] = [];
  private suppressedDecodeErrors = 0;
  private decodeErrorReported = false;
  /** Chunks that did not decode (for stats and tests). */
  decodeErrors = 0;

  constructor(private readonly options: InboundStreamOptions) {}

  push(data: Buffer): void {
    this.hold(this.options.splitter.process(data));
  }

  /** The stream ended: a buffered last line is complete now. */
  end(): void {
    this.hold(this.options.splitter.finish());
  }

  get empty(): boolean {
    return this.held.length === 0;
  }

  /**
   * Whether the stream may read on: nothing waits to be emitted but reads still at the worker,
   * and fewer than CHECKED_READS_AHEAD of those.
   */
  get readyForMore(): boolean {
    return this.held.length === 0 || (this.held.length < CHECKED_READS_AHEAD && this.held.every((read) => read.pending));
  }

  /** Emits held chunks, in order, while `mayEmit()` holds (checked before each one); stops at a read still at the worker. */
  drain(mayEmit: () => boolean, target: InboundTarget): void {
    // One ingest time for the chunks emitted in this go (see SourceContext.emitJson).
    const ingestNs = nowNs();
    while (this.held.length > 0) {
      const read = this.held[0];
      if (read.pending) return;
      while (read.next < read.chunks.length) {
        if (!mayEmit()) return;
        const index = read.next++;
        const check = read.check;
        if (check?.parses[index] === 1 && target.emitJson !== undefined) {
          target.emitJson(read.chunks[index], check.starts[index], check.ends[index], this.options.meta(), check.crcs[index], check.keys[index], ingestNs);
          continue;
        }
        const decoded = this.decode(read.chunks[index]);
        if (decoded !== undefined) target.emit(decoded.data, this.options.meta(), decoded.dataJson);
      }
      this.held.shift();
    }
  }

  /** Reports the decode errors not reported one by one (call when the stream closes). */
  close(): void {
    if (this.suppressedDecodeErrors > 0) {
      this.options.report(`${this.options.name}: ${this.suppressedDecodeErrors} more chunk(s) could not be decoded as ${this.options.codec.name} and were skipped`);
    }
    this.suppressedDecodeErrors = 0;
  }

  private hold(chunks: Buffer[]): void {
    if (chunks.length === 0) return;
    const read: HeldRead = { chunks, next: 0, pending: false };
    this.held.push(read);
    const checked = this.options.checked;
    if (checked === undefined) return;
    read.pending = true;
    const settle = (check?: CheckedChunks) => {
      read.pending = false;
      read.check = check;
      checked();
    };
    // Without the worker's answer, the chunks are decoded here as without a check.
    checkChunks(chunks, this.options.codec.decodesJsonText).then(settle, () => settle());
  }

  private decode(chunk: Buffer): { data: Value; dataJson?: string } | undefined {
    const { codec } = this.options;
    try {
      const text = utf8.decode(chunk);
      const data = codec.decode(text);
      return { data, dataJson: codec.decodesJsonText ? text.trim() : undefined };
    } catch (error) {
      this.decodeErrors++;
      if (this.decodeErrorReported) {
        this.suppressedDecodeErrors++;
      } else {
        this.decodeErrorReported = true;
        const shown = chunk.length > 80 ? `${JSON.stringify(chunk.subarray(0, 80).toString('utf8'))}...` : JSON.stringify(chunk.toString('utf8'));
        this.options.report(`${this.options.name}: cannot decode ${shown} as ${codec.name}: ${(error as Error).message}; skipped (further decode errors on this connection are counted and reported when it closes)`);
      }
      return undefined;
    }
  }
}
