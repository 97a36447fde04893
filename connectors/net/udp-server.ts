/**
 * `udp_server` (Tremor 0.12 connector, source only) and the Tremor 0.11 `udp` onramp: events from
 * the datagrams received on one bound UDP socket. Best effort, never transactional.
 *
 * Each datagram is complete on its own: with no preprocessors (the default) it is one event; with
 * `separate`/`lines` it is split and its last piece is an event even without a separator (a
 * datagram never continues in the next one; Tremor buffered the piece across datagrams of all
 * senders). Events carry `$udp_server = {"peer": {"host", "port"}}` (a rill addition: Tremor sets
 * no metadata). A datagram longer than `buf_size` (default 8192) is dropped and reported (Tremor
 * truncates it silently).
 *
 * What UDP loses, and rill cannot see: datagrams the network or the kernel's receive buffer drop
 * (no acks, no retransmission), and a datagram over the path's size limit. CB: a UDP sender cannot
 * be held back, so while triggered up to `HELD_DATAGRAMS` datagrams are kept and emitted on
 * `restore`; later ones are dropped and counted (`droppedWhileTriggered`), as a full kernel
 * buffer would drop them.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Codec } from '../codec.ts';
import { ConnectorConfigError, type ConnectorFactory, type ConnectorSettings, type Source, type SourceContext, type SourceFactory } from '../connector.ts';
import { buildFraming, type Framing } from '../framing/processors.ts';
import { InboundStream } from '../framing/inbound-stream.ts';
import { addressText, checkPort, normalizeHost, parseSocketUrl, type SocketAddress } from './socket-address.ts';

export const HELD_DATAGRAMS = 1_000;
const DEFAULT_BUF_SIZE = 8_192;

export interface UdpServerOptions {
  address: SocketAddress;
  codec: Codec;
  framing: Framing;
  bufSize: number;
}

export class UdpServerSource implements Source {
  readonly transactional = false;
  private socket?: Socket;
  private context?: SourceContext;
  private triggered = false;
  private stopped = false;
  private held: Array<{ datagram: Buffer; peer: RemoteInfo }> = [];
  private droppingStreak = false;
  private oversizeReported = false;
  readonly stats = { datagrams: 0, droppedWhileTriggered: 0, droppedOversize: 0 };

  constructor(private readonly options: UdpServerOptions) {}

  /** The bound address (port 0 in the config = the port the OS picked). */
  get address(): SocketAddress {
    const info = this.socket?.address();
    return info ? { host: info.address, port: info.port } : this.options.address;
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    const { host, port } = this.options.address;
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: host, port }, () => resolve());
      });
    } catch (error) {
      socket.close();
      throw new Error(`cannot bind UDP ${addressText(this.options.address)}: ${(error as Error).message}`);
    }
    socket.on('error', (error) => context.warn(`UDP socket error: ${error.message}`));
    socket.on('message', (datagram, peer) => this.receive(datagram, peer));
    this.socket = socket;
  }

  trigger(): void {
    this.triggered = true;
  }

  restore(): void {
    this.triggered = false;
    while (this.held.length > 0 && !this.triggered && !this.stopped) {
      const { datagram, peer } = this.held.shift()!;
      this.emitDatagram(datagram, peer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private receive(datagram: Buffer, peer: RemoteInfo): void {
    if (this.stopped) return;
    this.stats.datagrams++;
    if (datagram.length > this.options.bufSize) {
      this.stats.droppedOversize++;
      if (!this.oversizeReported) this.context?.warn(`dropped a datagram of ${datagram.length} bytes from ${peer.address}:${peer.port}: longer than buf_size ${this.options.bufSize} (further ones are only counted)`);
      this.oversizeReported = true;
      return;
    }
    if (!this.triggered && this.held.length === 0) {
      this.emitDatagram(datagram, peer);
      return;
    }
    if (this.held.length < HELD_DATAGRAMS) {
      this.held.push({ datagram, peer });
      return;
    }
    this.stats.droppedWhileTriggered++;
    if (!this.droppingStreak) this.context?.warn(`dropping datagrams: paused by the circuit breaker with ${HELD_DATAGRAMS} datagrams held (UDP cannot hold the senders back; further drops are only counted)`);
    this.droppingStreak = true;
  }

  private emitDatagram(datagram: Buffer, peer: RemoteInfo): void {
    this.droppingStreak = false;
    const context = this.context;
    if (context === undefined) return;
    const host = normalizeHost(peer.address);
    const inbound = new InboundStream({
      splitter: this.options.framing.splitter((message) => context.warn(`${host}:${peer.port}: ${message}`)),
      codec: this.options.codec,
      name: `${host}:${peer.port}`,
      meta: () => ({ udp_server: { peer: { host, port: peer.port } } }),
      report: (message) => context.warn(message),
    });
    inbound.push(datagram);
    inbound.end();
    inbound.drain(() => true, { emit: (data, meta, dataJson) => context.emit(data, meta, dataJson) });
  }
}

function sourceFor(settings: ConnectorSettings, address: SocketAddress, bufSize: number): UdpServerSource {
  if (bufSize <= 0) throw new ConnectorConfigError(`\`buf_size\` must be at least 1, got ${bufSize}`, 'buf_size');
  return new UdpServerSource({ address, codec: settings.codec, framing: buildFraming(settings.preprocessors, [], []), bufSize });
}

/** Tremor 0.12 `udp_server`: config `url` (the address to bind; default port 0) and `buf_size`. */
export const udpServerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'udp_server',
  configKeys: { url: { type: 'string', required: true }, buf_size: { type: 'integer' } },
  codec: 'required',
  create(settings) {
    const address = parseSocketUrl(settings.config.url as string, 0);
    return { source: sourceFor(settings, address, (settings.config.buf_size as number | undefined) ?? DEFAULT_BUF_SIZE) };
  },
};

/** Tremor 0.11 `udp` onramp: config `host` and `port` to bind. */
export const udpOnrampFactory: SourceFactory = {
  kind: 'source',
  type: 'udp',
  configKeys: { host: { type: 'string', required: true }, port: { type: 'integer', required: true } },
  create(settings) {
    return sourceFor(settings, { host: settings.config.host as string, port: checkPort(settings.config.port as number, 'port') }, DEFAULT_BUF_SIZE);
  },
};
