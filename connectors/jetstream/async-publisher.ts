/**
 * JetStream publishes with many PubAcks outstanding, at the cost of a plain NATS publish each:
 * every message is published with a reply subject `<inbox>.<n>` under one wildcard subscription,
 * and the PubAck (or the server's no-responders status) that comes back there settles message
 * `n`. This is how the Go client's PublishAsync works; the JavaScript client's `publish` makes a
 * request per message instead (a timer and two pre-built errors each), which cost the producer
 * about a third of its throughput.
 *
 * Timeouts are swept, not timed one by one: messages wait in publish order, which is also the
 * order of their deadlines, so a sweep every SWEEP_MS fails the expired ones at the front.
 */
import { createInbox, headers, type NatsConnection, type Msg, type Subscription } from '@nats-io/transport-node';

const SWEEP_MS = 100;
/** The status code of a message the server answers itself when nothing subscribes to the subject. */
const NO_RESPONDERS = 503;
/** Never a stream's name (names cannot contain dots): what a probe expects, so the leader refuses it. */
const NO_SUCH_STREAM = 'rill.probe';

export interface PublishFailure {
  reason: string;
  /** JetStream could not be reached (a timeout, no responders, a stream without a leader), as opposed to a refusal of this message. */
  outage: boolean;
}

/** Called once per publish: with a failure, or with whether the stream already had the message id. */
export type Settle = (failure: PublishFailure | undefined, duplicate: boolean) => void;

interface Pending {
  settle: Settle;
  deadline: number;
}

interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

export class AsyncPublisher {
  private readonly inbox = createInbox();
  private readonly subscription: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly connection: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = connection.subscribe(`${this.inbox}.*`, { callback: (_error, message) => this.answered(message) });
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MS, timeoutMs));
    this.sweeper.unref();
  }

  /** How many publishes wait for their PubAck. */
  get outstanding(): number {
    return this.pending.size;
  }

  publish(subject: string, payload: string, messageId: string | undefined, settle: Settle): void {
    const number = this.next++;
    const options = { reply: `${this.inbox}.${number}`, headers: messageId === undefined ? undefined : withMessageId(messageId) };
    try {
      this.connection.publish(subject, payload, options);
    } catch (error) {
      settle({ reason: (error as Error).message, outage: true }, false);
      return;
    }
    this.pending.set(number, { settle, deadline: performance.now() + this.timeoutMs });
  }

  /**
   * Whether the stream's leader takes publishes on `subject` now, without storing anything: a
   * message that expects a stream no stream can be named (names have no dots) is refused by the
   * leader with an error, and that answer is the proof. Resolves with the failure if it is an
   * outage (no responders, a timeout), else undefined. (A stream info request is answered before a
   * new leader accepts publishes, so it cannot tell.)
   */
  probe(subject: string): Promise<PublishFailure | undefined> {
    return new Promise((resolve) => {
      const number = this.next++;
      const probeHeaders = headers();
      probeHeaders.set('Nats-Expected-Stream', NO_SUCH_STREAM);
      try {
        this.connection.publish(subject, '', { reply: `${this.inbox}.${number}`, headers: probeHeaders });
      } catch (error) {
        resolve({ reason: (error as Error).message, outage: true });
        return;
      }
      this.pending.set(number, { settle: (failure) => resolve(failure?.outage ? failure : undefined), deadline: performance.now() + this.timeoutMs });
    });
  }

  /** Fails everything still waiting: the connection dropped, and PubAcks sent meanwhile are lost. */
  failPending(reason: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { settle } of waiting) settle({ reason, outage: true }, false);
  }

  /** Fails everything still waiting (the connector is stopping) and stops listening. */
  close(reason: string): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failPending(reason);
  }

  private answered(message: Msg): void {
    const number = Number(message.subject.slice(this.inbox.length + 1));
    const waiting = this.pending.get(number);
    if (waiting === undefined) return; // answered after its timeout
    this.pending.delete(number);
    if (message.headers?.code === NO_RESPONDERS) {
      waiting.settle({ reason: 'no responders: no stream captures the subject, or JetStream is not enabled on the server', outage: true }, false);
      return;
    }
    let reply: PubAckReply;
    try {
      reply = JSON.parse(message.string()) as PubAckReply;
    } catch {
      waiting.settle({ reason: `not a PubAck: ${message.string().slice(0, 100)}`, outage: false }, false);
      return;
    }
    if (reply.error !== undefined) {
      const { code, err_code: errorCode, description } = reply.error;
      waiting.settle({ reason: `${description ?? 'error'} (code ${errorCode ?? code})`, outage: code === NO_RESPONDERS }, false);
    } else if (reply.stream === undefined) waiting.settle({ reason: `not a PubAck: ${message.string().slice(0, 100)}`, outage: false }, false);
    else waiting.settle(undefined, reply.duplicate === true);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [number, waiting] of this.pending) {
      if (waiting.deadline > now) break;
      this.pending.delete(number);
      waiting.settle({ reason: `timed out after ${this.timeoutMs} ms waiting for the PubAck`, outage: true }, false);
    }
  }
}

function withMessageId(messageId: string) {
  const messageHeaders = headers();
  messageHeaders.set('Nats-Msg-Id', messageId);
  return messageHeaders;
}
