/**
 * `tcp_client` (Tremor 0.12 connector) and the Tremor 0.11 `tcp` offramp: one TCP connection to
 * `url` (`unix_socket_client`: the same client on the Unix domain socket `path`), written by the sink half and read by the source half (both built from one config and
 * sharing the connection, as tcp-server.ts's halves share the listener; the 0.11 offramp uses the
 * sink half only, and what the server sends it is read and discarded).
 *
 * Sink: each event is encoded, postprocessed (default: `\n` appended) and written. It is acked
 * when Node's write callback reports the bytes handed to the operating system (in the kernel's
 * send buffer, not yet received by the server: a server crash loses what it had not read, as in
 * Tremor) and failed on a write error, an encode error, or when not connected. CB: inactive
 * until connected, so a linked pipeline gets `trigger`; `restore` on every (re)connect; `trigger`
 * as soon as the connection is lost; also `trigger` while the socket buffers more than its
 * high-water mark (a server reading slowly) and `restore` on `drain`. Writes pending when the
 * connection drops are failed, so a WAL upstream sends them again (at least once).
 *
 * Reconnect (reconnect.ts): `tcp_client` follows its troy `reconnect` (default `none`, as
 * Tremor); the 0.11 offramp retries for ever, 100 ms doubling up to 2 s (as rill's ws offramp).
 * There is never more than one socket.
 *
 * Source: bytes the server sends go through the preprocessors (default `lines`) and the codec,
 * with `$tcp_client = {"tls": false, "peer": {"host", "port"}}`. Not transactional. Until the
 * source half starts (the runtime starts sinks first), they wait in the socket; `trigger` pauses
 * reading it, `restore` resumes.
 */
import { connect, type Socket } from 'node:net';
import type { Event } from '../../engine/event.ts';
import { frozenRecord } from '../../engine/frozen-record.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { encodeOrFail, type Codec } from '../codec.ts';
import {
  ConnectorConfigError,
  type ConnectorFactory,
  type ConnectorSettings,
  type Delivery,
  type Sink,
  type SinkContext,
  type SinkFactory,
  type Source,
  type SourceContext,
} from '../connector.ts';
import { buildFraming, type Framing } from '../framing/processors.ts';
import { InboundStream } from '../framing/inbound-stream.ts';
import { Backoff, parseReconnect, type ReconnectPolicy } from './reconnect.ts';
import { addressText, checkPort, parseSocketUrl, type SocketAddress } from './socket-address.ts';

const CLOSE_TIMEOUT_MS = 1_000;

/** The 0.11 offramp's strategy: for ever, 100 ms doubling to 2 s. */
export const OFFRAMP_RECONNECT: ReconnectPolicy = { kind: 'retry', intervalMs: 100, growthRate: 2, randomized: false, maxIntervalMs: 2_000 };

export interface TcpClientOptions {
  address: SocketAddress;
  /** `unix_socket_client`: connect to this Unix domain socket instead of `address`. */
  unixPath?: string;
  codec: Codec;
  framing: Framing;
  noDelay: boolean;
  reconnect: ReconnectPolicy;
  /**
   * Whether a source half reads what the server sends (troy `tcp_client`): until it starts, the
   * bytes wait in the socket. Without one (the 0.11 offramp) they are read and discarded, so a
   * chatty server is not held back.
   */
  readReplies: boolean;
}

export class TcpClient {
  readonly source: TcpClientSource;
  readonly sink: TcpClientSink;
  private socket?: Socket;
  private inbound?: InboundStream;
  private connected = false;
  private congested = false;
  private users = 0;
  private stopped = false;
  private gaveUp = false;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly backoff: Backoff;
  /** Whether the current outage was reported, so a long one warns once. */
  private outageReported = false;
  /** Connections made so far (status and tests). */
  connections = 0;

  constructor(private readonly options: TcpClientOptions) {
    this.source = new TcpClientSource(this);
    this.sink = new TcpClientSink(this);
    this.backoff = new Backoff(options.reconnect);
  }

  get target(): string {
    return this.options.unixPath ?? addressText(this.options.address);
  }

  get active(): boolean {
    return this.connected && !this.congested;
  }

