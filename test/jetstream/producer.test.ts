/**
 * The JetStream producer against a real nats-server (JetStream on, a temporary store): acks on
 * PubAck, exactly one copy per WAL delivery id, stream creation, the circuit on a server crash
 * and restart, the bounded window, and configuration errors a user can make.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { ConnectorSettings } from '../../connectors/connector.ts';
import { JetStreamProducer, jetstreamOfframpFactory, jetstreamProducerFactory } from '../../connectors/jetstream/producer.ts';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { event, SinkRecorder } from '../connectors/recorders.ts';
import { createStream, streamPayloads, withClient } from '../support/jetstream-inspect.ts';
import { NatsServer } from '../support/nats-server.ts';
import { waitFor } from '../support/waiting.ts';
import { jetstreamManager } from '@nats-io/jetstream';

let server: NatsServer;
const producers: JetStreamProducer[] = [];

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  for (const producer of producers) await producer.stop();
  await server.stop();
});

function settings(config: RecordValue, warnings: string[] = []): ConnectorSettings {
  return { id: 'js', config, codec: DEFAULT_CODEC, warn: (message) => warnings.push(message) };
}

async function startProducer(config: RecordValue): Promise<{ producer: JetStreamProducer; recorder: SinkRecorder }> {
  const producer = jetstreamOfframpFactory.create(settings({ hosts: [server.host], ...config })) as JetStreamProducer;
  producers.push(producer);
  const recorder = new SinkRecorder();
  await producer.start(recorder);
  return { producer, recorder };
}

const EPOCH = '0123456789abcdef0123456789abcdef';

describe('jetstream producer (offramp `jetstream`, troy `jetstream_producer`)', () => {
  it('creates the missing stream, acks each event on its PubAck, and keeps one copy per WAL delivery id', async () => {
    const { producer, recorder } = await startProducer({ stream: 'ONCE', subject: 'once.events' });
    expect(producer.isActive()).toBe(false);
    await waitFor(() => producer.isActive(), 'the producer to connect and create the stream');
    expect(recorder.circuit).toEqual(['restore']);
    expect(recorder.warnings.join('\n')).toContain('created stream "ONCE" for "once.events" (file storage, 1 replica)');
    for (let seq = 0; seq < 20; seq++) producer.send(event(seq, { n: seq }, { wal: { epoch: EPOCH, seq } }), recorder.delivery(seq));
    // The WAL re-sends 0..9 after a "crash": same delivery ids, acked, and dropped by the server.
    for (let seq = 0; seq < 10; seq++) producer.send(event(100 + seq, { n: seq }, { wal: { epoch: EPOCH, seq } }), recorder.delivery(100 + seq));
    await waitFor(() => recorder.acks.length === 30, 'every PubAck');
    expect(recorder.fails).toEqual([]);
    expect(producer.duplicates).toBe(10);
    expect((await streamPayloads([server.host], 'ONCE')).map((text) => JSON.parse(text).n)).toEqual([...Array(20).keys()]);
    await withClient([server.host], async (connection) => {
      const manager = await jetstreamManager(connection);
      const info = await manager.streams.info('ONCE');
      expect(info.config.storage).toBe('file');
      const first = await manager.streams.getMessage('ONCE', { seq: 1 });
      expect(first?.header.get('Nats-Msg-Id')).toBe(`${EPOCH}:0`);
    });
  });

  it('with dedup = false, or without $.wal, appends every send (and warns once that there is no delivery id)', async () => {
    const { producer, recorder } = await startProducer({ stream: 'PLAIN', subject: 'plain.events', dedup: false });
    await waitFor(() => producer.isActive(), 'the producer to be ready');
    for (let n = 0; n < 4; n++) producer.send(event(n, { n: 0 }, { wal: { epoch: EPOCH, seq: 0 } }), recorder.delivery(n));
    await waitFor(() => recorder.acks.length === 4, 'the PubAcks');
    expect(await streamPayloads([server.host], 'PLAIN')).toHaveLength(4);

    const second = await startProducer({ stream: 'PLAIN', subject: 'plain.events' });
    await waitFor(() => second.producer.isActive(), 'the second producer to be ready');
    for (let n = 0; n < 3; n++) second.producer.send(event(n, { n: 1 }), second.recorder.delivery(n));
    await waitFor(() => second.recorder.acks.length === 3, 'the PubAcks');
    expect(await streamPayloads([server.host], 'PLAIN')).toHaveLength(7);
    expect(second.recorder.warnings.filter((warning) => warning.includes('without a WAL delivery id'))).toHaveLength(1);
  });

  it('triggers at max_in_flight outstanding publishes and restores once half are settled, publishing in order', async () => {
    const { producer, recorder } = await startProducer({ stream: 'WINDOW', subject: 'window.events', max_in_flight: 4 });
    await waitFor(() => producer.isActive(), 'the producer to be ready');
    for (let n = 0; n < 10; n++) producer.send(event(n, { n }, { wal: { epoch: EPOCH, seq: n } }), recorder.delivery(n));
    expect(producer.isActive()).toBe(false);
    expect(recorder.circuit).toEqual(['restore', 'trigger']);
    await waitFor(() => recorder.acks.length === 10, 'every PubAck');
    expect(recorder.circuit).toEqual(['restore', 'trigger', 'restore']);
    expect(producer.isActive()).toBe(true);
    expect((await streamPayloads([server.host], 'WINDOW')).map((text) => JSON.parse(text).n)).toEqual([...Array(10).keys()]);
  });

  it('with create = false waits for a missing stream, failing sends meanwhile, and starts once it exists', async () => {
    const { producer, recorder } = await startProducer({ stream: 'LATER', subject: 'later.events', create: false });
    await waitFor(() => recorder.warnings.some((warning) => warning.includes('stream "LATER" does not exist (create = false)')), 'the warning');
    expect(producer.isActive()).toBe(false);
    producer.send(event(0, { n: 0 }), recorder.delivery(0));
    expect(recorder.fails).toEqual([[0, 'stream "LATER" is not available']]);
    await createStream([server.host], 'LATER', ['later.>']);
    await waitFor(() => producer.isActive(), 'the producer to find the stream');
    producer.send(event(1, { n: 1 }), recorder.delivery(1));
    await waitFor(() => recorder.acks.length === 1, 'the PubAck');
    expect(recorder.acks).toEqual([1]);
  });

  it('reports a stream that does not capture the subject', async () => {
    await createStream([server.host], 'OTHER', ['other.>']);
    const { producer, recorder } = await startProducer({ stream: 'OTHER', subject: 'elsewhere.events' });
    await waitFor(() => recorder.warnings.some((warning) => warning.includes('stream "OTHER" does not capture the subject "elsewhere.events" (its subjects: "other.>")')), 'the warning');
    expect(producer.isActive()).toBe(false);
  });

  it('fails a publish that finds no responders (the stream was deleted), triggers, and restores once the stream is back', async () => {
    const { producer, recorder } = await startProducer({ stream: 'GONE', subject: 'gone.events' });
    await waitFor(() => producer.isActive(), 'the producer to be ready');
    await withClient([server.host], async (connection) => (await jetstreamManager(connection)).streams.delete('GONE'));
    producer.send(event(0, { n: 0 }, { wal: { epoch: EPOCH, seq: 0 } }), recorder.delivery(0));
    await waitFor(() => recorder.fails.length === 1, 'the publish to fail');
    expect(recorder.fails[0][1]).toBe('publish to "gone.events" failed: no responders: no stream captures the subject, or JetStream is not enabled on the server');
    // create = true: the probe creates the stream again (at once: the trigger may already be followed by the restore).
    await waitFor(() => producer.isActive(), 'the stream to be created again');
    expect(recorder.circuit).toEqual(['restore', 'trigger', 'restore']);
    producer.send(event(1, { n: 0 }, { wal: { epoch: EPOCH, seq: 0 } }), recorder.delivery(1));
    await waitFor(() => recorder.acks.length === 1, 'the PubAck');
    expect(await streamPayloads([server.host], 'GONE')).toEqual(['{"n":0}']);
  });

  it('triggers when the server dies, fails what it is sent meanwhile, and restores when it is back; dedup holds across the crash', async () => {
    const { producer, recorder } = await startProducer({ stream: 'CRASH', subject: 'crash.events', timeout_ms: 2_000 });
    await waitFor(() => producer.isActive(), 'the producer to be ready');
    for (let seq = 0; seq < 5; seq++) producer.send(event(seq, { n: seq }, { wal: { epoch: EPOCH, seq } }), recorder.delivery(seq));
    await waitFor(() => recorder.acks.length === 5, 'the PubAcks');
    await server.kill('SIGKILL');
    await waitFor(() => !producer.isActive(), 'the producer to notice');
    expect(recorder.circuit.at(-1)).toBe('trigger');
    producer.send(event(5, { n: 5 }, { wal: { epoch: EPOCH, seq: 5 } }), recorder.delivery(5));
    expect(recorder.fails.map(([n]) => n)).toEqual([5]);
    await server.launch();
    await waitFor(() => producer.isActive(), 'the producer to reconnect', 20_000);
    expect(recorder.circuit.at(-1)).toBe('restore');
    // The WAL sends 3..5 again (3 and 4 were acked but, say, the ack was lost): only 5 is new.
    for (let seq = 3; seq <= 5; seq++) producer.send(event(10 + seq, { n: seq }, { wal: { epoch: EPOCH, seq } }), recorder.delivery(10 + seq));
    await waitFor(() => recorder.acks.length === 8, 'the PubAcks after the restart');
    expect((await streamPayloads([server.host], 'CRASH')).map((text) => JSON.parse(text).n)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('jetstream connector configuration', () => {
  it('names unknown keys with a suggestion, wrong types and missing keys, at their YAML position', () => {
    const text = ['offramp:', '  - id: js', '    type: jetstream', '    config:', '      hosts: "127.0.0.1:4222"', '      stream: S', '      subjet: a.b', ''].join('\n');
    expect(parseArtefactFile('js.yaml', text).errors.map((error) => error.message)).toEqual([
      'js.yaml:5:7: offramp "js": config: `hosts` must be a list of strings, got "127.0.0.1:4222"',
      'js.yaml:7:7: offramp "js": config: unknown key "subjet" (did you mean "subject"?)',
      'js.yaml:4:5: offramp "js": config: missing required key "subject"',
    ]);
  });

  it('rejects values the server would refuse, naming the key', () => {
    const create = (config: RecordValue) => () => jetstreamProducerFactory.create(settings({ hosts: ['127.0.0.1:4222'], stream: 'S', subject: 'a.b', ...config }));
    expect(create({ subject: 'a.*' })).toThrow('`subject` "a.*" is not a valid NATS subject: expected dot-separated tokens without wildcards, e.g. "events.in"');
    expect(create({ stream: 'my.stream' })).toThrow('`stream` "my.stream" is not a valid JetStream name');
    expect(create({ hosts: [] })).toThrow('`hosts` must name at least one server');
    expect(create({ hosts: ['nats://:4222'] })).toThrow('`hosts`');
    expect(create({ max_in_flight: 0 })).toThrow('`max_in_flight` must be at least 1, got 0');
  });
});
