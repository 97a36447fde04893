/**
 * Tremor 0.11's core-NATS `nats` onramp and offramp (`hosts`, `subject`, optional `queue`):
 * plain NATS subjects, no JetStream, so **best effort** on both sides, as in Tremor. Use the
 * `jetstream` types for anything that must not be lost.
 *
 * - Offramp: each event is encoded and published to `subject`; acked once handed to the client
 *   (NATS has no receipt: a message published while no one subscribes, or while the connection
 *   is down and the client's buffer is lost, is gone). Inactive (`trigger`) until connected and
 *   while disconnected, `restore` on reconnect; an event sent while disconnected is failed, so a
 *   `qos::wal` upstream keeps it.
 * - Onramp: subscribes to `subject` (wildcards allowed), in queue group `queue` when given (the
 *   server hands each message to one member of the group: several rills share a subject). Each
 *   message is decoded and emitted with `$nats = {subject, reply, headers}`. Not transactional.
 *   `trigger` unsubscribes (messages published meanwhile go to other group members, or nowhere),
 *   `restore` subscribes again.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Event } from '../../engine/event.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import type { ConfigKeySpec, ConnectorSettings, Delivery, Sink, SinkContext, SinkFactory, Source, SourceContext, SourceFactory } from '../connector.ts';
import { NatsLink } from './connection.ts';
import { headersRecord } from './message-headers.ts';
import { checkSubject, parseHosts } from './settings.ts';

export class NatsPublisher implements Sink {
  private context?: SinkContext;
  private connection?: NatsConnection;
  private readonly link: NatsLink;

  constructor(
    servers: string[],
    private readonly subject: string,
    private readonly codec: Codec,
    name: string,
  ) {
    this.link = new NatsLink(servers, name, {
      up: (connection) => {
        this.connection = connection;
        this.context?.restore();
      },
      down: () => this.context?.trigger(),
      warn: (message) => this.context?.warn(message),
    });
  }

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.link.open();
  }

  isActive(): boolean {
    return this.link.isUp;
  }

  send(event: Event, delivery: Delivery): void {
    if (!this.link.isUp || this.connection === undefined) {
      delivery.fail('not connected to NATS');
      return;
    }
    try {
      this.connection.publish(this.subject, this.codec.encode(event));
      delivery.ack();
    } catch (error) {
      delivery.fail((error as Error).message);
    }
  }

  async stop(): Promise<void> {
    await this.link.close();
  }
}

export class NatsSubscriber implements Source {
  readonly transactional = false;
  private context?: SourceContext;
  private connection?: NatsConnection;
  private subscription?: Subscription;
  private triggered = false;
  private readonly link: NatsLink;

  constructor(
    servers: string[],
    private readonly subject: string,
    private readonly queue: string | undefined,
    private readonly codec: Codec,
    name: string,
  ) {
    this.link = new NatsLink(servers, name, {
      up: (connection) => {
        this.connection = connection;
        this.subscribe();
      },
      down: () => {},
      warn: (message) => this.context?.warn(message),
    });
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.link.open();
  }

  trigger(): void {
    this.triggered = true;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  restore(): void {
    this.triggered = false;
    this.subscribe();
  }

  async stop(): Promise<void> {
    this.trigger();
    await this.link.close();
  }

  /** Subscribes once per connection (the client renews it after a reconnect). */
  private subscribe(): void {
    if (this.connection === undefined || this.subscription !== undefined || this.triggered) return;
    this.subscription = this.connection.subscribe(this.subject, { queue: this.queue, callback: (_error, message) => this.received(message) });
  }

  private received(message: Msg): void {
    if (this.triggered || this.context === undefined) return;
    const text = message.string();
    let data: Value;
    try {
      data = this.codec.decode(text);
    } catch (error) {
      this.context.warn(`message on "${message.subject}": cannot decode as ${this.codec.name}: ${(error as Error).message}`);
      return;
    }
    const meta: Record<string, Value> = { subject: message.subject };
    if (message.reply !== undefined && message.reply !== '') meta.reply = message.reply;
    if (message.headers !== undefined) meta.headers = headersRecord(message.headers);
    this.context.emit(data, { nats: meta } as RecordValue, this.codec.decodesJsonText ? text.trim() : undefined);
  }
}

const CONFIG_KEYS: Readonly<Record<string, ConfigKeySpec>> = {
  hosts: { type: 'strings', required: true },
  subject: { type: 'string', required: true },
  queue: { type: 'string' },
};

export const natsOnrampFactory: SourceFactory = {
  kind: 'source',
  type: 'nats',
  configKeys: CONFIG_KEYS,
  create(settings: ConnectorSettings) {
    const { hosts, subject, queue } = settings.config as { hosts: string[]; subject: string; queue?: string };
    return new NatsSubscriber(parseHosts(hosts), checkSubject(subject, 'subject', true), queue, settings.codec, `rill ${settings.id}`);
  },
};

export const natsOfframpFactory: SinkFactory = {
  kind: 'sink',
  type: 'nats',
  configKeys: CONFIG_KEYS,
  create(settings: ConnectorSettings) {
    const { hosts, subject } = settings.config as { hosts: string[]; subject: string };
    if ('queue' in settings.config) settings.warn('config: `queue` has no effect on the nats offramp (queue groups are for subscribers)');
    return new NatsPublisher(parseHosts(hosts), checkSubject(subject, 'subject', false), settings.codec, `rill ${settings.id}`);
  },
};
