/**
 * `bench` (Tremor 0.12 debug connector, `--debug-connectors`): a load generator and a measuring
 * sink.
 *
 * Source: replays the lines of `source` (0.12.4's key; `path` as later versions name it), or
 * `chunk_size`-byte pieces of it, decoded with the codec (`base64` decodes each piece first),
 * `iters` times through the file (for ever without it, or until `stop_after_secs`), one event
 * every `interval` nanoseconds or as fast as the pipeline takes them. Not transactional unless
 * `is_transactional`. A trigger pauses it; nothing is skipped.
 *
 * Sink: acks everything and records each event's latency (now - ingest time) after `warmup_secs`;
 * once it has seen iters x lines events (or after `stop_after_secs`) it prints the figures on
 * stdout (text, or one JSON record with `structured`) and stops the process, as Tremor's does.
 * Percentiles are exact (sorted samples), not an HDR histogram; `significant_figures` is
 * accepted and only rounds the printed values.
 */
import type { Event } from '../../engine/event.ts';
import { nowNs } from '../../engine/event.ts';
import type { Value } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import { ConnectorConfigError, type ConnectorFactory, type Delivery, type Sink, type SinkContext, type Source, type SourceContext } from '../connector.ts';
import { readLines } from '../file-lines.ts';
import { readFileSync } from 'node:fs';
import { PauseGate } from '../pause-gate.ts';

/** Events emitted between yields to the event loop when there is no interval. */
const EVENTS_PER_TURN = 256;

interface StopAfter {
  events?: number;
  seconds?: number;
}

export class BenchSource implements Source {
  /** Closed while triggered: the reading loop waits there. */
  private readonly gate = new PauseGate();
  private stopped = false;
  private running?: Promise<void>;
  emitted = 0;

  constructor(
    private readonly pieces: string[],
    private readonly codec: Codec,
    private readonly intervalNs: number | undefined,
    private readonly stopAfter: StopAfter,
    readonly transactional: boolean,
  ) {}

  async start(context: SourceContext): Promise<void> {
    this.running = this.run(context);
  }

  trigger(): void {
    this.gate.pause();
  }

  restore(): void {
    this.gate.resume();
  }

  ack(): void {}
  fail(): void {}

  async stop(): Promise<void> {
    this.stopped = true;
    this.gate.resume();
    await this.running;
  }

  private async run(context: SourceContext): Promise<void> {
    if (this.pieces.length === 0) return;
    const decoded: Array<{ data: Value; json?: string }> = [];
    for (const [index, piece] of this.pieces.entries()) {
      try {
        decoded.push({ data: this.codec.decode(piece), json: this.codec.decodesJsonText ? piece.trim() : undefined });
      } catch (error) {
        context.warn(`piece ${index + 1}: cannot decode as ${this.codec.name}: ${(error as Error).message}; skipped`);
      }
    }
    if (decoded.length === 0) return;
    const stopAt = this.stopAfter.seconds === undefined ? Infinity : Date.now() + this.stopAfter.seconds * 1000;
    const intervalMs = this.intervalNs === undefined ? undefined : Math.max(0, this.intervalNs / 1_000_000);
    while (!this.stopped && (this.stopAfter.events === undefined || this.emitted < this.stopAfter.events) && Date.now() < stopAt) {
      await this.gate.passed();
      if (this.stopped) return;
      const next = decoded[this.emitted % decoded.length]!;
      this.emitted++;
      // Each event gets its own copy of the payload: a pipeline may change it.
      context.emit(next.json !== undefined ? this.codec.decode(next.json) : structuredClone(next.data), undefined, next.json);
      if (intervalMs !== undefined) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      else if (this.emitted % EVENTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

export class BenchSink implements Sink {
  private context?: SinkContext;
  private readonly startedNs = nowNs();
  private readonly latencies: number[] = [];
  private bytes = 0;
  private finished = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly codec: Codec,
    private readonly stopAfter: StopAfter,
    private readonly warmupSecs: number,
    private readonly structured: boolean,
    private readonly print: (text: string) => void,
  ) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    if (this.stopAfter.seconds !== undefined) this.timer = setTimeout(() => this.finish(), (this.stopAfter.seconds + this.warmupSecs) * 1000);
  }

  isActive(): boolean {
    return true;
  }

  send(event: Event, delivery: Delivery): void {
    delivery.ack();
    if (this.finished) return;
    const now = nowNs();
    if (now - this.startedNs >= this.warmupSecs * 1e9) {
      this.latencies.push(Math.max(0, now - event.ingestNs));
      try {
        this.bytes += Buffer.byteLength(this.codec.encode(event));
      } catch {
        // Counted as an event without bytes: the figures are about latency.
      }
    }
    if (this.stopAfter.events !== undefined && this.latencies.length >= this.stopAfter.events) this.finish();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** The figures so far, in nanoseconds. */
  figures(): { count: number; bytes: number; meanNs: number; maxNs: number; percentiles: Array<{ quantile: number; valueNs: number }> } {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const count = sorted.length;
    const at = (q: number) => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.ceil(q * count) - 1 < 0 ? 0 : Math.ceil(q * count) - 1)]!);
    return {
      count,
      bytes: this.bytes,
      meanNs: count === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / count,
      maxNs: count === 0 ? 0 : sorted[count - 1]!,
      percentiles: [0.5, 0.9, 0.99, 0.999, 1].map((quantile) => ({ quantile, valueNs: at(quantile) })),
    };
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const figures = this.figures();
    const seconds = Math.max(1e-9, (nowNs() - this.startedNs) / 1e9);
    if (this.structured) {
      this.print(`${JSON.stringify({ ...figures, seconds, events_per_s: figures.count / seconds })}\n`);
    } else {
      const lines = figures.percentiles.map(({ quantile, valueNs }) => `${String(Math.round(valueNs)).padStart(12)} ${quantile.toFixed(5)}`);
      this.print(
        `${'Value'.padStart(12)} Percentile\n${lines.join('\n')}\n#[Mean = ${figures.meanNs.toFixed(2)}, Max = ${figures.maxNs}, Total count = ${figures.count}]\n\n` +
          `Throughput   (data): ${(figures.bytes / seconds / (1024 * 1024)).toFixed(1)} MB/s\nThroughput (events): ${(figures.count / seconds / 1000).toFixed(1)}k events/s\n`,
      );
    }
    this.context?.requestStop?.('bench: done');
  }
}

