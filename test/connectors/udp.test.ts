import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { HELD_DATAGRAMS, UdpServerSource, udpOnrampFactory, udpServerFactory } from '../../connectors/net/udp-server.ts';
import { UdpClientSink, udpClientFactory, udpOfframpFactory } from '../../connectors/net/udp-client.ts';
import { buildFraming } from '../../connectors/framing/processors.ts';
import { codecs, DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { ProcessorSpec } from '../../connectors/connector.ts';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';
import { event, SinkRecorder, SourceRecorder } from './recorders.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function udpServer(pre: ProcessorSpec[] = [], bufSize = 8192, codec = DEFAULT_CODEC): Promise<{ server: UdpServerSource; source: SourceRecorder; port: number }> {
  const server = new UdpServerSource({ address: { host: '127.0.0.1', port: 0 }, codec, framing: buildFraming(pre, [], []), bufSize });
  const source = new SourceRecorder();
  await server.start(source);
  cleanups.push(() => server.stop());
  return { server, source, port: server.address.port };
}

async function udpClient(port: number, post: ProcessorSpec[] = []): Promise<{ client: UdpClientSink; sink: SinkRecorder }> {
  const client = new UdpClientSink({ destination: { host: '127.0.0.1', port }, bind: { host: '127.0.0.1', port: 0 }, codec: DEFAULT_CODEC, framing: buildFraming([], post, []) });
  const sink = new SinkRecorder();
  await client.start(sink);
  cleanups.push(() => client.stop());
  return { client, sink };
}

/** A plain UDP socket sending raw datagrams to `port`. */
async function rawSender(): Promise<(text: string | Buffer, port: number) => Promise<void>> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => socket.close(() => resolve())));
  return (text, port) => new Promise<void>((resolve, reject) => socket.send(text, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
}

describe('udp_client -> udp_server', () => {
  it('round trip: one datagram per event, acked when sent, decoded with $udp_server.peer', async () => {
    const { source, port } = await udpServer();
    const { client, sink } = await udpClient(port);
    expect(client.isActive()).toBe(true);
    expect(sink.circuit).toEqual(['restore']);
    for (let n = 0; n < 10; n++) client.send(event(n, { n }), sink.delivery(n));
    await waitFor(() => sink.acks.length === 10, 'acks on send');
    // Loopback rarely drops, but UDP may: assert what arrived is in order and never more.
    await waitFor(() => source.events.length === 10, 'the datagrams');
    expect(source.events.map((e) => e.data)).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
    expect(source.events[0].meta).toMatchObject({ udp_server: { peer: { host: '127.0.0.1' } } });
  });

  it('with separate, a datagram holds several lines and its last piece needs no separator', async () => {
    const { source, port } = await udpServer(['separate']);
    const send = await rawSender();
    await send('{"a":1}\n{"a":2}\n{"a":3}', port);
    await send('{"a":4}\n', port);
    await waitFor(() => source.events.length === 4, 'four events');
    expect(source.events.map((e) => e.data)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
  });

  it('the client postprocessor appends the separator to each datagram', async () => {
    const { source, port } = await udpServer([], 8192, codecs.get('string')!);
    const { client, sink } = await udpClient(port, ['separate']);
    client.send(event(1, 'x'), sink.delivery(1));
    await waitFor(() => source.events.length === 1, 'the datagram');
    expect(source.events[0].data).toBe('"x"\n');
  });

  it('drops and reports a datagram longer than buf_size', async () => {
    const { server, source, port } = await udpServer([], 16);
    const send = await rawSender();
    await send(`"${'x'.repeat(40)}"`, port);
    await send('"ok"', port);
    await waitFor(() => source.events.length === 1, 'the short one');
    expect(source.events[0].data).toBe('ok');
    expect(server.stats.droppedOversize).toBe(1);
    expect(source.warnings[0]).toMatch(/dropped a datagram of 42 bytes .*longer than buf_size 16/);
  });

  it('while triggered holds datagrams up to the limit, drops and counts later ones, and emits the held ones on restore', async () => {
    const { server, source, port } = await udpServer();
    const send = await rawSender();
    server.trigger();
    const total = HELD_DATAGRAMS + 50;
    for (let n = 0; n < total; n += 50) {
      // In batches, so that the kernel's receive buffer never overflows: every loss is rill's.
      await Promise.all(Array.from({ length: 50 }, (_, i) => send(String(n + i), port)));
      await waitFor(() => server.stats.datagrams === n + 50, 'the batch to be received');
    }
    expect(source.events).toHaveLength(0);
    expect(server.stats.droppedWhileTriggered).toBe(50);
    expect(source.warnings.filter((w) => w.includes('dropping datagrams'))).toHaveLength(1);
    server.restore();
    expect(source.events).toHaveLength(HELD_DATAGRAMS);
    // UDP keeps no order across datagrams in general; on loopback they come in order.
    expect(new Set(source.events.map((e) => e.data)).size).toBe(HELD_DATAGRAMS);
  });

  it('what UDP loses: a datagram to a port nobody listens on is acked, and the refusal only shows up afterwards', async () => {
    const port = await freePort();
    const { client, sink } = await udpClient(port);
    for (let n = 0; n < 3; n++) {
      client.send(event(n, n), sink.delivery(n));
      await sleep(50);
    }
    await waitFor(() => sink.acks.length === 3, 'acks');
    expect(sink.fails).toEqual([]);
    await waitFor(() => client.stats.refused > 0, 'the ICMP refusal');
    expect(sink.warnings.filter((w) => w.includes('refuses datagrams'))).toHaveLength(1);
  });

  it('fails an event whose datagram is over the size limit', async () => {
    const { port } = await udpServer();
    const { client, sink } = await udpClient(port);
    client.send(event(1, 'x'.repeat(70_000)), sink.delivery(1));
    await waitFor(() => sink.fails.length === 1, 'the failure');
    expect(sink.fails[0][1]).toMatch(/datagram of 70002 bytes .* failed: send EMSGSIZE/);
  });
});

describe('udp configuration', () => {
  const settings = (config: Record<string, string | number>) => ({ id: 'u', config, codec: DEFAULT_CODEC, warn: () => {} });

  it('udp_server binds `url` (port 0 when omitted); udp_client needs a port and binds `bind`', () => {
    expect(udpServerFactory.create(settings({ url: 'localhost' })).source).toBeDefined();
    expect(udpServerFactory.create(settings({ url: 'localhost:4243', buf_size: 1024 })).sink).toBeUndefined();
    expect(() => udpClientFactory.create(settings({ url: 'localhost' }))).toThrow('Missing port for UDP client');
    expect(udpClientFactory.create(settings({ url: 'localhost:4243', bind: 'localhost:4244' })).source).toBeUndefined();
    expect(() => udpOnrampFactory.create(settings({ host: '127.0.0.1', port: -1 }))).toThrow(/port number/);
    expect(udpOfframpFactory.create(settings({ host: '127.0.0.1', port: 0, dst_host: '127.0.0.1', dst_port: 9000 }))).toBeInstanceOf(UdpClientSink);
  });

  it('the Tremor 0.11 udp onramp and offramp load from YAML with their keys', () => {
    const yaml = [
      'onramp:\n  - id: in\n    type: udp\n    codec: string\n    config:\n      host: 127.0.0.1\n      port: 9000\n',
      'offramp:\n  - id: out\n    type: udp\n    config:\n      host: 127.0.0.1\n      port: 0\n      dst_host: 127.0.0.1\n      dst_port: 9000\n',
    ].join('');
    expect(parseArtefactFile('a.yaml', yaml).errors).toEqual([]);
  });
});
