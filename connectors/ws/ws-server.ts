/**
 * `ws_server` (Tremor 0.12 connector): a WebSocket listener on `config.url` (`host:port`) taking
 * any number of clients.
 *
 * Source: every message of every connection is one event (message-source.ts) carrying
 * `$ws_server = {"tls": false, "peer": {"host": ..., "port": ...}}`. Sink: a reply goes to the
 * connection its `$ws_server.peer` names and is acked once the frame is written; as with
 * `tcp_server`, a reply whose connection has closed (or that names none) can never be delivered,
 * so it is dropped, counted and acked, not failed into a WAL's replay loop. The listener opens
 * when the first half starts and closes after the last one stops.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { Event } from '../../engine/event.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { isRecord } from '../../queries/values/value.ts';
import { encodeOrFail, type Codec } from '../codec.ts';
import type { ConnectorFactory, Delivery, Sink, SinkContext } from '../connector.ts';
import { addressText, normalizeHost, parseSocketUrl, type SocketAddress } from '../net/socket-address.ts';
import { MessageSource } from './message-source.ts';
import { ReplyDrops } from '../net/reply-drops.ts';

const CLOSE_TIMEOUT_MS = 1_000;

export class WsServer {
  readonly source: MessageSource;
  readonly sink: WsServerSink;
  private readonly connections = new Map<string, WebSocket>();
  private server?: WebSocketServer;
  private opening?: Promise<void>;
  private users = 0;
  private paused = false;
  private readonly drops = new ReplyDrops((message) => this.warn(message), () => this.stats.repliesDropped++);
  readonly stats = { connections: 0, repliesSent: 0, repliesDropped: 0 };
  warn: (message: string) => void = (message) => void process.stderr.write(`rill: ws_server: ${message}\n`);

  constructor(
    private readonly address: SocketAddress,
    readonly codec: Codec,
  ) {
    this.source = new MessageSource(codec, `ws_server ${addressText(address)}`);
    this.source.onStart = () => this.acquire();
    this.source.onStop = () => this.release();
    this.source.setPaused = (paused) => {
      this.paused = paused;
      for (const socket of this.connections.values()) {
        if (paused) socket.pause();
        else socket.resume();
      }
    };
    this.sink = new WsServerSink(this);
  }

  /** The port listened on (0 in the config = the one the OS picked). */
  get port(): number {
    return (this.server?.address() as AddressInfo | undefined)?.port ?? this.address.port;
  }

  async acquire(): Promise<void> {
    this.users++;
    this.opening ??= this.listen();
    await this.opening;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    const server = this.server;
    if (this.users > 0 || server === undefined) return;
    this.server = undefined;
    this.opening = undefined;
    for (const socket of this.connections.values()) {
      socket.close(1001, 'rill shutting down');
      setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = new WebSocketServer({ host: this.address.host, port: this.address.port });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', (error) => reject(new Error(`cannot listen on ${addressText(this.address)}: ${error.message}`)));
    });
    server.on('error', (error) => this.warn(`listener error: ${error.message}`));
    server.on('connection', (socket, request) => {
      const peer = { host: normalizeHost(request.socket.remoteAddress ?? ''), port: request.socket.remotePort ?? 0 };
      const key = `${peer.host}:${peer.port}`;
      this.connections.set(key, socket);
      this.stats.connections++;
      if (this.paused) socket.pause();
      const meta: RecordValue = { ws_server: { tls: false, peer } };
      socket.on('message', (data) => this.source.push(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data), meta));
      socket.on('error', (error) => this.warn(`${key}: ${error.message}`));
      socket.on('close', () => {
        if (this.connections.get(key) === socket) this.connections.delete(key);
      });
    });
    this.server = server;
  }

  reply(event: Event, delivery: Delivery): void {
    const key = peerKey(event.meta);
    const socket = key === undefined ? undefined : this.connections.get(key);
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.drops.drop(delivery, key === undefined ? 'it has no $ws_server.peer metadata (host and port) naming a connection' : `connection ${key} is closed`);
      return;
    }
    const payload = encodeOrFail(this.codec, event, delivery);
    if (payload === undefined) return;
    socket.send(payload, (error) => {
      if (error) this.drops.drop(delivery, `connection ${key} failed: ${error.message}`);
      else {
        this.stats.repliesSent++;
        this.drops.delivered();
        delivery.ack();
      }
    });
  }

}

function peerKey(meta: RecordValue): string | undefined {
  const server = meta.ws_server;
  const peer = server !== undefined && isRecord(server) ? server.peer : undefined;
  if (peer === undefined || !isRecord(peer) || typeof peer.host !== 'string' || typeof peer.port !== 'number') return undefined;
  return `${peer.host}:${peer.port}`;
}

export class WsServerSink implements Sink {
  constructor(private readonly server: WsServer) {}

  async start(context: SinkContext): Promise<void> {
    this.server.warn = (message) => context.warn(message);
    await this.server.acquire();
  }

  isActive(): boolean {
    return true;
  }

  send(event: Event, delivery: Delivery): void {
    this.server.reply(event, delivery);
  }

  async stop(): Promise<void> {
    await this.server.release();
  }
}

export const wsServerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'ws_server',
  configKeys: { url: { type: 'string', required: true }, backlog: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    const server = new WsServer(parseSocketUrl(settings.config.url as string, 'ws_server'), settings.codec);
    server.warn = (message) => settings.warn(message);
    return { source: server.source, sink: server.sink };
  },
};
