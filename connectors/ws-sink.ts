/**
 * `ws` offramp: a WebSocket client that writes one frame per event (`config.url`, optional
 * `binary` for binary frames instead of text).
 *
 * Circuit breaker and delivery, as in Tremor 0.11 (`src/sink/ws.rs`) but without its flaws:
 * - not active until the socket is open, so a pipeline linked before that gets `trigger`;
 *   `restore` as soon as it opens, `trigger` as soon as it closes (Tremor noticed only on the
 *   next tick);
 * - an event is acked when its frame has been written to the socket (the `send` callback without
 *   error) and failed on an encode or send error, or when no connection is up;
 * - exactly one socket at a time, reconnecting with a doubling backoff capped at
 *   `RECONNECT_MAX_MS` (Tremor leaked one connection per outage and retried every second).
 */
import WebSocket from 'ws';
import type { Event } from '../engine/event.ts';
import type { Codec } from './codec.ts';
import type { Delivery, Sink, SinkContext, SinkFactory } from './connector.ts';
import { ConnectorConfigError } from './connector.ts';

export const RECONNECT_INITIAL_MS = 100;
export const RECONNECT_MAX_MS = 2_000;
/** How long `stop()` waits for a clean close handshake before dropping the socket. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface WsSinkOptions {
  url: string;
  binary: boolean;
  codec: Codec;
  /** Overrides for tests; production uses the constants above. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
}

export class WsSink implements Sink {
  private context?: SinkContext;
  private socket?: WebSocket;
  private open = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private nextDelayMs: number;
  /** Whether the current outage was already reported, so a long outage warns once. */
  private outageReported = false;
  /** Connections opened so far (status and tests). */
  connections = 0;

  constructor(private readonly options: WsSinkOptions) {
    this.nextDelayMs = options.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
  }

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.connect();
  }

  isActive(): boolean {
    return this.open;
  }

  send(event: Event, delivery: Delivery): void {
    const socket = this.socket;
    if (!this.open || socket === undefined) {
      delivery.fail(`no connection available for ${this.options.url}`);
      return;
    }
    let payload: string;
    try {
      payload = this.options.codec.encode(event.data);
    } catch (error) {
      delivery.fail(`cannot encode event as ${this.options.codec.name}: ${(error as Error).message}`);
      return;
    }
    const frame = this.options.binary ? Buffer.from(payload, 'utf8') : payload;
    socket.send(frame, { binary: this.options.binary }, (error) => {
      if (error) delivery.fail(`send to ${this.options.url} failed: ${error.message}`);
      else delivery.ack();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(() => {
        socket.terminate();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      socket.once('close', () => {
        clearTimeout(timeout);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'rill shutting down');
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    let failure: string | undefined;
    socket.on('open', () => {
      this.open = true;
      this.connections++;
      this.nextDelayMs = this.options.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
      if (this.outageReported) this.context?.warn(`connected to ${this.options.url}`);
      this.outageReported = false;
      this.context?.restore();
    });
    socket.on('message', () => {
      // Replies are not used (Tremor's non-linked ws offramp ignores them too).
    });
    socket.on('error', (error) => {
      failure = error.message;
    });
    socket.on('close', () => {
      const wasOpen = this.open;
      this.open = false;
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      if (wasOpen) this.context?.trigger();
      if (!this.outageReported) {
        const why = failure ?? (wasOpen ? 'connection closed' : 'connection refused');
        this.context?.warn(`no connection to ${this.options.url} (${why}); retrying with backoff up to ${this.maxDelayMs} ms`);
        this.outageReported = true;
      }
      this.scheduleReconnect();
    });
  }

  private get maxDelayMs(): number {
    return this.options.reconnectMaxMs ?? RECONNECT_MAX_MS;
  }

  private scheduleReconnect(): void {
    const delay = this.nextDelayMs;
    this.nextDelayMs = Math.min(delay * 2, this.maxDelayMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }
}

export const wsSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'ws',
  configKeys: { url: { type: 'string', required: true }, binary: { type: 'boolean' } },
  create(settings) {
    const url = settings.config.url as string;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConnectorConfigError(`\`url\` is not a valid URL: ${JSON.stringify(url)}`, 'url');
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new ConnectorConfigError(`\`url\` must start with ws:// or wss://, got ${JSON.stringify(url)}`, 'url');
    }
    return new WsSink({ url, binary: (settings.config.binary as boolean | undefined) ?? false, codec: settings.codec });
  },
};
