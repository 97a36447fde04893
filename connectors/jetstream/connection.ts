/**
 * One NATS client connection for one connector, kept up for the connector's whole life: the
 * first connect is retried until a server of `hosts` answers, a lost connection is re-established to any server of `hosts` or of the cluster the server
 * advertised, for ever. The connector hears `up` each time the connection is usable and `down`
 * as soon as it is lost, which is when a sink triggers its circuit and a source stops pulling.
 *
 * While the client is reconnecting it buffers what is published (acks, naks), and requests
 * (publishes waiting for a PubAck, fetches) run into their timeouts: the connectors treat those
 * as failed, so nothing depends on the buffer surviving.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

/** Between attempts on the same server; the client tries the other servers in between. */
const RECONNECT_WAIT_MS = 250;
/** Between rounds over every server until the first connect succeeds. */
const FIRST_CONNECT_RETRY_MS = 500;
/** How long closing waits for the server to confirm what was sent last. */
const FLUSH_TIMEOUT_MS = 1_000;

export interface ConnectionListener {
  /** The connection is usable (the first connect or a reconnect). */
  up(connection: NatsConnection): void;
  /** The connection was lost; `up` follows when it is back. */
  down(reason: string): void;
  warn(message: string): void;
}

export class NatsLink {
  private connection?: NatsConnection;
  private closed = false;
  private opening?: Promise<void>;
  private usable = false;

  constructor(
    private readonly servers: readonly string[],
    /** Shown to the server (`nats server report connections`): the connector's name. */
    private readonly clientName: string,
    private readonly listener: ConnectionListener,
  ) {}

  /** Whether the connection is up now. */
  get isUp(): boolean {
    return this.usable;
  }

  /** Starts connecting in the background; `up` is called once connected. */
  open(): void {
    this.opening ??= this.connectAndWatch();
  }

  /** Sends what is buffered (the last acks) if connected, then closes. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    if (connection !== undefined && !connection.isClosed()) {
      if (this.usable) await Promise.race([connection.flush(), new Promise((resolve) => setTimeout(resolve, FLUSH_TIMEOUT_MS))]).catch(() => undefined);
      this.usable = false;
      await connection.close().catch(() => undefined);
    }
    this.usable = false;
    await this.opening;
  }

  private async connectAndWatch(): Promise<void> {
    const connection = await this.firstConnect();
    if (connection === undefined) return;
    this.connection = connection;
    if (this.closed) {
      await connection.close().catch(() => undefined);
      return;
    }
    this.usable = true;
    this.listener.up(connection);
    for await (const status of connection.status()) {
      if (this.closed) break;
      if (status.type === 'disconnect') {
        this.usable = false;
        this.listener.down(`disconnected from ${status.server}`);
      } else if (status.type === 'reconnect') {
        this.usable = true;
        this.listener.warn(`reconnected to ${status.server}`);
        this.listener.up(connection);
      }
    }
  }

  /** Tries every server of `hosts` until one answers (this loop, not the client's, so `close` can end it). */
  private async firstConnect(): Promise<NatsConnection | undefined> {
    let reported = false;
    while (!this.closed) {
      try {
        const connection = await connect({ servers: [...this.servers], name: this.clientName, maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_WAIT_MS, reconnectJitter: 50 });
        if (reported) this.listener.warn(`connected to ${connection.getServer()}`);
        return connection;
      } catch (error) {
        if (!reported && !this.closed) this.listener.warn(`cannot connect to ${this.servers.join(', ')} (${(error as Error).message}); trying again every ${FIRST_CONNECT_RETRY_MS} ms`);
        reported = true;
        await new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_RETRY_MS));
      }
    }
    return undefined;
  }
}
