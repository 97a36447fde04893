import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { TcpServer, tcpOnrampFactory, tcpServerFactory } from '../../connectors/net/tcp-server.ts';
import { buildFraming } from '../../connectors/framing/processors.ts';
import { codecs, DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { ProcessorSpec } from '../../connectors/connector.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';
import { FloatValue } from '../../queries/values/value.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';
import { Client, event, SinkRecorder, SourceRecorder } from './recorders.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  server: TcpServer;
  port: number;
  source: SourceRecorder;
  sink: SinkRecorder;
}

/** Both halves started, as a troy flow linking `out` and `in` would (sink first, as the runtime does). */
async function startServer(pre?: ProcessorSpec[], codec = DEFAULT_CODEC): Promise<Started> {
  const server = new TcpServer({ address: { host: '127.0.0.1', port: 0 }, codec, framing: buildFraming(pre, undefined, ['lines']) });
  const source = new SourceRecorder();
  const sink = new SinkRecorder();
  await server.sink.start(sink);
  await server.source.start(source);
  cleanups.push(async () => {
    await server.source.stop();
    await server.sink.stop();
  });
  return { server, port: server.address.port, source, sink };
}

async function client(port: number): Promise<Client> {
  const c = await Client.connect(port);
  cleanups.push(() => c.close());
  return c;
}

