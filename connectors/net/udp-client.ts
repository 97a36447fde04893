/**
 * `udp_client` (Tremor 0.12 connector, sink only) and the Tremor 0.11 `udp` offramp: one datagram
 * per event to one destination. Best effort.
 *
 * Each event is encoded and postprocessed (default: none, the datagram is the encoded event) and
 * sent as one datagram on a socket bound to `bind` (default `0.0.0.0:0`) and connected to `url`.
 * It is acked when the send callback reports the datagram handed to the operating system, and
 * failed when the send fails (an encode error; a datagram over the size limit, 65,507 bytes of
 * payload over IPv4, fails with EMSGSIZE). An ack says nothing about arrival: UDP has no acks
 * from the peer, so a datagram the network, the peer's full receive buffer or a missing receiver
 * drops is lost although acked. When nobody listens at the destination, the host answers with
 * ICMP "port unreachable", which reaches the socket as an ECONNREFUSED error after the datagram
 * was acked; rill reports it (once per spell of refusals, `refused` counts them) but cannot tell which
 * datagram was lost. CB: inactive until the socket is bound and connected; `trigger` if the
 * socket is closed by an error.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Event } from '../../engine/event.ts';
import { encodeOrFail, type Codec } from '../codec.ts';
import type { ConnectorFactory, ConnectorSettings, Delivery, Sink, SinkContext, SinkFactory } from '../connector.ts';
import { buildFraming, type Framing } from '../framing/processors.ts';
import { addressText, checkPort, parseSocketUrl, type SocketAddress } from './socket-address.ts';

/** Refusals are reported once per spell: again only after this long without one. */
const REFUSAL_QUIET_MS = 10_000;

export interface UdpClientOptions {
  destination: SocketAddress;
  bind: SocketAddress;
  codec: Codec;
  framing: Framing;
}

export class UdpClientSink implements Sink {
  private socket?: Socket;
  private context?: SinkContext;
  private ready = false;
  /** When the last refusal came: refusals after a quiet spell are reported again. */
  private lastRefusalAt = -Infinity;
  readonly stats = { sent: 0, refused: 0 };

  constructor(private readonly options: UdpClientOptions) {}

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    const { bind, destination } = this.options;
    const socket = createSocket(destination.host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: bind.host, port: bind.port }, () => socket.connect(destination.port, destination.host, () => resolve()));
      });
    } catch (error) {
      socket.close();
      throw new Error(`cannot send UDP from ${addressText(bind)} to ${addressText(destination)}: ${(error as Error).message}`);
    }
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        this.stats.refused++;
        const now = Date.now();
        if (now - this.lastRefusalAt > REFUSAL_QUIET_MS) context.warn(`${addressText(destination)} refuses datagrams (nothing listens there): datagrams already sent and acked are lost (further refusals are only counted until none came for ${REFUSAL_QUIET_MS / 1000} s)`);
        this.lastRefusalAt = now;
        return;
      }
      context.warn(`UDP socket error: ${error.message}`);
    });
    socket.on('close', () => {
      if (!this.ready) return;
      this.ready = false;
      context.trigger();
    });
    this.socket = socket;
    this.ready = true;
    context.restore();
  }

  isActive(): boolean {
    return this.ready;
  }

  send(event: Event, delivery: Delivery): void {
    const socket = this.socket;
    if (!this.ready || socket === undefined) {
      delivery.fail(`the UDP socket to ${addressText(this.options.destination)} is not open`);
      return;
    }
    const encoded = encodeOrFail(this.options.codec, event, delivery);
    if (encoded === undefined) return;
    const datagram = this.options.framing.frame(encoded);
    socket.send(datagram, (error) => {
      if (error) {
        delivery.fail(`sending a datagram of ${datagram.length} bytes to ${addressText(this.options.destination)} failed: ${error.message}`);
        return;
      }
      this.stats.sent++;
      delivery.ack();
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.ready = false;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

function sinkFor(settings: ConnectorSettings, destination: SocketAddress, bind: SocketAddress): UdpClientSink {
  return new UdpClientSink({ destination, bind, codec: settings.codec, framing: buildFraming([], settings.postprocessors, []) });
}

/** Tremor 0.12 `udp_client`: config `url` (destination; a port is required) and `bind` (default `0.0.0.0:0`). */
export const udpClientFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'udp_client',
  configKeys: { url: { type: 'string', required: true }, bind: { type: 'string' } },
  codec: 'required',
  create(settings) {
    const destination = parseSocketUrl(settings.config.url as string, 'Missing port for UDP client');
    const bind = parseSocketUrl((settings.config.bind as string | undefined) ?? (destination.host.includes(':') ? '[::]:0' : '0.0.0.0:0'), 0);
    return { sink: sinkFor(settings, destination, bind) };
  },
};

/** Tremor 0.11 `udp` offramp: config `host`/`port` (local address to send from), `dst_host`/`dst_port` (destination). */
export const udpOfframpFactory: SinkFactory = {
  kind: 'sink',
  type: 'udp',
  configKeys: {
    host: { type: 'string', required: true },
    port: { type: 'integer', required: true },
    dst_host: { type: 'string', required: true },
    dst_port: { type: 'integer', required: true },
  },
  create(settings) {
    const { config } = settings;
    const bind = { host: config.host as string, port: checkPort(config.port as number, 'port') };
    const destination = { host: config.dst_host as string, port: checkPort(config.dst_port as number, 'dst_port') };
    return sinkFor(settings, destination, bind);
  },
};
