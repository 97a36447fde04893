/**
 * `blackhole` offramp: acks every event and keeps nothing, for benchmarks. Tremor's blackhole also
 * records a latency histogram (`warmup_secs`, `stop_after_secs`, `significant_figures`); rill
 * accepts those keys so Tremor configurations load, but only counts events.
 */
import type { Event } from '../engine/event.ts';
import type { Delivery, Sink, SinkFactory } from './connector.ts';

export class BlackholeSink implements Sink {
  received = 0;

  async start(): Promise<void> {}

  isActive(): boolean {
    return true;
  }

  send(_event: Event, delivery: Delivery): void {
    this.received++;
    delivery.ack();
  }

  async stop(): Promise<void> {}
}

export const blackholeSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'blackhole',
  configKeys: {
    warmup_secs: { type: 'number' },
    stop_after_secs: { type: 'number' },
    significant_figures: { type: 'integer' },
  },
  create(settings) {
    for (const key of ['warmup_secs', 'stop_after_secs', 'significant_figures']) {
      if (key in settings.config) settings.warn(`blackhole: \`${key}\` is accepted for compatibility and ignored (rill's blackhole only counts)`);
    }
    return new BlackholeSink();
  },
};
