/**
 * `jetstream_producer` (troy) and the `jetstream` offramp (0.11 YAML): appends every event to a
 * JetStream stream, on `subject`, and settles it by the server's answer.
 *
 * - Ack upstream when the PubAck arrives (the stream's leader stored the message, and with
 *   replicas a quorum of the cluster did); fail on a timeout (`timeout_ms`), an error from the
 *   server, or no responders. A duplicate PubAck (the stream had the message id already) is an
 *   ack: the message is in the stream once.
 * - Exactly-once appends (`dedup`, default true): the `Nats-Msg-Id` header is the event's WAL
 *   delivery id `$.wal` (`<epoch>:<seq>`, set by a `qos::wal` or `wal` connector upstream), so
 *   an event the WAL re-sends after a crash or a timeout is dropped by the server, within the
 *   stream's duplicate window (2 minutes by default). Events without `$.wal` get no id.
 * - Circuit breaker: inactive (a linked pipeline gets `trigger`) until connected and the stream
 *   confirmed; `trigger` on disconnect and on an outage (a publish that timed out or found no
 *   responders: the stream has no leader, JetStream is down), `restore` once the stream answers
 *   again and its leader takes publishes (probed every PROBE_INTERVAL_MS with a publish it
 *   refuses, see AsyncPublisher.probe), so a WAL upstream holds its events instead of spending
 *   their attempts (and, after `max_attempts`, dead-lettering them) on an outage.
 * - Bounded: at most `max_in_flight` publishes wait for their PubAck; at that bound the sink
 *   triggers, and restores when half of them are settled. Events that still arrive meanwhile
 *   (sent before the trigger reached the WAL) wait in order and are published as PubAcks come.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Event } from '../../engine/event.ts';
import { isRecord, type RecordValue } from '../../queries/values/value.ts';
import { encodeOrFail, type Codec } from '../codec.ts';
import type { ConfigKeySpec, ConnectorFactory, ConnectorSettings, Delivery, Sink, SinkContext, SinkFactory } from '../connector.ts';
import { AsyncPublisher } from './async-publisher.ts';
import { NatsLink } from './connection.ts';
import { describeFailure, SetupError } from './failures.ts';
import { checkName, checkSubject, parseHosts, wholeNumber } from './settings.ts';
import { ensureStream } from './stream-setup.ts';

export const DEFAULT_MAX_IN_FLIGHT = 1000;
export const DEFAULT_TIMEOUT_MS = 5_000;
/** How often an unavailable stream is asked whether it is back. */
const PROBE_INTERVAL_MS = 500;

export interface ProducerOptions {
  servers: string[];
  stream: string;
  subject: string;
  create: boolean;
  dedup: boolean;
  /** Replicas of a stream this producer creates. */
  replicas: number;
  maxInFlight: number;
  timeoutMs: number;
  codec: Codec;
  /** The connector's name, shown to the server. */
  name: string;
}

interface Waiting {
  payload: string;
  messageId?: string;
  delivery: Delivery;
}

export class JetStreamProducer implements Sink {
  private context?: SinkContext;
  private readonly link: NatsLink;
  private publisher?: AsyncPublisher;
  private manager?: JetStreamManager;
  /** Since the connection came up or the last outage, the stream answered and its leader took a probe publish. */
  private streamReady = false;
  private probing = false;
  /** The problem last warned about, until the stream answers again. */
  private problem?: string;
  private inFlight = 0;
  private readonly waiting: Waiting[] = [];
  private windowFull = false;
  private reportedActive = false;
  private closed = false;
  private warnedNoDeliveryId = false;
  /** PubAcks that said the stream had the message already (re-sends the server dropped). */
  duplicates = 0;
  /** PubAcks received, duplicates included. */
  appended = 0;

  constructor(private readonly options: ProducerOptions) {
    this.link = new NatsLink(options.servers, options.name, {
      up: (connection) => void this.connected(connection),
      down: (reason) => this.lost(reason),
      warn: (message) => this.warn(message),
    });
  }

  async start(context: SinkContext): Promise<void> {
    this.context = context;
    this.link.open();
  }

  isActive(): boolean {
    return this.link.isUp && this.streamReady && !this.windowFull;
  }

  send(event: Event, delivery: Delivery): void {
    if (!this.link.isUp || !this.streamReady || this.publisher === undefined) {
      delivery.fail(this.link.isUp ? `stream "${this.options.stream}" is not available` : `not connected to ${this.options.servers.join(', ')}`);
      return;
    }
    const payload = encodeOrFail(this.options.codec, event, delivery);
    if (payload === undefined) return;
    const item: Waiting = { payload, delivery, messageId: this.options.dedup ? this.messageIdOf(event.meta) : undefined };
    if (this.inFlight < this.options.maxInFlight && this.waiting.length === 0) this.publish(item);
    else this.waiting.push(item);
    this.updateWindow();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.failWaiting('the sink stopped');
    this.publisher?.close('the sink stopped');
    await this.link.close();
  }

  private messageIdOf(meta: RecordValue): string | undefined {
    const wal = meta.wal;
    if (isRecord(wal) && typeof wal.epoch === 'string' && typeof wal.seq === 'number') return `${wal.epoch}:${wal.seq}`;
    if (!this.warnedNoDeliveryId) {
      this.warnedNoDeliveryId = true;
      this.warn('events arrive without a WAL delivery id ($.wal): without a qos::wal or wal connector upstream, a re-sent event is appended again');
    }
    return undefined;
  }

