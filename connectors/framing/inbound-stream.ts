/**
 * What one byte stream (a TCP connection) has delivered but not yet emitted: its reads split by
 * the preprocessors into chunks, held in order until the source may emit them. A circuit-breaker
 * `trigger` can arrive in the middle of a read (a WAL downstream filling up while this read's
 * lines go through it); the lines after that point wait here, and the socket is paused, until
 * `restore`. So at most one read's lines are held per connection.
 *
 * Each chunk is decoded (UTF-8, then the codec) when it is emitted. A chunk that does not decode
 * is reported and skipped: the first per stream with its reason, later ones only counted, and the
 * count is reported when the stream closes (a client sending garbage cannot flood stderr).
 */
import type { RecordValue, Value } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import type { StreamSplitter } from './processors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface InboundStreamOptions {
  splitter: StreamSplitter;
  codec: Codec;
  /** The stream's name in reports (`127.0.0.1:50312`). */
  name: string;
  /** A fresh metadata record for each event. */
  meta: () => RecordValue;
  report: (message: string) => void;
}

export class InboundStream {
  private readonly held: Buffer[] = [];
  private next = 0;
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
    return this.next === this.held.length;
  }

  /** Emits held chunks, in order, while `mayEmit()` holds (checked before each one). */
  drain(mayEmit: () => boolean, emit: (data: Value, meta: RecordValue, dataJson?: string) => void): void {
    while (this.next < this.held.length && mayEmit()) {
      const chunk = this.held[this.next++];
      const decoded = this.decode(chunk);
      if (decoded !== undefined) emit(decoded.data, this.options.meta(), decoded.dataJson);
    }
    if (this.next === this.held.length) {
      this.held.length = 0;
      this.next = 0;
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
    for (const chunk of chunks) this.held.push(chunk);
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
