/**
 * `tcp_server` (Tremor 0.12 connector) and the Tremor 0.11 `tcp` onramp: a TCP listener taking
 * any number of clients at once; `unix_socket_server` is the same server on a Unix domain socket
 * (`UnixSocketOptions`).
 *
 * One `TcpServer` is the shared object: it owns the listening socket and the open connections,
 * and hands out two halves built from the same config, `source` (what clients send, on `out`)
 * and `sink` (replies, on `in`). Each half acquires the server when started and releases it when
 * stopped; the server listens from the first acquire and closes after the last release, so the
 * sink can still write the last replies after the runtime has stopped the source. The 0.11 onramp
 * uses only the source half.
 *
 * Source: each connection's bytes go through the preprocessors (default `lines`: split on `\n`,
 * 1 MiB per line) and the codec; every event carries `$tcp_server = {"tls": false, "peer":
 * {"host": <ip>, "port": <port>}}`. Not transactional: what TCP delivered cannot be read again,
 * so there is nothing to re-send on a fail. CB: `trigger` pauses reading every socket (and the
 * lines of a read not yet emitted wait), so the kernel's receive buffer fills and TCP's flow
 * control holds the clients' writes back; `restore` resumes. Connections accepted while
 * triggered start paused.
 *
 * Sink: a reply goes to the connection named by its `$tcp_server.peer` (the metadata the source
 * set, kept through pipelines and WALs). It is encoded, postprocessed (default: `\n` appended)
 * and acked once the socket has handed it to the operating system (Node's write callback), which
 * is not "received by the client". A reply whose connection has closed, or that names no peer,
 * can never be delivered: it is dropped, counted (`repliesDropped`) and acked, with a warning at
 * the start of each streak of drops. Tremor fails it instead, and a WAL upstream then re-sends it
 * for ever. An event that cannot be encoded is failed. CB: a connection whose socket buffers more
 * than Node's high-water mark (a client not reading its replies) triggers the sink until it
 * drains or closes; in a troy flow that trigger reaches the source half too, so the server stops
 * reading until the slow client catches up.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Event } from '../../engine/event.ts';
import { frozenRecord } from '../../engine/frozen-record.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { isRecord } from '../../queries/values/value.ts';
import { encodeOrFail, type Codec } from '../codec.ts';
import {
  ConnectorConfigError,
  type ConnectorFactory,
  type ConnectorSettings,
  type Delivery,
  type Sink,
  type SinkContext,
  type Source,
  type SourceContext,
  type SourceFactory,
} from '../connector.ts';
import { buildFraming, type Framing } from '../framing/processors.ts';
import { InboundStream } from '../framing/inbound-stream.ts';
import { addressText, checkPort, normalizeHost, parseSocketUrl, type SocketAddress } from './socket-address.ts';
import { ReplyDrops } from './reply-drops.ts';

/** How long closing waits for a connection to flush its last replies before dropping it. */
const CLOSE_TIMEOUT_MS = 1_000;
const DEFAULT_URL = 'localhost:4242';

export interface TcpServerOptions {
  address: SocketAddress;
  codec: Codec;
  framing: Framing;
  /**
   * `unix_socket_server`: listen on this Unix domain socket instead of `address` (a stale socket
   * file there is removed first; `mode` is chmod-ed onto it). Connections are numbered 1, 2, ...
   * and events carry `$unix_socket_server = {"peer": <number>}`, which routes replies.
   */
  unix?: UnixSocketOptions;
}

export interface UnixSocketOptions {
  path: string;
  mode?: number;
}

interface Connection {
  socket: Socket;
  inbound: InboundStream;
}

export class TcpServer {
  readonly source: TcpServerSource;
  readonly sink: TcpServerSink;
  /** Open connections by `host:port` of the peer. */
  private readonly connections = new Map<string, Connection>();
  private readonly congested = new Set<Connection>();
  /** Closed connections whose last lines are still held (the source was triggered): emitted before they go. */
  private readonly closing = new Set<Connection>();
  private server?: Server;
  /** Set from the first acquire on: the listen that every half waits for. */
  private opening?: Promise<void>;
  private users = 0;
  private readonly drops = new ReplyDrops((message) => this.warn(message), () => this.stats.repliesDropped++);
  private connectionNumber = 0;
  /** Figures for status and tests. */
  readonly stats = { connections: 0, repliesSent: 0, repliesDropped: 0, linesDiscarded: 0 };

  constructor(private readonly options: TcpServerOptions) {
    this.source = new TcpServerSource(this);
    this.sink = new TcpServerSink(this);
  }