  acquire(): void {
    this.users++;
    if (this.users === 1) this.connect();
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    });
  }

  write(event: Event, delivery: Delivery): void {
    const socket = this.socket;
    if (!this.connected || socket === undefined) {
      delivery.fail(`not connected to ${this.target}${this.gaveUp ? ' (gave up reconnecting)' : ''}`);
      return;
    }
    const encoded = encodeOrFail(this.options.codec, event, delivery);
    if (encoded === undefined) return;
    const bytes = this.options.framing.frame(encoded);
    const accepted = socket.write(bytes, (error) => {
      if (error) delivery.fail(`write to ${this.target} failed: ${error.message}`);
      else delivery.ack();
    });
    if (!accepted && !this.congested) {
      this.congested = true;
      this.sink.context?.trigger();
    }
  }

  /** Emits what the connection holds as far as the source may; pauses the socket otherwise. */
  pump(): void {
    const { socket, inbound } = this;
    if (socket === undefined || inbound === undefined) return;
    const source = this.source;
    if (!this.options.readReplies) {
      inbound.drain(() => true, { emit: () => {} });
      socket.resume();
      return;
    }
    inbound.drain(() => source.mayEmit(), { emit: (data, meta, dataJson) => source.emit(data, meta, dataJson) });
    if (inbound.empty && source.mayEmit()) socket.resume();
    else socket.pause();
  }

  pause(): void {
    if (this.options.readReplies) this.socket?.pause();
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port } = this.options.address;
    const unixPath = this.options.unixPath;
    const socket = unixPath !== undefined ? connect({ path: unixPath }) : connect({ host, port, noDelay: this.options.noDelay });
    this.socket = socket;
    // One frozen record for all the connection's events (engine/frozen-record.ts).
    const meta = frozenRecord(unixPath !== undefined ? { unix_socket_client: { peer: unixPath } } : { tcp_client: { tls: false, peer: { host, port } } });
    const inbound = new InboundStream({
      splitter: this.options.framing.splitter((message) => this.warn(`${this.target}: ${message}`)),
      codec: this.options.codec,
      name: this.target,
      meta: () => meta,
      report: (message) => this.warn(message),
    });
    this.inbound = inbound;
    let failure: string | undefined;
    socket.on('connect', () => {
      this.connected = true;
      this.connections++;
      this.backoff.connected();
      if (this.outageReported) this.warn(`connected to ${this.target}`);
      this.outageReported = false;
      this.sink.context?.restore();
      this.pump();
    });
    socket.on('data', (data: Buffer) => {
      inbound.push(data);
      this.pump();
    });
    socket.on('end', () => {
      inbound.end();
      this.pump();
    });
    socket.on('drain', () => {
      if (!this.congested) return;
      this.congested = false;
      if (this.connected) this.sink.context?.restore();
    });
    socket.on('error', (error) => {
      failure = error.message;
    });
    socket.on('close', () => {
      inbound.close();
      const wasConnected = this.connected;
      this.connected = false;
      this.congested = false;
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      if (wasConnected) this.sink.context?.trigger();
      const wait = wasConnected ? this.backoff.afterLoss() : this.backoff.afterFailure();
      const why = failure ?? (wasConnected ? 'connection closed' : 'connection refused');
      if (wait === undefined) {
        this.gaveUp = true;
        this.warn(`no connection to ${this.target} (${why}); not reconnecting (${this.giveUpReason()})`);
        return;
      }
      if (!this.outageReported) {
        this.warn(`no connection to ${this.target} (${why}); reconnecting (${describe(this.options.reconnect)})`);
        this.outageReported = true;
      }
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.connect();
      }, wait);
    });
  }

  private giveUpReason(): string {
    const policy = this.options.reconnect;
    return policy.kind === 'none' ? 'reconnect = "none" makes one attempt after losing a connection, none after a failed one' : `${this.backoff.attempts} retries failed, max_retries = ${policy.maxRetries}`;
  }

  private warn(message: string): void {
    (this.sink.context ?? this.source.context)?.warn(message);
  }
}

function describe(policy: ReconnectPolicy): string {
  if (policy.kind === 'none') return 'reconnect = "none": one attempt in 1 s';
  return `every ${policy.intervalMs} ms growing ${policy.growthRate}x up to ${policy.maxIntervalMs} ms${policy.maxRetries === undefined ? '' : `, at most ${policy.maxRetries} retries`}`;
}