describe('tcp_server', () => {
  it('takes several clients at once; each event carries $tcp_server.peer of its connection', async () => {
    const { port, source } = await startServer();
    const clients = await Promise.all([client(port), client(port), client(port)]);
    clients.forEach((c, index) => c.write(`{"client":${index},"n":1}\n{"client":${index},"n":2}\n`));
    await waitFor(() => source.events.length === 6, 'six events');
    for (const [index, c] of clients.entries()) {
      const mine = source.events.filter((e) => (e.data as { client: number }).client === index);
      expect(mine.map((e) => (e.data as { n: number }).n)).toEqual([1, 2]);
      for (const e of mine) expect(e.meta).toEqual({ tcp_server: { tls: false, peer: { host: '127.0.0.1', port: c.port } } });
      // The JSON text travels with the event, so a json sink writes it as it came.
      expect(mine[0].dataJson).toBe(`{"client":${index},"n":1}`);
    }
  });

  it('hands JSON lines on as their text, checked on the reader thread, in order; other lines are decoded and reported here', async () => {
    const { port, source } = await startServer();
    const c = await client(port);
    const lines = Array.from({ length: 2000 }, (_, n) => (n === 1000 ? 'not json' : `{"n":${n}}`));
    c.write(`${lines.join('\n')}\n`);
    await waitFor(() => source.events.length === 1999, '1999 events');
    expect(source.events.map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 2000 }, (_, n) => n).filter((n) => n !== 1000));
    expect(source.events.every((e) => e.asText === true)).toBe(true);
    expect(source.warnings).toEqual([expect.stringContaining('cannot decode "not json" as json')]);
  });

  it('routes each reply to the connection its $tcp_server.peer names, with the postprocessor newline, and acks it once written', async () => {
    const { port, source, sink, server } = await startServer();
    const [a, b] = [await client(port), await client(port)];
    a.write('"from a"\n');
    b.write('"from b"\n');
    await waitFor(() => source.events.length === 2, 'both events');
    // Echo each event back, as `connect /pipeline/echo to /connector/tcp_server` does.
    source.events.forEach((e, n) => server.sink.send(event(n, { echo: e.data, ratio: new FloatValue(1) }, e.meta), sink.delivery(n)));
    await waitFor(() => a.lines.length === 1 && b.lines.length === 1, 'both replies');
    expect(a.received).toBe('{"echo":"from a","ratio":1.0}\n');
    expect(b.received).toBe('{"echo":"from b","ratio":1.0}\n');
    await waitFor(() => sink.acks.length === 2, 'acks');
    expect(sink.fails).toEqual([]);
    expect(server.stats.repliesSent).toBe(2);
  });

  it('drops, counts and acks (never fails) a reply for a connection that has closed, and one that names no peer', async () => {
    const { port, source, sink, server } = await startServer();
    const gone = await client(port);
    const stays = await client(port);
    gone.write('1\n');
    stays.write('2\n');
    await waitFor(() => source.events.length === 2, 'both events');
    const goneMeta = source.events.find((e) => e.data === 1)!.meta;
    const staysMeta = source.events.find((e) => e.data === 2)!.meta;
    await gone.close();
    await waitFor(() => server.openConnections === 1, 'the server to see the close');

    for (let n = 0; n < 5; n++) server.sink.send(event(n, `late ${n}`, goneMeta), sink.delivery(n));
    server.sink.send(event(5, 'no peer'), sink.delivery(5));
    server.sink.send(event(6, 'still here', staysMeta), sink.delivery(6));
    await waitFor(() => sink.acks.length === 7, 'every reply settled');
    expect(sink.fails).toEqual([]);
    expect(server.stats.repliesDropped).toBe(6);
    expect(server.stats.repliesSent).toBe(1);
    await waitFor(() => stays.lines.length === 1, 'the live reply');
    expect(stays.lines).toEqual(['"still here"']);
    // One warning for the streak of drops, not one per reply.
    const drops = [...source.warnings, ...sink.warnings].filter((w) => w.includes('dropped a reply'));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toContain(`connection 127.0.0.1:${(goneMeta.tcp_server as { peer: { port: number } }).peer.port} is closed`);
  });

  it('reports a line longer than max_length and delivers the lines around it', async () => {
    const { port, source, server } = await startServer([{ name: 'separate', config: { max_length: 64 } }]);
    const c = await client(port);
    c.write(`"short"\n"${'x'.repeat(200)}"\n"after"\n`);
    await waitFor(() => source.events.length === 2, 'the two short lines');
    expect(source.events.map((e) => e.data)).toEqual(['short', 'after']);
    expect(server.stats.linesDiscarded).toBe(1);
    expect(source.warnings.join('\n')).toMatch(/127\.0\.0\.1:\d+: discarded a line of 202 bytes: longer than max_length 64/);
  });

  it('reports a line that does not decode once per connection, counts the rest, and goes on', async () => {
    const { port, source } = await startServer();
    const c = await client(port);
    c.write('not json\n{"ok":1}\nalso bad\n\n{"ok":2}\n');
    await waitFor(() => source.events.length === 2, 'the good lines');
    expect(source.events.map((e) => e.data)).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(source.warnings.filter((w) => w.includes('cannot decode'))).toHaveLength(1);
    await c.close();
    await waitFor(() => source.warnings.some((w) => w.includes('2 more chunk(s) could not be decoded')), 'the summary at close');
  });

  it('trigger stops reading (TCP backpressure reaches the client) and restore resumes without losing a line', async () => {
    const started = await startServer(['separate'], codecs.get('string')!);
    const c = await client(started.port);
    c.write('first\n');
    await waitFor(() => started.source.events.length === 1, 'the first line');

    started.server.source.trigger();
    const line = `${'y'.repeat(1023)}\n`;
    const lines = 32 * 1024; // 32 MiB: more than the loopback socket buffers hold
    c.write(line.repeat(lines));
    await waitFor(() => c.socket.writableLength > 0, 'the client to feel the backpressure');
    await sleep(300);
    expect(started.source.events).toHaveLength(1);
    expect(c.socket.writableLength).toBeGreaterThan(0);

    started.server.source.restore();
    await waitFor(() => started.source.events.length === 1 + lines, 'every line after restore', 60_000);
    expect(c.socket.writableLength).toBe(0);
    expect(started.source.events.slice(1).every((e) => e.data === 'y'.repeat(1023))).toBe(true);
  });

  it('a trigger in the middle of a read holds the rest of that read until restore', async () => {
    const { port, source, server } = await startServer();
    source.onEmit = (e) => {
      if (e.data === 2) server.source.trigger();
    };
    const c = await client(port);
    c.write('1\n2\n3\n4\n');
    await waitFor(() => source.events.length === 2, 'lines up to the trigger');
    await sleep(200);
    expect(source.events.map((e) => e.data)).toEqual([1, 2]);
    server.source.restore();
    await waitFor(() => source.events.length === 4, 'the held lines');
    expect(source.events.map((e) => e.data)).toEqual([1, 2, 3, 4]);
  });

  it('a client that sends and leaves while the source is triggered loses nothing: its lines come on restore', async () => {
    const { port, source, server } = await startServer();
    source.onEmit = (e) => {
      if (e.data === 1) server.source.trigger();
    };
    const c = await client(port);
    c.write('1\n2\n3');
    await waitFor(() => source.events.length === 1, 'the first line');
    await c.close();
    await sleep(200);
    expect(source.events.map((e) => e.data)).toEqual([1]);
    server.source.restore();
    // The last line has no separator: the end of the connection completes it.
    await waitFor(() => source.events.length === 3, 'the held lines and the last one');
    expect(source.events.map((e) => e.data)).toEqual([1, 2, 3]);
  });

  it('triggers its sink while a client does not read its replies and restores once it does', async () => {
    const { port, source, sink, server } = await startServer();
    const c = await client(port);
    c.socket.pause();
    c.write('1\n');
    await waitFor(() => source.events.length === 1, 'an event to reply to');
    const big = 'z'.repeat(64 * 1024);
    let n = 0;
    while (!sink.circuit.includes('trigger') && n < 2000) server.sink.send(event(n++, big, source.events[0].meta), sink.delivery(n));
    expect(sink.circuit).toEqual(['trigger']);
    expect(server.sink.isActive()).toBe(false);
    c.socket.resume();
    await waitFor(() => sink.circuit.length === 2, 'restore once drained', 60_000);
    expect(sink.circuit).toEqual(['trigger', 'restore']);
    expect(server.sink.isActive()).toBe(true);
  });

  it('start fails with the address when the port is taken', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const server = new TcpServer({ address: { host: '127.0.0.1', port }, codec: DEFAULT_CODEC, framing: buildFraming(undefined, undefined, ['lines']) });
    await expect(server.source.start(new SourceRecorder())).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
  });
});