function pieces(path: string, key: string, chunkSize: number | undefined, base64: boolean): string[] {
  let raw: string[];
  if (chunkSize === undefined) raw = readLines(path, key);
  else {
    const bytes = readFileSync(path);
    raw = [];
    for (let offset = 0; offset < bytes.length; offset += chunkSize) raw.push(bytes.subarray(offset, offset + chunkSize).toString('utf8'));
  }
  return base64 ? raw.map((piece) => Buffer.from(piece, 'base64').toString('utf8')) : raw;
}

export const benchConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'bench',
  configKeys: {
    source: { type: 'string' },
    path: { type: 'string' },
    interval: { type: 'integer' },
    chunk_size: { type: 'integer' },
    iters: { type: 'integer' },
    base64: { type: 'boolean' },
    is_transactional: { type: 'boolean' },
    structured: { type: 'boolean' },
    stop_after_secs: { type: 'integer' },
    significant_figures: { type: 'integer' },
    warmup_secs: { type: 'integer' },
  },
  codec: 'optional',
  create(settings) {
    const config = settings.config;
    const key = config.source !== undefined ? 'source' : 'path';
    const path = config[key];
    if (typeof path !== 'string') throw new ConnectorConfigError('missing required key "source" (the file to replay; `path` is its later name)', 'source');
    for (const name of ['interval', 'chunk_size', 'iters', 'stop_after_secs', 'warmup_secs']) {
      const value = config[name];
      if (value !== undefined && ((value as number) < 0 || (name === 'chunk_size' && value === 0))) {
        throw new ConnectorConfigError(`\`${name}\` must be ${name === 'chunk_size' ? 'positive' : 'zero or more'}`, name);
      }
    }
    const all = pieces(path, key, config.chunk_size as number | undefined, config.base64 === true);
    const iters = config.iters as number | undefined;
    const stopSecs = config.stop_after_secs as number | undefined;
    const stopAfter: StopAfter = { events: iters === undefined ? undefined : iters * all.length, seconds: stopSecs === undefined || stopSecs === 0 ? undefined : stopSecs };
    if (stopAfter.events === undefined && stopAfter.seconds === undefined) settings.warn('bench: no `iters` or `stop_after_secs`: it emits events until the process is stopped');
    return {
      source: new BenchSource(all, settings.codec, config.interval as number | undefined, stopAfter, config.is_transactional === true),
      sink: new BenchSink(settings.codec, stopAfter, (config.warmup_secs as number | undefined) ?? 0, config.structured === true, (text) => void process.stdout.write(text)),
    };
  },
};