  private publish(item: Waiting): void {
    this.inFlight++;
    this.publisher!.publish(this.options.subject, item.payload, item.messageId, (failure, duplicate) => {
      this.inFlight--;
      if (failure === undefined) {
        this.appended++;
        if (duplicate) this.duplicates++;
        item.delivery.ack();
      } else {
        item.delivery.fail(`publish to "${this.options.subject}" failed: ${failure.reason}`);
        if (failure.outage) this.outage(failure.reason);
      }
      this.publishWaiting();
    });
  }

  /** Publishes the events waiting for room in the window, while the stream is ready. */
  private publishWaiting(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight && this.streamReady && this.link.isUp) this.publish(this.waiting.shift()!);
    this.updateWindow();
  }

  /** The window is full at `max_in_flight` publishes (waiting ones included) and opens again at half of it. */
  private updateWindow(): void {
    const used = this.inFlight + this.waiting.length;
    if (!this.windowFull && used >= this.options.maxInFlight) this.windowFull = true;
    else if (this.windowFull && used <= this.options.maxInFlight / 2) this.windowFull = false;
    this.reportCircuit();
  }

  private reportCircuit(): void {
    const active = this.isActive();
    if (active === this.reportedActive || this.closed) return;
    this.reportedActive = active;
    if (active) this.context?.restore();
    else this.context?.trigger();
  }

  private async connected(connection: NatsConnection): Promise<void> {
    this.publisher ??= new AsyncPublisher(connection, this.options.timeoutMs);
    this.manager = await jetstreamManager(connection, { checkAPI: false, timeout: this.options.timeoutMs });
    void this.probe();
  }

  private lost(reason: string): void {
    this.streamReady = false;
    this.publisher?.failPending(reason);
    this.failWaiting(reason);
    this.reportCircuit();
  }

  /** A publish timed out or found no responders: hold the upstream back until the stream answers. */
  private outage(reason: string): void {
    if (!this.streamReady) return;
    this.streamReady = false;
    this.reportProblem(`JetStream stream "${this.options.stream}" unavailable (${reason}); holding events until it answers`);
    this.failWaiting(reason);
    this.reportCircuit();
    void this.probe();
  }

  /** Asks for the stream (creating it with `create`) until it answers, then opens the circuit. */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      while (!this.closed && this.link.isUp && !this.streamReady && this.manager !== undefined) {
        try {
          const done = await ensureStream(this.manager, this.options);
          if (done !== undefined) this.warn(done);
          const outage = await this.publisher!.probe(this.options.subject);
          if (outage !== undefined) throw new PublishProbeFailed(outage.reason);
          if (this.problem !== undefined) this.warn(`JetStream stream "${this.options.stream}" available`);
          this.problem = undefined;
          this.streamReady = true;
          this.publishWaiting();
        } catch (error) {
          if (error instanceof SetupError) this.reportProblem(`${error.message}; asking again every ${PROBE_INTERVAL_MS} ms`, true);
          else this.reportProblem(`cannot reach stream "${this.options.stream}": ${error instanceof PublishProbeFailed ? error.message : describeFailure(error, this.options.subject)}; asking again every ${PROBE_INTERVAL_MS} ms`);
          await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
        }
      }
    } finally {
      this.probing = false;
    }
  }

  /** Warns about a problem once: an outage once until it ends, a setup problem each time it changes. */
  private reportProblem(problem: string, setup = false): void {
    if (this.problem !== undefined && (!setup || problem === this.problem)) return;
    this.problem = problem;
    this.warn(problem);
  }

  private failWaiting(reason: string): void {
    for (const item of this.waiting.splice(0)) item.delivery.fail(reason);
  }

  private warn(message: string): void {
    this.context?.warn(message);
  }
}

/** The stream answered its info request but does not take publishes yet (a new leader settling in). */
class PublishProbeFailed extends Error {}

export const PRODUCER_CONFIG_KEYS: Readonly<Record<string, ConfigKeySpec>> = {
  hosts: { type: 'strings', required: true },
  stream: { type: 'string', required: true },
  subject: { type: 'string', required: true },
  create: { type: 'boolean' },
  dedup: { type: 'boolean' },
  replicas: { type: 'integer' },
  max_in_flight: { type: 'integer' },
  timeout_ms: { type: 'integer' },
};

function createProducer(settings: ConnectorSettings): JetStreamProducer {
  const config = settings.config;
  const replicas = wholeNumber(config, 'replicas', 1);
  if (replicas > 5) settings.warn(`config: \`replicas\` = ${replicas}: JetStream allows at most 5, so creating the stream will fail`);
  return new JetStreamProducer({
    servers: parseHosts(config.hosts as string[]),
    stream: checkName(config.stream as string, 'stream'),
    subject: checkSubject(config.subject as string, 'subject', false),
    create: (config.create as boolean | undefined) ?? true,
    dedup: (config.dedup as boolean | undefined) ?? true,
    replicas,
    maxInFlight: wholeNumber(config, 'max_in_flight', DEFAULT_MAX_IN_FLIGHT),
    timeoutMs: wholeNumber(config, 'timeout_ms', DEFAULT_TIMEOUT_MS),
    codec: settings.codec,
    name: `rill ${settings.id}`,
  });
}

/** Tremor 0.11 style offramp `type: jetstream`. */
export const jetstreamOfframpFactory: SinkFactory = {
  kind: 'sink',
  type: 'jetstream',
  configKeys: PRODUCER_CONFIG_KEYS,
  create: createProducer,
};

/** Troy `define connector x from jetstream_producer`: the sink half only. */
export const jetstreamProducerFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'jetstream_producer',
  configKeys: PRODUCER_CONFIG_KEYS,
  codec: 'required',
  create: (settings) => ({ sink: createProducer(settings) }),
};
