/**
 * `stdout`, `stderr` (Tremor 0.11 offramps; `console` is accepted for stdout) and `file` sinks:
 * one encoded event per line.
 *
 * An event is acked once its line has been handed to the operating system (the stream's write
 * callback); `file` does not fsync. When the stream's buffer is full the sink triggers, and it
 * restores on `drain`, so a `qos::wal` upstream holds events back instead of the buffer growing.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Event } from '../engine/event.ts';
import type { Codec } from './codec.ts';
import type { Delivery, Sink, SinkContext, SinkFactory } from './connector.ts';

export class StreamSink implements Sink {
  private context?: SinkContext;
  private congested = false;

  constructor(
    private readonly stream: Writable,
    private readonly codec: Codec,
    private readonly prefix: string,
    /** Whether `stop()` ends the stream (a file) or leaves it open (stdout/stderr). */
    private readonly ownsStream: boolean,
  ) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.stream.on('drain', () => {
      if (!this.congested) return;
      this.congested = false;
      this.context?.restore();
    });
  }

  isActive(): boolean {
    return !this.congested;
  }

  send(event: Event, delivery: Delivery): void {
    let line: string;
    try {
      line = this.prefix + this.codec.encode(event) + '\n';
    } catch (error) {
      delivery.fail(`cannot encode event as ${this.codec.name}: ${(error as Error).message}`);
      return;
    }
    const accepted = this.stream.write(line, (error) => {
      if (error) delivery.fail(`write failed: ${error.message}`);
      else delivery.ack();
    });
    if (!accepted && !this.congested) {
      this.congested = true;
      this.context?.trigger();
    }
  }

  async stop(): Promise<void> {
    if (!this.ownsStream) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}

export const stdoutSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'stdout',
  configKeys: { prefix: { type: 'string' } },
  create: (settings) => new StreamSink(process.stdout, settings.codec, (settings.config.prefix as string | undefined) ?? '', false),
};

export const consoleSinkFactory: SinkFactory = { ...stdoutSinkFactory, type: 'console' };

export const stderrSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'stderr',
  configKeys: { prefix: { type: 'string' } },
  create: (settings) => new StreamSink(process.stderr, settings.codec, (settings.config.prefix as string | undefined) ?? '', false),
};

export const fileSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'file',
  configKeys: { file: { type: 'string', required: true } },
  create: (settings) => new StreamSink(createWriteStream(settings.config.file as string, { flags: 'a' }), settings.codec, '', true),
};
