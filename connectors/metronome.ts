/**
 * `metronome`: one event every interval, ids 0, 1, 2, ... per process.
 * - Tremor 0.11 onramp (YAML): `config.interval` in milliseconds, `{"onramp":"metronome","ingest_ns":<ns>,"id":<n>}`.
 * - Tremor 0.12 connector (troy): `config.interval` in nanoseconds, `{"connector":"metronome","ingest_ns":<ns>,"id":<n>}`.
 *
 * As in Tremor 0.11 it is not transactional. A `trigger` stops it and a `restore` starts it
 * again one interval later: ticks missed while stopped are never made up.
 */
import { nowNs } from '../engine/event.ts';
import type { ConnectorFactory, Source, SourceContext, SourceFactory } from './connector.ts';
import { ConnectorConfigError } from './connector.ts';

export class MetronomeSource implements Source {
  readonly transactional = false;
  private context?: SourceContext;
  private timer?: NodeJS.Timeout;
  private nextId = 0;
  private triggered = false;
  private stopped = false;

  /** `origin`: the event's first key and its value (`onramp` in 0.11, `connector` in 0.12). */
  constructor(
    private readonly intervalMs: number,
    private readonly origin: 'onramp' | 'connector' = 'onramp',
  ) {}

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.schedule();
  }

  trigger(): void {
    this.triggered = true;
    this.cancel();
  }

  restore(): void {
    this.triggered = false;
    if (this.timer === undefined) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel();
  }

  /** Whether the metronome is currently paused by a trigger (for status reports and tests). */
  get paused(): boolean {
    return this.triggered;
  }

  // One timer per tick rather than setInterval, so a restore starts a fresh interval and nothing
  // queued while paused fires late.
  private schedule(): void {
    if (this.stopped || this.triggered || this.context === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.schedule();
    }, this.intervalMs);
  }

  private tick(): void {
    if (this.stopped || this.triggered || this.context === undefined) return;
    this.context.emit({ [this.origin]: 'metronome', ingest_ns: nowNs(), id: this.nextId++ });
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Intervals that are most likely in the other Tremor version's unit: a 0.11 interval (ms) of a
 * million or more (17 minutes; 1000000000 is one second in ns), a 0.12 one (ns) below a
 * millisecond (1000 is one second in ms). Such values are run as given, with a warning.
 */
const LOOKS_LIKE_NANOSECONDS_MS = 1_000_000;
const LOOKS_LIKE_MILLISECONDS_NS = 1_000_000;

function describeMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 3_600_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)} hours`;
  return `${+(ms / 86_400_000).toFixed(1)} days`;
}

export const metronomeFactory: SourceFactory = {
  kind: 'source',
  type: 'metronome',
  configKeys: { interval: { type: 'integer', required: true } },
  create(settings) {
    const interval = settings.config.interval as number;
    if (interval < 1) throw new ConnectorConfigError('`interval` must be at least 1 (milliseconds)', 'interval');
    if (interval >= LOOKS_LIKE_NANOSECONDS_MS) {
      settings.warn(
        `metronome \`interval: ${interval}\` is ${describeMs(interval)}: a Tremor 0.11 onramp's interval is in milliseconds (nanoseconds are 0.12 troy's unit); for ${describeMs(interval / 1_000_000)} write ${Math.max(1, Math.round(interval / 1_000_000))}`,
      );
    }
    return new MetronomeSource(interval);
  },
};

/** Tremor 0.12's `metronome` kind: `interval` in nanoseconds (`nanos::from_seconds(1)`), source only. */
export const metronomeConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'metronome',
  configKeys: { interval: { type: 'integer', required: true } },
  codec: 'structured',
  create(settings) {
    const intervalNs = settings.config.interval as number;
    if (intervalNs < 1) throw new ConnectorConfigError('`interval` must be at least 1 (nanoseconds)', 'interval');
    if (intervalNs < LOOKS_LIKE_MILLISECONDS_NS) {
      settings.warn(
        `metronome \`"interval": ${intervalNs}\` is ${intervalNs} ns: a troy connector's interval is in nanoseconds (milliseconds are 0.11 YAML's unit); for ${describeMs(intervalNs)} write nanos::from_millis(${intervalNs}); rill ticks every millisecond at most`,
      );
    }
    // Timers run in whole milliseconds; an interval below 1 ms ticks every millisecond.
    return { source: new MetronomeSource(Math.max(1, Math.round(intervalNs / 1_000_000)), 'connector') };
  },
};
