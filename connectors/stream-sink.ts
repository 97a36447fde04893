/**
 * `stdout`, `stderr` (Tremor 0.11 offramps; `console` is accepted for stdout) and `file` sinks:
 * one encoded event per line.
 *
 * Lines are gathered (line-batch.ts; for a file gathered-lines.ts, as views of the events' bytes,
 * written by file-writer.ts) and written with one stream write per turn of the event loop
 * (or per BATCH_BYTES): a WAL emits up to `read_count` events in one step, and one write and one
 * callback for all of them cost a fraction of one per event. An event is acked once the batch
 * holding its line has been handed to the operating system (the stream's write callback); `file`
 * does not fsync. `stdout` and `stderr` write file descriptors 1 and 2 themselves
 * (a DescriptorWriter), not through `process.stdout`/`process.stderr`, which in the engine thread
 * (a worker) would call back as soon as the main thread has been sent the line, before the
 * operating system has it and without feeling a slow reader. When the stream's buffer is full the
 * sink triggers, and it restores on `drain`, so a `qos::wal` upstream holds events back instead of
 * the buffer growing.
 */
import type { Writable } from 'node:stream';
import type { Event } from '../engine/event.ts';
import { utf8PartsHolder } from '../engine/text-event.ts';
import { encodeOrFail, encodingHeld, type Codec } from './codec.ts';
import type { Delivery, Sink, SinkContext, SinkFactory } from './connector.ts';
import { DescriptorWriter } from './descriptor-writer.ts';
import { FileWriter } from './file-writer.ts';
import { GatheredLines } from './gathered-lines.ts';
import { LineBatch } from './line-batch.ts';

/** A batch is written once it holds this much, without waiting for the end of the turn. */
const BATCH_BYTES = 1 << 20;

export class StreamSink implements Sink {
  private context?: SinkContext;
  private congested = false;
  private stream!: Writable;
  /** Lines copied into one buffer, or for a file gathered as views of the events' bytes (gathered-lines.ts). */
  private batch: LineBatch | GatheredLines = new LineBatch(BATCH_BYTES);
  /** Where `encodingHeld` shows an event's bytes. */
  private readonly held = utf8PartsHolder();
  /** The deliveries of the lines in `batch`, in order. */
  private batched: Delivery[] = [];
  private writeScheduled = false;
  private readonly writeLater = (): void => {
    this.writeScheduled = false;
    this.writeBatch();
  };

  /**
   * `stop()` ends the stream: a file is closed, a DescriptorWriter waits for its writes and leaves
   * the descriptor open. `open` makes the stream when the sink starts, so that loading a
   * configuration (`rill validate`) creates or truncates no file; a stream may be given as it is.
   */
  constructor(
    private readonly open: Writable | (() => Writable),
    private readonly codec: Codec,
    private readonly prefix: string,
  ) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.stream = typeof this.open === 'function' ? this.open() : this.open;
    if (this.stream instanceof FileWriter) this.batch = new GatheredLines();
    this.stream.on('drain', () => {
      if (!this.congested) return;
      this.congested = false;
      this.context?.restore();
    });
    // The failed writes' deliveries carry the error; this keeps it from being an uncaught one.
    // A destroyed stream refuses later writes (they fail too), so the sink stays triggered.
    this.stream.on('error', (error: Error) => this.context?.warn(error.message));
  }

  isActive(): boolean {
    return !this.congested;
  }

  send(event: Event, delivery: Delivery): void {
    if (encodingHeld(this.codec, event, this.held)) this.batch.addUtf8(this.held, this.prefix);
    else {
      const text = encodeOrFail(this.codec, event, delivery);
      if (text === undefined) return;
      this.batch.add(text, this.prefix);
    }
    this.batched.push(delivery);
    if (this.batch.bytes >= BATCH_BYTES) this.writeBatch();
    else if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(this.writeLater);
    }
  }

  private writeBatch(): void {
    const lines = this.batch;
    const bytes = lines.take();
    if (bytes === undefined) return;
    const deliveries = this.batched;
    this.batched = [];
    const accepted = this.stream.write(bytes, (error) => {
      // Written (or never to be): its memory may be written over (line-batch.ts). Each kind takes
      // back what its own take() gave: GatheredLines its pieces, LineBatch its one buffer.
      if (lines instanceof GatheredLines) lines.release(bytes as Buffer[]);
      else lines.release(bytes as Buffer);
      if (error) for (const delivery of deliveries) delivery.fail(`write failed: ${error.message}`);
      else for (const delivery of deliveries) delivery.ack();
    });
    if (!accepted && !this.congested) {
      this.congested = true;
      this.context?.trigger();
    }
  }

  async stop(): Promise<void> {
    if (this.stream === undefined) return;
    this.writeBatch();
    // Resolves on an error too: the deliveries concerned have failed already.
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}

function descriptorSinkFactory(type: string, fd: number, name: string): SinkFactory {
  return {
    kind: 'sink',
    type,
    configKeys: { prefix: { type: 'string' } },
    create: (settings) => new StreamSink(new DescriptorWriter(fd, { name }), settings.codec, (settings.config.prefix as string | undefined) ?? ''),
  };
}

export const stdoutSinkFactory: SinkFactory = descriptorSinkFactory('stdout', 1, 'stdout');

export const consoleSinkFactory: SinkFactory = descriptorSinkFactory('console', 1, 'stdout');

export const stderrSinkFactory: SinkFactory = descriptorSinkFactory('stderr', 2, 'stderr');

/**
 * What a file sink buffers before it pushes back (triggers upstream): sixteen batches. With the
 * stream's default (16 KB) every 1 MiB batch made `write` return false, so the sink triggered
 * and restored once per batch, and a `qos::wal` upstream stopped emitting during each write while
 * its source went on: its backlog outgrew the WAL's in-memory window, and events were read back
 * from LMDB and parsed (the seed's flow ran at 0.6 of its speed). Four batches still did that now
 * and then once lines were written as views (file-writer.ts): a seed flow run in four fell to half
 * its speed; with sixteen none did in 20 runs. What a sink holds unwritten counts as in flight for
 * a WAL upstream, which re-sends it after a crash: its `max_in_flight` bounds that.
 */
const FILE_BUFFER_BYTES = 16 * BATCH_BYTES;

/** The stream of a file sink (0.11 offramp and troy connector), `flags` as fs.open's. */
export function openFileStream(path: string, flags: string): Writable {
  return new FileWriter(path, flags, FILE_BUFFER_BYTES);
}

export const fileSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'file',
  configKeys: { file: { type: 'string', required: true } },
  create: (settings) => new StreamSink(() => openFileStream(settings.config.file as string, 'a'), settings.codec, ''),
};
