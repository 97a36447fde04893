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
 *
 * rill extension `ack_delay_ms` (default 0: ack on write, as above). A frame written to the
 * socket is not yet received: if the receiver dies, what sits in the TCP buffers is gone, and an
 * ack-on-write sink has already let the WAL delete it. With a delay, a written frame is acked only
 * once the same connection has stayed up that long after the write; if it closes first, the frame
 * is failed and the WAL sends it again. Loss on a receiver crash becomes (bounded) duplication.
 *
 * rill extension `ack_replies` (default false; not with `ack_delay_ms`): the receiver says what it
 * has received. On the same connection it sends text frames `{"ack": N}`, N = how many frames it
 * has received on this connection so far. N is cumulative, so a lost or coalesced reply costs
 * nothing. The sink acks, in send order, every frame of the connection up to the N-th, and fails
 * the frames still unacknowledged when the connection closes: a `qos::wal` upstream sends them
 * again (duplicates bounded by what was in flight, instead of loss). A reply that does not fit
 * (not such an object, N backwards or beyond the frames sent) is ignored, with one warning per
 * connection.
 */
import WebSocket from 'ws';
import type { Event } from '../engine/event.ts';
import { encodeOrFail, type Codec } from './codec.ts';
import type { Delivery, Sink, SinkContext, SinkFactory } from './connector.ts';
import { ConnectorConfigError } from './connector.ts';
import { ReplyAcks, settleOnce } from './ws-reply-acks.ts';

export const RECONNECT_INITIAL_MS = 100;
export const RECONNECT_MAX_MS = 2_000;
/** How long `stop()` waits for a clean close handshake before dropping the socket. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface WsSinkOptions {
  url: string;
  binary: boolean;
  codec: Codec;
  /** Milliseconds a written frame waits, on a connection that stays up, before it is acked. */
  ackDelayMs?: number;
  /** Ack frames only when the receiver's `{"ack": N}` replies cover them. */
  ackReplies?: boolean;
  /**
   * Messages the other side sends on this connection (the troy `ws_client`'s source half); not
   * called for the `{"ack": N}` replies that `ackReplies` consumes.
   */
  onMessage?: (data: Buffer, isBinary: boolean) => void;
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
  /** Written frames waiting for `ackDelayMs` to pass, oldest first (only with a delay). */
  private heldAcks: Array<{ delivery: Delivery; writtenAt: number }> = [];
  private heldAckTimer?: NodeJS.Timeout;
  /** With `ackReplies`: the current connection's frames not acknowledged by the receiver yet. */
  private replyAcks?: ReplyAcks;
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
    const payload = encodeOrFail(this.options.codec, event, delivery);
    if (payload === undefined) return;
    const frame = this.options.binary ? Buffer.from(payload, 'utf8') : payload;
    const replyAcks = this.replyAcks;
    if (replyAcks !== undefined) {
      // Counted as sent on this connection now, in the order the receiver will count it.
      const once = settleOnce(delivery);
      replyAcks.sent(once);
      socket.send(frame, { binary: this.options.binary }, (error) => {
        if (error) once.fail(`send to ${this.options.url} failed: ${error.message}`);
      });
      return;
    }
    socket.send(frame, { binary: this.options.binary }, (error) => {
      if (error) delivery.fail(`send to ${this.options.url} failed: ${error.message}`);
      else if (!this.options.ackDelayMs) delivery.ack();
      else if (this.socket !== socket || !this.open) delivery.fail(`connection to ${this.options.url} closed right after the write`);
      else this.holdAck(delivery);
    });
  }

  private holdAck(delivery: Delivery): void {
    this.heldAcks.push({ delivery, writtenAt: Date.now() });
    if (this.heldAckTimer === undefined) this.scheduleHeldAcks();
  }

  private scheduleHeldAcks(): void {
    const oldest = this.heldAcks[0];
    if (oldest === undefined) return;
    const wait = Math.max(0, oldest.writtenAt + (this.options.ackDelayMs ?? 0) - Date.now());
    this.heldAckTimer = setTimeout(() => {
      this.heldAckTimer = undefined;
      const due = Date.now() - (this.options.ackDelayMs ?? 0);
      let released = 0;
      while (released < this.heldAcks.length && this.heldAcks[released].writtenAt <= due) released++;
      for (const held of this.heldAcks.splice(0, released)) held.delivery.ack();
      this.scheduleHeldAcks();
    }, wait);
  }

  /** The connection closed: frames written within the ack delay may not have arrived. */
  private failHeldAcks(): void {
    if (this.heldAckTimer !== undefined) clearTimeout(this.heldAckTimer);
    this.heldAckTimer = undefined;
    for (const held of this.heldAcks.splice(0)) held.delivery.fail(`connection to ${this.options.url} closed within ${this.options.ackDelayMs} ms of the write`);
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
    // A new connection counts its frames from 0, as its receiver does.
    const replyAcks = this.options.ackReplies ? new ReplyAcks(this.options.url, (message) => this.context?.warn(message)) : undefined;
    this.replyAcks = replyAcks;
    let failure: string | undefined;
    socket.on('open', () => {
      this.open = true;
      this.connections++;
      this.nextDelayMs = this.options.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
      if (this.outageReported) this.context?.warn(`connected to ${this.options.url}`);
      this.outageReported = false;
      this.context?.restore();
    });
    socket.on('message', (data, isBinary) => {
      // Without `ack_replies` or a source half, replies are not used (Tremor's non-linked ws offramp ignores them too).
      if (replyAcks !== undefined) replyAcks.reply(data, isBinary);
      else this.options.onMessage?.(toBuffer(data), isBinary);
    });
    socket.on('error', (error) => {
      failure = error.message;
    });
    socket.on('close', () => {
      const wasOpen = this.open;
      this.open = false;
      this.failHeldAcks();
      replyAcks?.failUnacked();
      if (this.socket === socket) {
        this.socket = undefined;
        this.replyAcks = undefined;
      }
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

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** A `ws://` or `wss://` URL from a config, or a config error. */
export function checkWsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectorConfigError(`\`url\` is not a valid URL: ${JSON.stringify(url)}`, 'url');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new ConnectorConfigError(`\`url\` must start with ws:// or wss://, got ${JSON.stringify(url)}`, 'url');
  }
  return url;
}

export const wsSinkFactory: SinkFactory = {
  kind: 'sink',
  type: 'ws',
  configKeys: { url: { type: 'string', required: true }, binary: { type: 'boolean' }, ack_delay_ms: { type: 'integer' }, ack_replies: { type: 'boolean' } },
  create(settings) {
    const url = checkWsUrl(settings.config.url as string);
    const ackDelayMs = (settings.config.ack_delay_ms as number | undefined) ?? 0;
    if (ackDelayMs < 0) throw new ConnectorConfigError(`\`ack_delay_ms\` must be 0 or more, got ${ackDelayMs}`, 'ack_delay_ms');
    const ackReplies = (settings.config.ack_replies as boolean | undefined) ?? false;
    if (ackReplies && ackDelayMs > 0) {
      throw new ConnectorConfigError(`\`ack_replies\` and \`ack_delay_ms\` (${ackDelayMs}) cannot be combined: with ack_replies the receiver's replies decide the acks; remove one of them`, 'ack_replies');
    }
    return new WsSink({ url, binary: (settings.config.binary as boolean | undefined) ?? false, codec: settings.codec, ackDelayMs, ackReplies });
  },
};