  /** The address listened on (port 0 in the config = the port the OS picked). */
  get address(): SocketAddress {
    const info = this.server?.address() as AddressInfo | null | undefined;
    return info ? { host: info.address, port: info.port } : this.options.address;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  async acquire(): Promise<void> {
    this.users++;
    this.opening ??= this.listen();
    try {
      await this.opening;
    } catch (error) {
      this.users--;
      throw error;
    }
  }

  private async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    const { host, port } = this.options.address;
    const unix = this.options.unix;
    try {
      if (unix !== undefined) removeStaleSocket(unix.path);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        if (unix !== undefined) server.listen({ path: unix.path }, () => resolve());
        else server.listen({ host, port }, () => resolve());
      });
      if (unix?.mode !== undefined) chmodSync(unix.path, unix.mode);
    } catch (error) {
      this.opening = undefined;
      server.close();
      throw new Error(`cannot listen on ${unix?.path ?? addressText(this.options.address)}: ${(error as Error).message}`);
    }
    server.on('error', (error) => this.warn(`listener error: ${error.message}`));
    this.server = server;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    const server = this.server;
    if (this.users > 0 || server === undefined) return;
    this.server = undefined;
    this.opening = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const { socket } of this.connections.values()) {
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    }
    await closed;
  }

  /** Emits what the connections hold, as far as the source may; pauses the sockets it may not. */
  pump(): void {
    for (const connection of [...this.connections.values(), ...this.closing]) this.pumpConnection(connection);
  }

  pause(): void {
    for (const { socket } of this.connections.values()) socket.pause();
  }

  /** A reply: to the connection its `$tcp_server.peer` (`$unix_socket_server.peer`) names. */
  reply(event: Event, delivery: Delivery): void {
    const key = this.options.unix !== undefined ? unixPeerKey(event.meta) : peerKey(event.meta);
    const connection = key === undefined ? undefined : this.connections.get(key);
    if (connection === undefined) {
      this.drops.drop(delivery, key === undefined ? 'it has no $tcp_server.peer metadata (host and port) naming a connection' : `connection ${key} is closed`);
      return;
    }
    const encoded = encodeOrFail(this.options.codec, event, delivery);
    if (encoded === undefined) return;
    const bytes = this.options.framing.frame(encoded);
    const accepted = connection.socket.write(bytes, (error) => {
      // A write error means the connection is gone: the reply can never be delivered.
      if (error) this.drops.drop(delivery, `connection ${key} failed: ${error.message}`);
      else {
        this.stats.repliesSent++;
        this.drops.delivered();
        delivery.ack();
      }
    });
    if (!accepted && !this.congested.has(connection)) {
      this.congested.add(connection);
      if (this.congested.size === 1) this.sink.context?.trigger();
    }
  }

  get congestedConnections(): number {
    return this.congested.size;
  }

  private accept(socket: Socket): void {
    const peer = { host: normalizeHost(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    const number = ++this.connectionNumber;
    const key = this.options.unix !== undefined ? String(number) : `${peer.host}:${peer.port}`;
    // One frozen record for all the connection's events (engine/frozen-record.ts).
    const meta = frozenRecord(this.options.unix !== undefined ? { unix_socket_server: { peer: number } } : { tcp_server: { tls: false, peer: { host: peer.host, port: peer.port } } });
    const inbound = new InboundStream({
      splitter: this.options.framing.splitter((message) => {
        this.stats.linesDiscarded++;
        this.warn(`${key}: ${message}`);
      }),
      codec: this.options.codec,
      name: key,
      meta: () => meta,
      report: (message) => this.warn(message),
      checked: () => this.pumpConnection(connection),
    });
    const connection: Connection = { socket, inbound };
    this.connections.set(key, connection);
    this.stats.connections++;
    socket.on('data', (data: Buffer) => {
      inbound.push(data);
      this.pumpConnection(connection);
    });
    socket.on('end', () => {
      inbound.end();
      this.pumpConnection(connection);
    });
    socket.on('drain', () => this.uncongest(connection));
    // The close that follows is what matters; a reset peer is not worth a warning.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.connections.get(key) === connection) this.connections.delete(key);
      this.uncongest(connection);
      if (inbound.empty) inbound.close();
      else this.closing.add(connection);
    });
    this.pumpConnection(connection);
  }

  private pumpConnection(connection: Connection): void {
    const source = this.source;
    connection.inbound.drain(() => source.mayEmit(), source);
    if (connection.inbound.empty && this.closing.delete(connection)) connection.inbound.close();
    if (connection.inbound.readyForMore && source.mayEmit()) connection.socket.resume();
    else connection.socket.pause();
  }

  private uncongest(connection: Connection): void {
    if (!this.congested.delete(connection)) return;
    if (this.congested.size === 0) this.sink.context?.restore();
  }

  private warn(message: string): void {
    (this.source.context ?? this.sink.context)?.warn(message);
  }
}

export class TcpServerSource implements Source {
  readonly transactional = false;
  context?: SourceContext;
  private triggered = false;
  private stopped = false;

