/**
 * `jetstream_consumer` (troy) and the `jetstream` onramp (0.11 YAML): reads a stream through a
 * durable pull consumer, `durable`, created if missing and shared by every rill that names it
 * (the server hands each message to one of them: scaling out is starting another rill).
 *
 * Transactional: each message stays unacked on the server until its event is acked downstream,
 * then it is acked; a `fail` naks it with `nak_delay_ms`, so the server delivers it again (to
 * this rill or another) after the delay. A message never settled (a crash) is delivered again
 * once the consumer's `ack_wait` has passed. At most `max_ack_pending` messages are pulled and
 * not yet settled, so a crash re-delivers at most that many already processed messages.
 * `trigger` stops pulling (messages of a pull in progress wait, in order); `restore` emits them
 * and pulls again. On a clean stop the messages still unsettled after a grace period are naked
 * at once, so another rill on the durable takes them without waiting for `ack_wait`.
 *
 * The payload goes through the codec; a message it cannot decode is reported with its stream
 * sequence and terminated (JetStream keeps it in the stream; this durable does not retry it).
 * `$jetstream = {stream, consumer, subject, stream_seq, consumer_seq, delivery_count,
 * timestamp_ns, headers}` (headers: name -> list of values, only when the message has some).
 */
import { jetstream, jetstreamManager, type ConsumerMessages, type Consumer, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import type { ConfigKeySpec, ConnectorFactory, ConnectorSettings, Source, SourceContext, SourceFactory } from '../connector.ts';
import { NatsLink } from './connection.ts';
import { ensureDurable } from './consumer-setup.ts';
import { headersRecord } from './message-headers.ts';
import { describeFailure, isConsumerNotFound, SetupError } from './failures.ts';
import { checkName, checkSubject, parseHosts, wholeNumber } from './settings.ts';

export const DEFAULT_MAX_ACK_PENDING = 1000;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_NAK_DELAY_MS = 1_000;
/** Most messages one pull asks for. */
const PULL_BATCH = 500;
/** Pulls outstanding at once. */
const MAX_PULLS = 2;
/** How long one pull waits on the server for messages before it is renewed. */
const PULL_EXPIRES_MS = 1_000;
/** After a failed pull or setup, the next attempt. */
const RETRY_MS = 500;
/** How long `stop()` waits for the events in flight to be acked before it naks the rest. */
const STOP_ACK_GRACE_MS = 1_000;

export interface ConsumerOptions {
  servers: string[];
  stream: string;
  durable: string;
  subject?: string;
  maxAckPending: number;
  ackWaitMs: number;
  nakDelayMs: number;
  codec: Codec;
  name: string;
}

export class JetStreamConsumer implements Source {
  readonly transactional = true;
  private context?: SourceContext;
  private readonly link: NatsLink;
  private manager?: JetStreamManager;
  private consumer?: Consumer;
  private connection?: NatsConnection;
  private settingUp = false;
  private problem?: string;
  /** Emitted and not yet settled, by the number the runtime gave the event. */
  private readonly unsettled = new Map<number, JsMsg>();
  /** Pulled while triggered or stopping: emitted on restore, naked on stop. */
  private readonly held: JsMsg[] = [];
  private nextEventNumber = 0;
  private readonly acksToSend: JsMsg[] = [];
  private ackSoon?: NodeJS.Immediate;
  private triggered = false;
  private stopped = false;
  private pulling?: Promise<void>;
  /** Pulls in progress, and the message streams of those the server has answered. */
  private readonly pulls = new Set<Promise<void>>();
  private readonly fetches = new Set<ConsumerMessages>();
  /** Messages asked for by the pulls in progress and not yet received. */
  private requested = 0;
  private wake?: () => void;

  constructor(private readonly options: ConsumerOptions) {
    this.link = new NatsLink(options.servers, options.name, {
      up: (connection) => this.connected(connection),
      down: () => this.disconnected(),
      warn: (message) => this.warn(message),
    });
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.link.open();
    this.pulling = this.pullLoop();
  }

  trigger(): void {
    this.triggered = true;
  }

  restore(): void {
    this.triggered = false;
    this.emitHeld();
    this.signal();
  }

  ack(first: number, last: number): void {
    for (const number of this.unsettledIn(first, last)) {
      this.acksToSend.push(this.unsettled.get(number)!);
      this.unsettled.delete(number);
    }
    this.ackSoon ??= setImmediate(() => this.sendAcks());
    this.signal();
  }

  /**
   * Acks go out together once the current burst of events is through: the client writes to its
   * socket once per microtask turn, and acking inside the pull loop would write once per message.
   */
  private sendAcks(): void {
    this.ackSoon = undefined;
    for (const message of this.acksToSend.splice(0)) message.ack();
  }

  fail(eventNumber: number): void {
    const message = this.unsettled.get(eventNumber);
    if (message === undefined) return;
    this.unsettled.delete(eventNumber);
    message.nak(this.options.nakDelayMs);
    this.signal();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopPulls();
    this.signal();
    await this.pulling;
    const deadline = Date.now() + STOP_ACK_GRACE_MS;
    while (this.unsettled.size > 0 && this.link.isUp && Date.now() < deadline) await sleep(10);
    clearImmediate(this.ackSoon);
    this.sendAcks();
    for (const message of [...this.unsettled.values(), ...this.held.splice(0)]) message.nak();
    this.unsettled.clear();
    await this.link.close();
  }

  /** Messages this connector may still pull: `max_ack_pending` less what it holds unsettled. */
  private get room(): number {
    return this.options.maxAckPending - this.unsettled.size - this.held.length;
  }

  private connected(connection: NatsConnection): void {
    this.connection = connection;
    void this.setUp();
    this.signal();
  }

  private disconnected(): void {
    this.stopPulls();
  }

  private stopPulls(): void {
    for (const messages of this.fetches) messages.stop();
  }

  /** Finds or creates the durable, asking again until it works (the stream may not exist yet). */
  private async setUp(): Promise<void> {
    if (this.settingUp) return;
    this.settingUp = true;
    try {
      while (!this.stopped && this.link.isUp && this.consumer === undefined) {
        const connection = this.connection!;
        try {
          this.manager ??= await jetstreamManager(connection, { checkAPI: false });
          for (const note of await ensureDurable(this.manager, this.options)) this.warn(note);
          this.consumer = await jetstream(connection).consumers.get(this.options.stream, this.options.durable);
          if (this.problem !== undefined) this.warn(`reading stream "${this.options.stream}" through durable "${this.options.durable}"`);
          this.problem = undefined;
          this.signal();
        } catch (error) {
          const problem = error instanceof SetupError ? error.message : `cannot set up durable "${this.options.durable}": ${describeFailure(error, this.options.stream)}`;
          if (problem !== this.problem) this.warn(`${problem}; trying again every ${RETRY_MS} ms`);
          this.problem = problem;
          await sleep(RETRY_MS);
        }
      }
    } finally {
      this.settingUp = false;
    }
  }

  /**
   * Keeps up to MAX_PULLS pulls outstanding, so the next batch is on its way while this one is
   * processed (one pull at a time waits a round trip per batch). Asked for, held and unsettled
   * together stay within `max_ack_pending`.
   */
  private async pullLoop(): Promise<void> {
    while (!this.stopped) {
      const consumer = this.consumer;
      const size = Math.min(this.room - this.requested, PULL_BATCH);
      // A second pull only for a batch worth the round trip.
      const worthIt = this.pulls.size === 0 ? size > 0 : size >= Math.min(PULL_BATCH, this.options.maxAckPending) / 2;
      if (consumer === undefined || !this.link.isUp || this.triggered || this.held.length > 0 || this.pulls.size >= MAX_PULLS || !worthIt) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.requested += size;
      const pull = this.runPull(consumer, size).finally(() => {
        this.pulls.delete(pull);
        this.signal();
      });
      this.pulls.add(pull);
    }
    await Promise.all(this.pulls);
  }

  /** One pull of up to `size` messages; a failed one waits RETRY_MS before it counts as done. */
  private async runPull(consumer: Consumer, size: number): Promise<void> {
    let received = 0;
    let messages: ConsumerMessages | undefined;
    try {
      messages = await consumer.fetch({ max_messages: size, expires: PULL_EXPIRES_MS });
      this.fetches.add(messages);
      if (this.stopped || !this.link.isUp) messages.stop();
      for await (const message of messages) {
        received++;
        this.requested--;
        this.take(message);
      }
    } catch (error) {
      if (this.stopped) return;
      if (isConsumerNotFound(error)) {
        // Deleted behind our back (or lost by the server): create it again.
        this.consumer = undefined;
        void this.setUp();
      }
      const problem = `pulling from durable "${this.options.durable}" failed: ${describeFailure(error, this.options.stream)}`;
      if (problem !== this.problem) this.warn(`${problem}; trying again`);
      this.problem = problem;
      await sleep(RETRY_MS);
    } finally {
      this.requested -= size - received;
      if (messages !== undefined) this.fetches.delete(messages);
    }
  }

  private take(message: JsMsg): void {
    if (this.triggered || this.stopped || this.held.length > 0) this.held.push(message);
    else this.emit(message);
  }

  private emitHeld(): void {
    while (this.held.length > 0 && !this.triggered && !this.stopped) this.emit(this.held.shift()!);
  }

  private emit(message: JsMsg): void {
    const codec = this.options.codec;
    const text = message.string();
    let data: Value;
    try {
      data = codec.decode(text);
    } catch (error) {
      this.warn(`stream "${this.options.stream}" message ${message.info.streamSequence}: cannot decode as ${codec.name}: ${(error as Error).message}; terminated for durable "${this.options.durable}"`);
      message.term(); // no reason text: nats-server 2.9 ignores a +TERM that carries one
      return;
    }
    const number = this.nextEventNumber++;
    // Tracked before it is emitted: the ack or fail may come back during emit.
    this.unsettled.set(number, message);
    this.context?.emit(data, { jetstream: metadataOf(message) }, codec.decodesJsonText ? text.trim() : undefined);
  }

  /** The event numbers in [first, last] still unsettled (usually one; the map holds at most `max_ack_pending`). */
  private unsettledIn(first: number, last: number): number[] {
    if (first === last) return this.unsettled.has(first) ? [first] : [];
    return [...this.unsettled.keys()].filter((number) => number >= first && number <= last);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private warn(message: string): void {
    this.context?.warn(message);
  }
}

function metadataOf(message: JsMsg): RecordValue {
  const info = message.info;
  const meta: Record<string, Value> = {
    stream: info.stream,
    consumer: info.consumer,
    subject: message.subject,
    stream_seq: info.streamSequence,
    consumer_seq: info.deliverySequence,
    delivery_count: info.deliveryCount,
    timestamp_ns: info.timestampNanos,
  };
  if (message.headers !== undefined) meta.headers = headersRecord(message.headers);
  return meta;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const CONSUMER_CONFIG_KEYS: Readonly<Record<string, ConfigKeySpec>> = {
  hosts: { type: 'strings', required: true },
  stream: { type: 'string', required: true },
  durable: { type: 'string', required: true },
  subject: { type: 'string' },
  max_ack_pending: { type: 'integer' },
  ack_wait_ms: { type: 'integer' },
  nak_delay_ms: { type: 'integer' },
};

function createConsumer(settings: ConnectorSettings): JetStreamConsumer {
  const config = settings.config;
  const subject = config.subject as string | undefined;
  return new JetStreamConsumer({
    servers: parseHosts(config.hosts as string[]),
    stream: checkName(config.stream as string, 'stream'),
    durable: checkName(config.durable as string, 'durable'),
    subject: subject === undefined ? undefined : checkSubject(subject, 'subject', true),
    maxAckPending: wholeNumber(config, 'max_ack_pending', DEFAULT_MAX_ACK_PENDING),
    ackWaitMs: wholeNumber(config, 'ack_wait_ms', DEFAULT_ACK_WAIT_MS),
    nakDelayMs: wholeNumber(config, 'nak_delay_ms', DEFAULT_NAK_DELAY_MS, 0),
    codec: settings.codec,
    name: `rill ${settings.id}`,
  });
}

/** Tremor 0.11 style onramp `type: jetstream`. */
export const jetstreamOnrampFactory: SourceFactory = {
  kind: 'source',
  type: 'jetstream',
  configKeys: CONSUMER_CONFIG_KEYS,
  create: createConsumer,
};

/** Troy `define connector x from jetstream_consumer`: the source half only. */
export const jetstreamConsumerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'jetstream_consumer',
  configKeys: CONSUMER_CONFIG_KEYS,
  codec: 'required',
  create: (settings) => ({ source: createConsumer(settings) }),
};
