/**
 * The JetStream consumer against a real nats-server: a durable pull consumer created on demand,
 * acks and naks by event number, the in-flight bound, trigger and restore, `$jetstream` metadata,
 * redelivery of what was never settled, two consumers sharing one durable, and a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { JetStreamConsumer, jetstreamConsumerFactory, jetstreamOnrampFactory } from '../../connectors/jetstream/consumer.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { SourceRecorder } from '../connectors/recorders.ts';
import { createStream, publishAll, withClient } from '../support/jetstream-inspect.ts';
import { NatsServer } from '../support/nats-server.ts';
import { sleep, waitFor, waitForAsync } from '../support/waiting.ts';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';

let server: NatsServer;
const consumers: JetStreamConsumer[] = [];

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop();
  await server.stop();
});

async function startConsumer(config: RecordValue): Promise<{ consumer: JetStreamConsumer; recorder: SourceRecorder }> {
  const consumer = jetstreamOnrampFactory.create({ id: 'in', config: { hosts: [server.host], ...config }, codec: DEFAULT_CODEC, warn: () => {} }) as JetStreamConsumer;
  consumers.push(consumer);
  const recorder = new SourceRecorder();
  await consumer.start(recorder);
  return { consumer, recorder };
}

const numbers = (count: number, from = 0) => Array.from({ length: count }, (_, index) => JSON.stringify({ n: from + index }));
const nOf = (recorder: SourceRecorder, index: number) => (recorder.events[index].data as { n: number }).n;

async function ackPending(stream: string, durable: string): Promise<number> {
  return withClient([server.host], async (connection) => (await (await jetstreamManager(connection)).consumers.info(stream, durable)).num_ack_pending);
}

describe('jetstream consumer (onramp `jetstream`, troy `jetstream_consumer`)', () => {
  it('creates the durable, emits with $jetstream metadata, holds at most max_ack_pending unsettled, and acks what is acked', async () => {
    await createStream([server.host], 'IN', ['in.>']);
    await withClient([server.host], async (connection) => {
      const message = headers();
      message.set('trace', 'abc');
      await jetstream(connection).publish('in.first', JSON.stringify({ n: -1 }), { headers: message });
    });
    await publishAll([server.host], 'in.rest', numbers(30));
    const { consumer, recorder } = await startConsumer({ stream: 'IN', durable: 'workers', max_ack_pending: 10 });
    await waitFor(() => recorder.events.length === 10, 'the first 10 messages');
    expect(recorder.warnings.join('\n')).toContain('created durable consumer "workers" on stream "IN"');
    expect(recorder.events[0]).toMatchObject({
      data: { n: -1 },
      dataJson: '{"n":-1}',
      meta: { jetstream: { stream: 'IN', consumer: 'workers', subject: 'in.first', stream_seq: 1, consumer_seq: 1, delivery_count: 1, headers: { trace: ['abc'] } } },
    });
    expect(typeof (recorder.events[0].meta.jetstream as RecordValue).timestamp_ns).toBe('number');
    await sleep(300);
    expect(recorder.events).toHaveLength(10);
    consumer.ack(0, 4);
    await waitFor(() => recorder.events.length === 15, 'five more after five acks');
    consumer.ack(5, 14);
    await waitFor(() => recorder.events.length === 25, 'ten more');
    consumer.ack(15, 24);
    await waitFor(() => recorder.events.length === 31, 'the rest');
    consumer.ack(25, 30);
    await waitForAsync(async () => (await ackPending('IN', 'workers')) === 0, 'the server to record every ack');
    expect(recorder.events.map((_, index) => nOf(recorder, index))).toEqual([-1, ...Array(30).keys()]);
  });

  it('naks a failed event, which comes back with a higher delivery count after nak_delay_ms', async () => {
    await createStream([server.host], 'NAK', ['nak.>']);
    await publishAll([server.host], 'nak.x', numbers(3));
    const { consumer, recorder } = await startConsumer({ stream: 'NAK', durable: 'd', nak_delay_ms: 200 });
    await waitFor(() => recorder.events.length === 3, 'three messages');
    consumer.ack(0, 0);
    consumer.fail(1);
    consumer.ack(2, 2);
    await waitFor(() => recorder.events.length === 4, 'the naked message again');
    expect(recorder.events[3]).toMatchObject({ data: { n: 1 }, meta: { jetstream: { stream_seq: 2, delivery_count: 2 } } });
    consumer.ack(3, 3);
    await waitForAsync(async () => (await ackPending('NAK', 'd')) === 0, 'every ack');
  });

  it('stops pulling on trigger and goes on from where it was on restore', async () => {
    await createStream([server.host], 'CB', ['cb.>']);
    await publishAll([server.host], 'cb.x', numbers(5));
    const { consumer, recorder } = await startConsumer({ stream: 'CB', durable: 'd' });
    recorder.onEmit = () => {
      if (recorder.events.length === 5) consumer.trigger();
    };
    await waitFor(() => recorder.events.length === 5, 'five messages');
    consumer.ack(0, 4);
    await publishAll([server.host], 'cb.x', numbers(5, 5));
    await sleep(500);
    expect(recorder.events).toHaveLength(5);
    consumer.restore();
    await waitFor(() => recorder.events.length === 10, 'the rest after restore');
    expect(recorder.events.map((_, index) => nOf(recorder, index))).toEqual([...Array(10).keys()]);
  });

  it('shares one durable between two consumers: every message goes to one of them; what one left unsettled comes back after ack_wait', async () => {
    await createStream([server.host], 'SHARED', ['shared.>']);
    await publishAll([server.host], 'shared.x', numbers(200));
    const first = await startConsumer({ stream: 'SHARED', durable: 'pool', max_ack_pending: 20, ack_wait_ms: 1_000 });
    const second = await startConsumer({ stream: 'SHARED', durable: 'pool', max_ack_pending: 20, ack_wait_ms: 1_000 });
    // The first consumer never acks (a rill that hangs): after ack_wait, the server gives its messages to the second.
    second.recorder.onEmit = () => second.consumer.ack(second.recorder.events.length - 1, second.recorder.events.length - 1);
    const seenBySecond = () => new Set(second.recorder.events.map((_, index) => nOf(second.recorder, index)));
    await waitFor(() => seenBySecond().size === 200, 'the second consumer to get every message', 60_000);
    expect(first.recorder.events.length).toBeGreaterThan(0);
    expect(first.recorder.events.length).toBeLessThanOrEqual(20 * 20);
  });

  it('keeps unsettled messages across a server restart and pulls again once it is back', async () => {
    await createStream([server.host], 'RESTART', ['restart.>']);
    await publishAll([server.host], 'restart.x', numbers(5));
    const { consumer, recorder } = await startConsumer({ stream: 'RESTART', durable: 'd', ack_wait_ms: 1_000 });
    await waitFor(() => recorder.events.length === 5, 'five messages');
    consumer.ack(0, 2);
    await sleep(200);
    await server.kill('SIGKILL');
    await server.launch();
    await publishAll([server.host], 'restart.x', numbers(2, 5));
    // 3 and 4 were never acked: they come back (after ack_wait), and 5 and 6 arrive. 0..2 may come
    // back too: the killed server may not have written the consumer's ack state to disk yet.
    const later = () => new Set(recorder.events.slice(5).map((_, index) => nOf(recorder, 5 + index)));
    await waitFor(() => [3, 4, 5, 6].every((n) => later().has(n)), 'the redeliveries and the new messages', 30_000);
    expect([...later()].every((n) => n >= 0 && n <= 6)).toBe(true);
  });

  it('waits for a stream that does not exist yet', async () => {
    const { recorder } = await startConsumer({ stream: 'NOTYET', durable: 'd' });
    await waitFor(() => recorder.warnings.some((warning) => warning.includes('stream "NOTYET" does not exist')), 'the warning');
    await createStream([server.host], 'NOTYET', ['notyet.>']);
    await publishAll([server.host], 'notyet.x', numbers(1));
    await waitFor(() => recorder.events.length === 1, 'the message', 20_000);
  });

  it('terminates a message the codec cannot decode, naming its stream sequence', async () => {
    await createStream([server.host], 'BAD', ['bad.>']);
    await publishAll([server.host], 'bad.x', ['{"n": 0}', 'not json', '{"n": 2}']);
    const { consumer, recorder } = await startConsumer({ stream: 'BAD', durable: 'd' });
    await waitFor(() => recorder.events.length === 2, 'the two good messages');
    consumer.ack(0, 1);
    expect(recorder.warnings.join('\n')).toMatch(/stream "BAD" message 2: cannot decode as json: .*; terminated for durable "d"/);
    await waitForAsync(async () => (await ackPending('BAD', 'd')) === 0, 'nothing left pending');
  });

  it('validates its config', () => {
    const create = (config: RecordValue) => () =>
      jetstreamConsumerFactory.create({ id: 'c', config: { hosts: ['127.0.0.1:4222'], stream: 'S', durable: 'd', ...config }, codec: DEFAULT_CODEC, warn: () => {} });
    expect(create({ durable: 'a b' })).toThrow('`durable` "a b" is not a valid JetStream name');
    expect(create({ subject: 'in..x' })).toThrow('`subject` "in..x" is not a valid NATS subject');
    expect(create({ max_ack_pending: 0 })).toThrow('`max_ack_pending` must be at least 1, got 0');
    expect(create({ subject: 'in.>' })).not.toThrow();
  });
});
