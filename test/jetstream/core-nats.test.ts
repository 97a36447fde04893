/**
 * The core-NATS `nats` onramp and offramp (best effort) against a real nats-server: what the
 * offramp publishes reaches subscribers, a queue group splits messages between subscribers, the
 * onramp's metadata, trigger and restore, and the offramp's circuit over a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { natsOfframpFactory, natsOnrampFactory, type NatsPublisher, type NatsSubscriber } from '../../connectors/jetstream/core-nats.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { event, SinkRecorder, SourceRecorder } from '../connectors/recorders.ts';
import { NatsServer } from '../support/nats-server.ts';
import { sleep, waitFor } from '../support/waiting.ts';

let server: NatsServer;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await server.stop();
});

async function subscriber(config: RecordValue): Promise<{ source: NatsSubscriber; recorder: SourceRecorder }> {
  const source = natsOnrampFactory.create({ id: 'sub', config: { hosts: [server.host], ...config }, codec: DEFAULT_CODEC, warn: () => {} }) as NatsSubscriber;
  const recorder = new SourceRecorder();
  await source.start(recorder);
  stops.push(() => source.stop());
  return { source, recorder };
}

async function publisher(subject: string): Promise<{ sink: NatsPublisher; recorder: SinkRecorder }> {
  const sink = natsOfframpFactory.create({ id: 'pub', config: { hosts: [server.host], subject }, codec: DEFAULT_CODEC, warn: () => {} }) as NatsPublisher;
  const recorder = new SinkRecorder();
  await sink.start(recorder);
  stops.push(() => sink.stop());
  await waitFor(() => sink.isActive(), 'the publisher to connect');
  return { sink, recorder };
}

describe('core NATS `nats` onramp and offramp (best effort)', () => {
  it('delivers what the offramp publishes to subscribers, with $nats metadata; a queue group splits the messages', async () => {
    const plain = await subscriber({ subject: 'core.>' });
    const first = await subscriber({ subject: 'core.events', queue: 'workers' });
    const second = await subscriber({ subject: 'core.events', queue: 'workers' });
    const { sink, recorder } = await publisher('core.events');
    await sleep(200); // the subscriptions reach the server
    for (let n = 0; n < 100; n++) sink.send(event(n, { n }), recorder.delivery(n));
    expect(recorder.acks).toHaveLength(100);
    await waitFor(() => plain.recorder.events.length === 100 && first.recorder.events.length + second.recorder.events.length === 100, 'every message');
    expect(plain.recorder.events[0]).toMatchObject({ data: { n: 0 }, dataJson: '{"n":0}', meta: { nats: { subject: 'core.events' } } });
    const grouped = [...first.recorder.events, ...second.recorder.events].map((emitted) => (emitted.data as { n: number }).n).sort((a, b) => a - b);
    expect(grouped).toEqual([...Array(100).keys()]);
    expect(first.recorder.events.length).toBeGreaterThan(0);
    expect(second.recorder.events.length).toBeGreaterThan(0);
  });

  it('stops receiving on trigger and receives again on restore (messages in between are not kept)', async () => {
    const { source, recorder: received } = await subscriber({ subject: 'cb.events' });
    const { sink, recorder } = await publisher('cb.events');
    await sleep(200);
    sink.send(event(0, { n: 0 }), recorder.delivery(0));
    await waitFor(() => received.events.length === 1, 'the first message');
    source.trigger();
    await sleep(100);
    sink.send(event(1, { n: 1 }), recorder.delivery(1));
    await sleep(200);
    source.restore();
    await sleep(200);
    sink.send(event(2, { n: 2 }), recorder.delivery(2));
    await waitFor(() => received.events.length === 2, 'the message after restore');
    expect(received.events.map((emitted) => (emitted.data as { n: number }).n)).toEqual([0, 2]);
  });

  it('the offramp triggers when the server goes away, fails what it is sent, and restores when it is back', async () => {
    const { sink, recorder } = await publisher('restart.events');
    await server.kill('SIGKILL');
    await waitFor(() => !sink.isActive(), 'the publisher to notice');
    sink.send(event(0, { n: 0 }), recorder.delivery(0));
    expect(recorder.fails).toEqual([[0, 'not connected to NATS']]);
    await server.launch();
    await waitFor(() => sink.isActive(), 'the publisher to reconnect', 20_000);
    expect(recorder.circuit.slice(-2)).toEqual(['trigger', 'restore']);
  });
});
