/**
 * What the JetStream tests look at on the server, through a plain client of their own: every
 * message a stream holds (read with an ephemeral ordered consumer, which acks nothing and leaves
 * the stream as it was), a stream's message count, and which cluster member leads a stream.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';

export async function withClient<T>(hosts: string[], work: (connection: NatsConnection) => Promise<T>): Promise<T> {
  const connection = await connect({ servers: hosts, maxReconnectAttempts: 10, reconnectTimeWait: 250 });
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

export interface StoredMessage {
  text: string;
  /** The `Nats-Msg-Id` header ('' when it has none). */
  messageId: string;
}

/** Every message of `stream`, in stream order. */
export async function streamMessages(hosts: string[], stream: string): Promise<StoredMessage[]> {
  return withClient(hosts, async (connection) => {
    const manager = await jetstreamManager(connection);
    const { state } = await manager.streams.info(stream);
    const messages: StoredMessage[] = [];
    if (state.messages === 0) return messages;
    const consumer = await jetstream(connection).consumers.get(stream);
    while (messages.length < state.messages) {
      const batch = await consumer.fetch({ max_messages: Math.min(1000, state.messages - messages.length), expires: 5_000 });
      let got = 0;
      for await (const message of batch) {
        messages.push({ text: message.string(), messageId: message.headers?.get('Nats-Msg-Id') ?? '' });
        got++;
      }
      if (got === 0) throw new Error(`stream ${stream}: read ${messages.length} of ${state.messages} messages, then nothing more came`);
    }
    return messages;
  });
}

/** Every message of `stream`, in stream order, as text. */
export async function streamPayloads(hosts: string[], stream: string): Promise<string[]> {
  return (await streamMessages(hosts, stream)).map((message) => message.text);
}

export async function streamMessageCount(hosts: string[], stream: string): Promise<number> {
  return withClient(hosts, async (connection) => (await (await jetstreamManager(connection)).streams.info(stream)).state.messages);
}

/** The server name of the stream's leader, or undefined while it has none. */
export async function streamLeader(hosts: string[], stream: string): Promise<string | undefined> {
  return withClient(hosts, async (connection) => {
    const info = await (await jetstreamManager(connection)).streams.info(stream);
    return info.cluster?.leader || undefined;
  });
}

/** Publishes `payloads` to `subject` (a stream must capture it), waiting for every PubAck. */
export async function publishAll(hosts: string[], subject: string, payloads: string[]): Promise<void> {
  await withClient(hosts, async (connection) => {
    const client = jetstream(connection);
    for (let start = 0; start < payloads.length; start += 500) {
      await Promise.all(payloads.slice(start, start + 500).map((payload) => client.publish(subject, payload)));
    }
  });
}

/** Creates a file-storage stream for `subjects` (with `replicas`) unless it exists. */
export async function createStream(hosts: string[], stream: string, subjects: string[], replicas = 1): Promise<void> {
  await withClient(hosts, async (connection) => {
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name: stream, subjects, num_replicas: replicas });
  });
}