describe('tcp_server and tcp onramp configuration', () => {
  const settings = (config: Record<string, string | number>) => ({ id: 't', config, codec: DEFAULT_CODEC, warn: () => {} });

  it('rejects the seed\'s blanked url, a url without port and an over-long port', () => {
    expect(() => tcpServerFactory.create(settings({ url: '' }))).toThrow(/`url` "" has no host/);
    expect(() => tcpServerFactory.create(settings({ url: '127.0.0.1' }))).toThrow('Missing port for TCP server: `url` "127.0.0.1" has no port');
    expect(() => tcpServerFactory.create(settings({ url: '127.0.0.1:70000' }))).toThrow(ConnectorConfigError);
    expect(() => tcpServerFactory.create(settings({ url: '0.0.0.0:65535', buf_size: 0 }))).toThrow(/buf_size/);
    expect(() => tcpOnrampFactory.create(settings({ host: '127.0.0.1', port: 65536 }))).toThrow(/port number/);
    const parts = tcpServerFactory.create(settings({ url: 'tcp://0.0.0.0:65535', buf_size: 1024 }));
    expect(parts.source).toBeDefined();
    expect(parts.sink).toBeDefined();
  });

  it('is a YAML onramp type with the Tremor 0.11 keys (host, port), the `lines` preprocessor and the json-sorted codec', () => {
    const yaml = 'onramp:\n  - id: tcp\n    type: tcp\n    codec: json-sorted\n    preprocessors: [lines]\n    config:\n      host: 127.0.0.1\n      port: 9000\n';
    const { artefacts, errors } = parseArtefactFile('a.yaml', yaml);
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(artefacts.connectors[0]).toMatchObject({ kind: 'onramp', type: 'tcp', codec: 'json-sorted', config: { host: '127.0.0.1', port: 9000 } });
    const bad = parseArtefactFile('b.yaml', 'onramp:\n  - id: tcp\n    type: tcp\n    config:\n      url: 127.0.0.1:9000\n');
    expect(bad.errors.map((e) => e.message).join('\n')).toMatch(/unknown key "url"[\s\S]*missing required key "host"/);
  });
});