export class TcpClientSink implements Sink {
  context?: SinkContext;
  private started = false;

  constructor(private readonly client: TcpClient) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.started = true;
    this.client.acquire();
  }

  isActive(): boolean {
    return this.client.active;
  }

  send(event: Event, delivery: Delivery): void {
    this.client.write(event, delivery);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.client.release();
  }
}

export class TcpClientSource implements Source {
  readonly transactional = false;
  context?: SourceContext;
  private triggered = false;
  private stopped = false;

  constructor(private readonly client: TcpClient) {}

  get attached(): boolean {
    return this.context !== undefined && !this.stopped;
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.client.acquire();
    this.client.pump();
  }

  mayEmit(): boolean {
    return this.attached && !this.triggered;
  }

  emit(data: Value, meta: RecordValue, dataJson?: string): void {
    this.context?.emit(data, meta, dataJson);
  }

  trigger(): void {
    this.triggered = true;
    this.client.pause();
  }

  restore(): void {
    this.triggered = false;
    this.client.pump();
  }

  async stop(): Promise<void> {
    if (this.stopped || this.context === undefined) return;
    this.client.pause();
    this.stopped = true;
    await this.client.release();
  }
}

function clientFor(settings: ConnectorSettings, address: SocketAddress, noDelay: boolean, reconnect: ReconnectPolicy, readReplies: boolean, unixPath?: string): TcpClient {
  return new TcpClient({ address, unixPath, codec: settings.codec, framing: buildFraming(settings.preprocessors, settings.postprocessors, ['lines']), noDelay, reconnect, readReplies });
}

/** Tremor 0.12 `unix_socket_client`: config `path` (required), `buf_size`; definition key `reconnect`. The same client as `tcp_client`. */
export const unixSocketClientFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'unix_socket_client',
  configKeys: { path: { type: 'string', required: true }, buf_size: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    const path = settings.config.path as string;
    if (path === '') throw new ConnectorConfigError('`path` must name the socket file', 'path');
    const client = clientFor(settings, { host: '', port: 0 }, false, parseReconnect(settings.reconnect, { kind: 'none' }), true, path);
    return { source: client.source, sink: client.sink };
  },
};

/** Tremor 0.12 `tcp_client`: config `url` (host and port required), `no_delay` (default true), `buf_size`; definition key `reconnect`. */
export const tcpClientFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'tcp_client',
  configKeys: { url: { type: 'string', required: true }, no_delay: { type: 'boolean' }, buf_size: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    const size = settings.config.buf_size as number | undefined;
    if (size !== undefined && size <= 0) throw new ConnectorConfigError(`\`buf_size\` must be at least 1, got ${size}`, 'buf_size');
    const address = parseSocketUrl(settings.config.url as string, 'Missing port for TCP client');
    const client = clientFor(settings, address, (settings.config.no_delay as boolean | undefined) ?? true, parseReconnect(settings.reconnect, { kind: 'none' }), true);
    return { source: client.source, sink: client.sink };
  },
};

/** Tremor 0.11 `tcp` offramp: config `host`, `port`, `is_no_delay` (default true); `is_non_blocking` and `ttl` are accepted and have no effect. */
export const tcpOfframpFactory: SinkFactory = {
  kind: 'sink',
  type: 'tcp',
  configKeys: {
    host: { type: 'string', required: true },
    port: { type: 'integer', required: true },
    is_no_delay: { type: 'boolean' },
    is_non_blocking: { type: 'boolean' },
    ttl: { type: 'integer' },
  },
  create(settings) {
    for (const ignored of ['is_non_blocking', 'ttl']) {
      if (ignored in settings.config) settings.warn(`config: \`${ignored}\` is accepted and has no effect (Node's sockets are always non-blocking and keep the system's TTL)`);
    }
    const address = { host: settings.config.host as string, port: checkPort(settings.config.port as number, 'port') };
    return clientFor(settings, address, (settings.config.is_no_delay as boolean | undefined) ?? true, OFFRAMP_RECONNECT, false).sink;
  },
};
