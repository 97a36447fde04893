/**
 * Makes sure the durable pull consumer a `jetstream_consumer` names exists on its stream: a
 * missing one is created (explicit acks, from the stream's first message, `max_ack_pending`,
 * `ack_wait`, the `subject` filter); an existing one is used as it is, since every rill that names
 * it shares it (and its position in the stream). What differs from this connector's config is
 * reported, not changed.
 */
import { AckPolicy, DeliverPolicy, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { isConsumerNotFound, isStreamNotFound, SetupError } from './failures.ts';

export interface DurableTarget {
  stream: string;
  durable: string;
  subject?: string;
  maxAckPending: number;
  ackWaitMs: number;
}

/** Resolves with notes for the user (created it, or how the existing one differs); throws SetupError or the client's error. */
export async function ensureDurable(manager: JetStreamManager, target: DurableTarget): Promise<string[]> {
  let info: ConsumerInfo;
  try {
    info = await manager.consumers.info(target.stream, target.durable);
  } catch (error) {
    if (isStreamNotFound(error)) throw new SetupError(`stream "${target.stream}" does not exist`);
    if (!isConsumerNotFound(error)) throw error;
    await manager.consumers.add(target.stream, {
      durable_name: target.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: target.maxAckPending,
      ack_wait: target.ackWaitMs * 1_000_000,
      ...(target.subject === undefined ? {} : { filter_subject: target.subject }),
    });
    return [`created durable consumer "${target.durable}" on stream "${target.stream}"${target.subject === undefined ? '' : ` for "${target.subject}"`}`];
  }
  const config = info.config;
  if (config.deliver_subject !== undefined && config.deliver_subject !== '') {
    throw new SetupError(`consumer "${target.durable}" on stream "${target.stream}" is a push consumer (deliver_subject "${config.deliver_subject}"): name a durable pull consumer`);
  }
  const notes: string[] = [];
  const filter = config.filter_subject === '' ? undefined : config.filter_subject;
  if (filter !== target.subject) notes.push(`the existing durable consumer "${target.durable}" filters ${filter === undefined ? 'nothing' : `"${filter}"`}, not ${target.subject === undefined ? 'nothing' : `"${target.subject}"`}: it is used as it is`);
  if (config.max_ack_pending !== target.maxAckPending) {
    notes.push(`the existing durable consumer "${target.durable}" has max_ack_pending ${config.max_ack_pending} (this connector keeps at most ${target.maxAckPending} unacked)`);
  }
  return notes;
}
