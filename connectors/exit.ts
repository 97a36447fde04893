/**
 * `exit` (Tremor 0.12 troy kind, a debug connector): on its first event it waits `delay`
 * nanoseconds (the event's `delay` field, else the config's; Tremor's test library gives 100 ms),
 * then asks the runtime to stop everything gracefully, as SIGTERM does. Later events are acked and
 * ignored. The process exit status is 0 after that clean stop (the event's `"exit": N` is not an
 * exit code, as in Tremor). A non-graceful exit is treated as graceful: rill always drains.
 */
import type { Event } from '../engine/event.ts';
import type { ConnectorFactory, Delivery, Sink, SinkContext } from './connector.ts';
import { ConnectorConfigError } from './connector.ts';

export class ExitSink implements Sink {
  private context?: SinkContext;
  private exiting = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly delayNs: number) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
  }

  isActive(): boolean {
    return true;
  }

  send(event: Event, delivery: Delivery): void {
    delivery.ack();
    if (this.exiting) return;
    this.exiting = true;
    const fromEvent = typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data) ? (event.data as Record<string, unknown>).delay : undefined;
    const delayNs = typeof fromEvent === 'number' && fromEvent >= 0 ? fromEvent : this.delayNs;
    this.timer = setTimeout(() => this.context?.requestStop?.('exit connector'), Math.round(delayNs / 1_000_000));
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

export const exitConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'exit',
  configKeys: { delay: { type: 'integer' }, graceful: { type: 'boolean' } },
  codec: 'structured',
  create(settings) {
    const delay = (settings.config.delay as number | undefined) ?? 0;
    if (delay < 0) throw new ConnectorConfigError('`delay` must not be negative (nanoseconds)', 'delay');
    if (settings.config.graceful === false) settings.warn('exit: `graceful = false` is treated as true (rill always stops gracefully)');
    return { sink: new ExitSink(delay) };
  },
};
