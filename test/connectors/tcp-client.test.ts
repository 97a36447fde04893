import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { TcpClient, tcpClientFactory, tcpOfframpFactory } from '../../connectors/net/tcp-client.ts';
import { buildFraming } from '../../connectors/framing/processors.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { Backoff, MAX_RETRY_INTERVAL_MS, parseReconnect, type ReconnectPolicy } from '../../connectors/net/reconnect.ts';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';
import { FloatValue } from '../../queries/values/value.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';
import { event, SinkRecorder, SourceRecorder } from './recorders.ts';

/** A real TCP server on 127.0.0.1 that records what it receives and can be stopped and started again. */
class Peer {
  received = '';
  connections = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number) {}

  get lines(): string[] {
    return this.received.split('\n').filter((line) => line !== '');
  }

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('data', (data: Buffer) => (this.received += data.toString()));
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  send(text: string): void {
    for (const socket of this.sockets) socket.write(text);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FAST_RETRY: ReconnectPolicy = { kind: 'retry', intervalMs: 20, growthRate: 2, randomized: false, maxIntervalMs: 200 };

async function peer(port?: number): Promise<Peer> {
  const started = new Peer(port ?? (await freePort()));
  await started.start();
  cleanups.push(() => started.stop());
  return started;
}

function clientTo(port: number, reconnect: ReconnectPolicy = FAST_RETRY): { client: TcpClient; sink: SinkRecorder; source: SourceRecorder } {
  const client = new TcpClient({ address: { host: '127.0.0.1', port }, codec: DEFAULT_CODEC, framing: buildFraming(undefined, undefined, ['lines']), noDelay: true, reconnect, readReplies: true });
  const sink = new SinkRecorder();
  const source = new SourceRecorder();
  cleanups.push(async () => {
    await client.source.stop();
    await client.sink.stop();
  });
  return { client, sink, source };
}

describe('tcp_client', () => {
  it('fails events before it is connected, restores on connect, and acks each line once written', async () => {
    const port = await freePort();
    const { client, sink } = clientTo(port);
    await client.sink.start(sink);
    expect(client.sink.isActive()).toBe(false);
    client.sink.send(event(0, 'early'), sink.delivery(0));
    expect(sink.fails).toEqual([[0, `not connected to 127.0.0.1:${port}`]]);

    const server = await peer(port);
    await waitFor(() => client.sink.isActive(), 'the connection');
    expect(sink.circuit).toEqual(['restore']);
    for (let n = 1; n <= 3; n++) client.sink.send(event(n, { n, f: new FloatValue(2) }), sink.delivery(n));
    await waitFor(() => sink.acks.length === 3 && server.lines.length === 3, 'acks and lines');
    expect(sink.acks).toEqual([1, 2, 3]);
    expect(server.received).toBe('{"n":1,"f":2.0}\n{"n":2,"f":2.0}\n{"n":3,"f":2.0}\n');
  });

  it('triggers when the server goes away and reconnects (restore) after it restarts, over one socket at a time', async () => {
    const server = await peer();
    const { client, sink } = clientTo(server.port);
    await client.sink.start(sink);
    await waitFor(() => client.sink.isActive(), 'the first connection');

    for (let restart = 0; restart < 2; restart++) {
      await server.stop();
      await waitFor(() => sink.circuit.at(-1) === 'trigger', 'a trigger on disconnect');
      client.sink.send(event(100 + restart, 'while down'), sink.delivery(100 + restart));
      await sleep(150); // a few attempts fail meanwhile
      await server.start();
      await waitFor(() => client.sink.isActive(), 'a reconnect');
    }
    expect(sink.circuit).toEqual(['restore', 'trigger', 'restore', 'trigger', 'restore']);
    expect(sink.fails.map(([n]) => n)).toEqual([100, 101]);
    expect(server.connections).toBe(3);
    expect(client.connections).toBe(3);
    client.sink.send(event(7, 'after'), sink.delivery(7));
    await waitFor(() => server.lines.includes('"after"'), 'a line after reconnecting');
    expect(sink.acks).toEqual([7]);
    expect(sink.warnings.join('\n')).toMatch(/no connection to 127\.0\.0\.1:\d+ \(connection closed\); reconnecting/);
  });

  it('with reconnect = "none" (Tremor\'s default) does not retry a failed first connect', async () => {
    const port = await freePort();
    const { client, sink } = clientTo(port, { kind: 'none' });
    await client.sink.start(sink);
    await waitFor(() => sink.warnings.some((w) => w.includes('not reconnecting')), 'the give-up warning');
    const server = await peer(port);
    await sleep(300);
    expect(server.connections).toBe(0);
    client.sink.send(event(1, 'x'), sink.delivery(1));
    expect(sink.fails[0][1]).toMatch(/gave up reconnecting/);
  });

  it('gives up after max_retries failed attempts in a row', async () => {
    const port = await freePort();
    const { client, sink } = clientTo(port, { kind: 'retry', intervalMs: 10, growthRate: 1, maxRetries: 3, randomized: false, maxIntervalMs: 10 });
    await client.sink.start(sink);
    await waitFor(() => sink.warnings.some((w) => w.includes('not reconnecting')), 'the give-up warning');
    expect(sink.warnings.find((w) => w.includes('not reconnecting'))).toContain('3 retries failed, max_retries = 3');
  });

  it('its source half emits what the server sends back, with $tcp_client.peer, and trigger pauses reading', async () => {
    const server = await peer();
    const { client, sink, source } = clientTo(server.port);
    await client.sink.start(sink);
    await client.source.start(source);
    await waitFor(() => client.sink.isActive(), 'the connection');
    server.send('{"reply":1}\n{"rep');
    server.send('ly":2}\n');
    await waitFor(() => source.events.length === 2, 'two replies');
    expect(source.events.map((e) => e.data)).toEqual([{ reply: 1 }, { reply: 2 }]);
    expect(source.events[0].meta).toEqual({ tcp_client: { tls: false, peer: { host: '127.0.0.1', port: server.port } } });

    client.source.trigger();
    server.send('{"reply":3}\n');
    await sleep(200);
    expect(source.events).toHaveLength(2);
    client.source.restore();
    await waitFor(() => source.events.length === 3, 'the held reply');
  });
  it('what the server sends before the source half starts waits in the socket, not discarded', async () => {
    const server = await peer();
    const { client, sink, source } = clientTo(server.port);
    await client.sink.start(sink);
    await waitFor(() => client.sink.isActive(), 'the connection');
    server.send('"hello"\n');
    await sleep(200);
    await client.source.start(source);
    await waitFor(() => source.events.length === 1, 'the greeting');
    expect(source.events[0].data).toBe('hello');
  });
});

describe('reconnect config', () => {
  it('reads Tremor\'s retry record, defaults and errors', () => {
    expect(parseReconnect(undefined, { kind: 'none' })).toEqual({ kind: 'none' });
    expect(parseReconnect('none', FAST_RETRY)).toEqual({ kind: 'none' });
    expect(parseReconnect({ retry: { interval_ms: 100, growth_rate: 2, max_retries: 3 } }, { kind: 'none' })).toEqual({
      kind: 'retry', intervalMs: 100, growthRate: 2, maxRetries: 3, randomized: true, maxIntervalMs: MAX_RETRY_INTERVAL_MS,
    });
    expect(parseReconnect({ retry: { interval_ms: 100, growth_rate: new FloatValue(2) } }, { kind: 'none' })).toMatchObject({ growthRate: 2 });
    expect(() => parseReconnect({ retry: { interval_ms: 100, growth: 2 } }, { kind: 'none' })).toThrow('`reconnect.retry`: unknown key "growth"');
    expect(() => parseReconnect({ retry: {} }, { kind: 'none' })).toThrow(/interval_ms` is required/);
    expect(() => parseReconnect('always', { kind: 'none' })).toThrow(/must be "none" or/);
  });

  it('waits grow by growth_rate and stay bounded; a new connection starts over', () => {
    const backoff = new Backoff({ kind: 'retry', intervalMs: 100, growthRate: 2, randomized: false, maxIntervalMs: 1_000 });
    const waits = [backoff.afterLoss(), ...Array.from({ length: 6 }, () => backoff.afterFailure())];
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    backoff.connected();
    expect(backoff.afterFailure()).toBe(100);
    const randomized = new Backoff({ kind: 'retry', intervalMs: 100, growthRate: 2, randomized: true, maxIntervalMs: 1_000 });
    for (let i = 0; i < 20; i++) {
      const wait = randomized.afterFailure()!;
      expect(wait).toBeGreaterThanOrEqual(100);
      expect(wait).toBeLessThanOrEqual(1_000);
    }
    const none = new Backoff({ kind: 'none' });
    expect(none.afterLoss()).toBe(1_000);
    expect(none.afterFailure()).toBeUndefined();
  });

  it('tcp_client takes url, no_delay, buf_size and reconnect; the 0.11 tcp offramp takes host and port', () => {
    const settings = (config: Record<string, string | number | boolean>, reconnect?: string) => ({ id: 'c', config, codec: DEFAULT_CODEC, reconnect, warn: () => {} });
    expect(() => tcpClientFactory.create(settings({ url: 'localhost' }))).toThrow('Missing port for TCP client');
    expect(() => tcpClientFactory.create(settings({ url: '127.0.0.1:1' }, 'sometimes'))).toThrow(/reconnect/);
    const parts = tcpClientFactory.create(settings({ url: '127.0.0.1:65535', no_delay: false, buf_size: 1024 }));
    expect(parts.source).toBeDefined();
    expect(parts.sink).toBeDefined();
    const warnings: string[] = [];
    tcpOfframpFactory.create({ ...settings({ host: 'localhost', port: 9000, ttl: 64 }), warn: (m: string) => warnings.push(m) });
    expect(warnings).toEqual(['config: `ttl` is accepted and has no effect (Node\'s sockets are always non-blocking and keep the system\'s TTL)']);
    const { errors } = parseArtefactFile('a.yaml', 'offramp:\n  - id: tcp\n    type: tcp\n    postprocessors: [lines]\n    config:\n      host: localhost\n      port: 9000\n      is_no_delay: true\n');
    expect(errors).toEqual([]);
  });
});

describe('tcp_client writes pending when the connection breaks', () => {
  it('are failed, not acked, so a WAL upstream sends them again', async () => {
    const port = await freePort();
    let serverSocket: Socket | undefined;
    const server = createServer((socket) => {
      serverSocket = socket;
      socket.pause(); // reads nothing: the client's writes pile up
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { client, sink } = clientTo(port);
    await client.sink.start(sink);
    await waitFor(() => client.sink.isActive() && serverSocket !== undefined, 'the connection');
    const big = 'w'.repeat(256 * 1024);
    let sent = 0;
    while (!sink.circuit.includes('trigger') || sent < 200) client.sink.send(event(sent, big), sink.delivery(sent++));
    serverSocket!.destroy();
    await waitFor(() => sink.acks.length + sink.fails.length === sent, 'every write settled');
    expect(sink.fails.length).toBeGreaterThan(0);
    // What was acked went to the OS first: acks come before fails, in send order.
    expect(sink.acks).toEqual(Array.from({ length: sink.acks.length }, (_, n) => n));
  });
});
