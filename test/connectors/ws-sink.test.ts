import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WsSink, wsSinkFactory } from '../../connectors/ws-sink.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Value } from '../../queries/values/value.ts';
import { FloatValue } from '../../queries/values/value.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';

/** A real WebSocket server that records messages and how many connections it has open at once. */
class Receiver {
  readonly messages: Array<{ text: string; binary: boolean }> = [];
  connections = 0;
  open = 0;
  maxOpen = 0;
  private server?: WebSocketServer;

  constructor(private readonly port: number) {}

  async start(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: this.port });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      this.connections++;
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      socket.on('close', () => this.open--);
      socket.on('message', (data, binary) => this.messages.push({ text: data.toString(), binary }));
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
    this.server = undefined;
  }
}

function event(n: number, data: Value = { id: n }): Event {
  return { id: new EventId(1, 0, n), data, meta: {}, ingestNs: 0, transactional: true, opMeta: {} };
}

interface Recorded {
  circuit: string[];
  acks: number[];
  fails: Array<[number, string]>;
}

function startSink(sink: WsSink): Recorded {
  const recorded: Recorded = { circuit: [], acks: [], fails: [] };
  void sink.start({ trigger: () => recorded.circuit.push('trigger'), restore: () => recorded.circuit.push('restore'), warn: () => {} });
  return recorded;
}

function send(sink: WsSink, recorded: Recorded, n: number, data?: Value): void {
  sink.send(event(n, data), { ack: () => recorded.acks.push(n), fail: (reason) => recorded.fails.push([n, reason]) });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function sinkFor(port: number, options: { binary?: boolean; ackDelayMs?: number } = {}): WsSink {
  const sink = new WsSink({ url: `ws://127.0.0.1:${port}/`, binary: options.binary ?? false, codec: DEFAULT_CODEC, ackDelayMs: options.ackDelayMs, reconnectInitialMs: 20, reconnectMaxMs: 200 });
  cleanups.push(() => sink.stop());
  return sink;
}

/** A receiver listening on `port`, stopped after the test. */
async function startedReceiver(port: number): Promise<Receiver> {
  const receiver = new Receiver(port);
  cleanups.push(() => receiver.stop());
  await receiver.start();
  return receiver;
}

describe('ws offramp', () => {
  it('is inactive and fails events before the socket is up, then restores on connect and acks written frames', async () => {
    const port = await freePort();
    const sink = sinkFor(port);
    const recorded = startSink(sink);
    await sleep(100);
    expect(sink.isActive()).toBe(false);
    send(sink, recorded, 0);
    expect(recorded.fails.map(([n]) => n)).toEqual([0]);
    expect(recorded.fails[0][1]).toMatch(/no connection/);

    const receiver = await startedReceiver(port);
    await waitFor(() => sink.isActive(), 'the sink to connect');
    expect(recorded.circuit).toEqual(['restore']);
    for (let n = 1; n <= 20; n++) send(sink, recorded, n, { id: n, ratio: new FloatValue(2) });
    await waitFor(() => recorded.acks.length === 20 && receiver.messages.length === 20, 'acks and messages');
    expect(recorded.acks).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(receiver.messages[0]).toEqual({ text: '{"id":1,"ratio":2.0}', binary: false });
  });

  it('triggers as soon as the peer goes away and reconnects over a single connection', async () => {
    const port = await freePort();
    const receiver = await startedReceiver(port);
    const sink = sinkFor(port);
    const recorded = startSink(sink);
    await waitFor(() => sink.isActive(), 'the first connection');

    for (let outage = 0; outage < 3; outage++) {
      await receiver.stop();
      await waitFor(() => recorded.circuit.at(-1) === 'trigger', 'a trigger after the peer left');
      expect(sink.isActive()).toBe(false);
      await sleep(300); // several reconnect attempts fail meanwhile
      await receiver.start();
      await waitFor(() => sink.isActive(), 'a reconnect');
    }
    expect(recorded.circuit).toEqual(['restore', 'trigger', 'restore', 'trigger', 'restore', 'trigger', 'restore']);
    expect(receiver.connections).toBe(4);
    expect(receiver.maxOpen).toBe(1);
    expect(sink.connections).toBe(4);
    send(sink, recorded, 7);
    await waitFor(() => receiver.messages.length === 1, 'a message after reconnecting');
    expect(receiver.messages[0].text).toBe('{"id":7}');
  });

  it('sends binary frames when `binary` is set', async () => {
    const port = await freePort();
    const receiver = await startedReceiver(port);
    const sink = sinkFor(port, { binary: true });
    const recorded = startSink(sink);
    await waitFor(() => sink.isActive(), 'connection');
    send(sink, recorded, 1, 'hello');
    await waitFor(() => receiver.messages.length === 1, 'the frame');
    expect(receiver.messages[0]).toEqual({ text: '"hello"', binary: true });
    expect(recorded.acks).toEqual([1]);
  });

  it('fails an event it cannot encode', async () => {
    const port = await freePort();
    const receiver = await startedReceiver(port);
    const sink = sinkFor(port);
    const recorded = startSink(sink);
    await waitFor(() => sink.isActive(), 'connection');
    const cyclic: Record<string, Value> = {};
    cyclic.self = cyclic;
    send(sink, recorded, 3, cyclic);
    expect(recorded.fails.map(([n]) => n)).toEqual([3]);
    expect(recorded.fails[0][1]).toMatch(/cannot encode/);
  });

  it('with ack_delay_ms, acks a written frame only once the connection has stayed up that long, and fails it if the connection closes first', async () => {
    const port = await freePort();
    const receiver = await startedReceiver(port);
    const sink = sinkFor(port, { ackDelayMs: 300 });
    const recorded = startSink(sink);
    await waitFor(() => sink.isActive(), 'connection');

    send(sink, recorded, 1);
    await waitFor(() => receiver.messages.length === 1, 'the first frame');
    expect(recorded.acks).toEqual([]); // written and received, but the delay has not passed
    await waitFor(() => recorded.acks.length === 1, 'the delayed ack');
    expect(recorded.acks).toEqual([1]);

    send(sink, recorded, 2);
    send(sink, recorded, 3);
    await waitFor(() => receiver.messages.length === 3, 'two more frames');
    await receiver.stop();
    await waitFor(() => recorded.fails.length === 2, 'fails for the frames still within the delay');
    expect(recorded.fails.map(([n]) => n)).toEqual([2, 3]);
    expect(recorded.fails[0][1]).toMatch(/closed within 300 ms/);
    expect(recorded.acks).toEqual([1]);
  });

  it('validates ack_delay_ms', () => {
    const settings = (config: Record<string, Value>) => ({ id: 'ws', config: { url: 'ws://127.0.0.1:1/', ...config }, codec: DEFAULT_CODEC, warn: () => {} });
    expect(() => wsSinkFactory.create(settings({ ack_delay_ms: -1 }))).toThrow(/ack_delay_ms/);
    expect(wsSinkFactory.create(settings({ ack_delay_ms: 250 }))).toBeInstanceOf(WsSink);
  });

  it('validates the url', () => {
    const settings = (url: string) => ({ id: 'ws', config: { url }, codec: DEFAULT_CODEC, warn: () => {} });
    expect(() => wsSinkFactory.create(settings('not a url'))).toThrow(ConnectorConfigError);
    expect(() => wsSinkFactory.create(settings('http://localhost:8080/'))).toThrow(/ws:\/\//);
  });
});