  constructor(private readonly server: TcpServer) {}

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    await this.server.acquire();
    this.server.pump();
  }

  mayEmit(): boolean {
    return this.context !== undefined && !this.triggered && !this.stopped;
  }

  emit(data: Value, meta: RecordValue, dataJson?: string): void {
    this.context?.emit(data, meta, dataJson);
  }

  emitJson(utf8: Buffer, start: number, end: number, meta: RecordValue, crc: number, keys: number, ingestNs: number): void {
    this.context?.emitJson(utf8, start, end, meta, crc, keys, ingestNs);
  }

  trigger(): void {
    this.triggered = true;
    this.server.pause();
  }

  restore(): void {
    this.triggered = false;
    if (!this.stopped) this.server.pump();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.server.pause();
    if (this.context !== undefined) await this.server.release();
  }
}

export class TcpServerSink implements Sink {
  context?: SinkContext;
  private started = false;

  constructor(private readonly server: TcpServer) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    await this.server.acquire();
    this.started = true;
  }

  isActive(): boolean {
    return this.server.listening && this.server.congestedConnections === 0;
  }

  send(event: Event, delivery: Delivery): void {
    this.server.reply(event, delivery);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.server.release();
  }
}

/** `host:port` of `$tcp_server.peer`, or undefined when the metadata does not name one. */
function peerKey(meta: RecordValue): string | undefined {
  const namespace = meta.tcp_server;
  const peer = namespace !== undefined && isRecord(namespace) ? namespace.peer : undefined;
  if (peer === undefined || !isRecord(peer)) return undefined;
  const { host, port } = peer;
  if (typeof host !== 'string' || typeof port !== 'number' || !Number.isInteger(port)) return undefined;
  return `${normalizeHost(host)}:${port}`;
}

/** The connection number of `$unix_socket_server.peer`. */
function unixPeerKey(meta: RecordValue): string | undefined {
  const namespace = meta.unix_socket_server;
  const peer = namespace !== undefined && isRecord(namespace) ? namespace.peer : undefined;
  return typeof peer === 'number' && Number.isInteger(peer) ? String(peer) : undefined;
}

/**
 * A socket file left by a server that is gone would make the listen fail with EADDRINUSE; only a
 * socket is removed (never a regular file someone named by mistake).
 */
function removeStaleSocket(path: string): void {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (isSocket) unlinkSync(path);
}

/** Tremor's `permissions` (`"=600"`, `"0600"`, `"600"`): an octal mode; symbolic modes are refused. */
export function parsePermissions(text: string): number {
  const octal = text.replace(/^=/, '');
  if (!/^0?[0-7]{3}$/.test(octal)) throw new ConnectorConfigError(`\`permissions\` must be an octal mode such as "=600", got ${JSON.stringify(text)} (symbolic modes are not supported)`, 'permissions');
  return Number.parseInt(octal, 8);
}

function checkBufSize(config: RecordValue): void {
  const size = config.buf_size;
  if (size !== undefined && (size as number) <= 0) throw new ConnectorConfigError(`\`buf_size\` must be at least 1, got ${size}`, 'buf_size');
}

function serverFor(settings: ConnectorSettings, address: SocketAddress, unix?: UnixSocketOptions): TcpServer {
  return new TcpServer({ address, codec: settings.codec, framing: buildFraming(settings.preprocessors, settings.postprocessors, ['lines']), unix });
}

/** Tremor 0.12 `unix_socket_server`: config `path` (required), `permissions`, `buf_size`; the same server as `tcp_server`. */
export const unixSocketServerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'unix_socket_server',
  configKeys: { path: { type: 'string', required: true }, permissions: { type: 'string' }, buf_size: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    checkBufSize(settings.config);
    const path = settings.config.path as string;
    if (path === '') throw new ConnectorConfigError('`path` must name the socket file', 'path');
    const permissions = settings.config.permissions as string | undefined;
    const server = serverFor(settings, { host: '', port: 0 }, { path, mode: permissions === undefined ? undefined : parsePermissions(permissions) });
    return { source: server.source, sink: server.sink };
  },
};

/** Tremor 0.12 `tcp_server`: config `url` (default `localhost:4242`; a port is required) and `buf_size`. */
export const tcpServerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'tcp_server',
  configKeys: { url: { type: 'string' }, buf_size: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    checkBufSize(settings.config);
    const url = (settings.config.url as string | undefined) ?? DEFAULT_URL;
    const server = serverFor(settings, parseSocketUrl(url, 'Missing port for TCP server'));
    return { source: server.source, sink: server.sink };
  },
};

/** Tremor 0.11 `tcp` onramp: config `host` and `port` to listen on. */
export const tcpOnrampFactory: SourceFactory = {
  kind: 'source',
  type: 'tcp',
  configKeys: { host: { type: 'string', required: true }, port: { type: 'integer', required: true } },
  create(settings) {
    const port = checkPort(settings.config.port as number, 'port');
    return serverFor(settings, { host: settings.config.host as string, port }).source;
  },
};
