import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsSink, wsSinkFactory } from '../../connectors/ws-sink.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Value } from '../../queries/values/value.ts';
import { FloatValue } from '../../queries/values/value.ts';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';

/**
 * A real WebSocket server that records messages and how many connections it has open at once.
 * `reply` sends a text frame on the latest connection; `autoReply`, if set, answers every message.
 */
class Receiver {
  readonly messages: Array<{ text: string; binary: boolean }> = [];
  connections = 0;
  open = 0;
  maxOpen = 0;
  autoReply?: (receivedOnConnection: number) => string;
  private server?: WebSocketServer;
  private latest?: WebSocket;

  constructor(private readonly port: number) {}

  async start(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: this.port });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      this.connections++;
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      this.latest = socket;
      let received = 0;
      socket.on('close', () => this.open--);
      socket.on('message', (data, binary) => {
        this.messages.push({ text: data.toString(), binary });
        received++;
        if (this.autoReply) socket.send(this.autoReply(received));
      });
    });
    this.server = server;
  }

  reply(text: string): void {
    if (this.latest === undefined) throw new Error('no connection to reply on');
    this.latest.send(text);
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
  warnings: string[];
}

function startSink(sink: WsSink): Recorded {
  const recorded: Recorded = { circuit: [], acks: [], fails: [], warnings: [] };
  void sink.start({ trigger: () => recorded.circuit.push('trigger'), restore: () => recorded.circuit.push('restore'), warn: (message) => recorded.warnings.push(message) });
  return recorded;
}

function send(sink: WsSink, recorded: Recorded, n: number, data?: Value): void {
  sink.send(event(n, data), { ack: () => recorded.acks.push(n), fail: (reason) => recorded.fails.push([n, reason]) });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function sinkFor(port: number, options: { binary?: boolean; ackDelayMs?: number; ackReplies?: boolean } = {}): WsSink {
  const sink = new WsSink({
    url: `ws://127.0.0.1:${port}/`,
    binary: options.binary ?? false,
    codec: DEFAULT_CODEC,
    ackDelayMs: options.ackDelayMs,
    ackReplies: options.ackReplies,
    reconnectInitialMs: 20,
    reconnectMaxMs: 200,
  });
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
    // Only so that the sink connects; nothing reaches it.
    await startedReceiver(port);
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

  it('without ack_replies, ignores replies and acks on write as before', async () => {
    const port = await freePort();
    const receiver = await startedReceiver(port);
    let reply = 0;
    receiver.autoReply = () => ['{"ack": 0}', 'not json', '{"ack": 1000}'][reply++ % 3];
    const sink = sinkFor(port);
    const recorded = startSink(sink);
    await waitFor(() => sink.isActive(), 'connection');
    for (let n = 1; n <= 6; n++) send(sink, recorded, n);
    await waitFor(() => recorded.acks.length === 6 && receiver.messages.length === 6, 'acks and messages');
    await sleep(100); // the replies arrive meanwhile
    expect(recorded.acks).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recorded.fails).toEqual([]);
    expect(recorded.warnings).toEqual([]);
    expect(sink.isActive()).toBe(true);
  });

  describe('with ack_replies', () => {
    /** A receiver, and a connected sink with `ack_replies`. */
    async function connected(): Promise<{ receiver: Receiver; sink: WsSink; recorded: Recorded }> {
      const port = await freePort();
      const receiver = await startedReceiver(port);
      const sink = sinkFor(port, { ackReplies: true });
      const recorded = startSink(sink);
      await waitFor(() => sink.isActive() && receiver.open === 1, 'connection');
      return { receiver, sink, recorded };
    }

    /** The warnings about ignored replies (the sink also warns when a connection goes and comes back). */
    function replyWarnings(recorded: Recorded): string[] {
      return recorded.warnings.filter((warning) => warning.startsWith('ignored a reply'));
    }

    /** Stops the receiver, waits until both ends saw the close, starts it again and waits for the sink to reconnect. */
    async function reconnect(receiver: Receiver, sink: WsSink): Promise<void> {
      await receiver.stop();
      await waitFor(() => !sink.isActive() && receiver.open === 0, 'both ends to see the close');
      await receiver.start();
      await waitFor(() => sink.isActive() && receiver.open === 1, 'a reconnect');
    }

    it('acks frames only once replies cover them, in send order; a cumulative reply acks several', async () => {
      const { receiver, sink, recorded } = await connected();
      for (let n = 1; n <= 5; n++) send(sink, recorded, n);
      await waitFor(() => receiver.messages.length === 5, 'five frames');
      await sleep(100);
      expect(recorded.acks).toEqual([]); // received, but not acknowledged yet

      receiver.reply('{"ack": 1}');
      await waitFor(() => recorded.acks.length === 1, 'the first ack');
      receiver.reply('{"ack": 4}');
      await waitFor(() => recorded.acks.length === 4, 'three more acks from one reply');
      expect(recorded.acks).toEqual([1, 2, 3, 4]);
      receiver.reply('{"ack":5}');
      await waitFor(() => recorded.acks.length === 5, 'the last ack');
      expect(recorded.acks).toEqual([1, 2, 3, 4, 5]);
      expect(recorded.fails).toEqual([]);
      expect(recorded.warnings).toEqual([]);
    });

    it('ignores a reply before any frame, a malformed one and a backwards N, with one warning per connection', async () => {
      const { receiver, sink, recorded } = await connected();
      receiver.reply('{"ack": 1}'); // nothing was sent yet
      await waitFor(() => replyWarnings(recorded).length === 1, 'a warning');
      expect(replyWarnings(recorded)[0]).toMatch(/ignored a reply from ws:\/\/127\.0\.0\.1:\d+\/: \{"ack": 1\}: only 0 frames were sent/);
      receiver.reply('garbage');
      receiver.reply('{"ack": -1}');
      receiver.reply('{"ack": "2"}');
      send(sink, recorded, 1);
      send(sink, recorded, 2);
      await waitFor(() => receiver.messages.length === 2, 'two frames');
      receiver.reply('{"ack": 2}');
      await waitFor(() => recorded.acks.length === 2, 'acks after the ignored replies');
      receiver.reply('{"ack": 1}'); // backwards
      send(sink, recorded, 3);
      await waitFor(() => receiver.messages.length === 3, 'a third frame');
      receiver.reply('{"ack": 3}');
      await waitFor(() => recorded.acks.length === 3, 'the third ack');
      expect(recorded.acks).toEqual([1, 2, 3]);
      expect(replyWarnings(recorded)).toHaveLength(1); // once per connection
      expect(sink.isActive()).toBe(true);

      // A new connection warns again: a backwards N, then a non-object and a binary frame.
      await reconnect(receiver, sink);
      send(sink, recorded, 4);
      await waitFor(() => receiver.messages.length === 4, 'a frame on the second connection');
      receiver.reply('{"ack": 1}');
      await waitFor(() => recorded.acks.length === 4, 'its ack');
      receiver.reply('{"ack": 0}');
      await waitFor(() => replyWarnings(recorded).length === 2, 'a warning on the second connection');
      expect(replyWarnings(recorded)[1]).toMatch(/\{"ack": 0\}: it goes backwards \(1 already acknowledged\)/);

      await reconnect(receiver, sink);
      receiver.reply('[1, 2]');
      await waitFor(() => replyWarnings(recorded).length === 3, 'a warning on the third connection');
      expect(replyWarnings(recorded)[2]).toMatch(/"\[1, 2\]", not \{"ack": N\}/);
      expect(recorded.acks).toEqual([1, 2, 3, 4]);
      expect(recorded.fails).toEqual([]);
    });

    it('fails exactly the unacknowledged frames when the connection closes; the next connection counts from 0', async () => {
      const { receiver, sink, recorded } = await connected();
      for (let n = 1; n <= 4; n++) send(sink, recorded, n);
      await waitFor(() => receiver.messages.length === 4, 'four frames');
      receiver.reply('{"ack": 2}');
      await waitFor(() => recorded.acks.length === 2, 'two acks');
      await receiver.stop();
      await waitFor(() => recorded.fails.length === 2, 'the unacknowledged frames to fail');
      expect(recorded.fails.map(([n]) => n)).toEqual([3, 4]);
      expect(recorded.fails[0][1]).toMatch(/closed before the receiver acknowledged/);
      expect(recorded.acks).toEqual([1, 2]);

      await receiver.start();
      await waitFor(() => sink.isActive() && receiver.open === 1, 'a reconnect');
      send(sink, recorded, 5);
      send(sink, recorded, 6);
      await waitFor(() => receiver.messages.length === 6, 'two frames on the new connection');
      receiver.reply('{"ack": 1}');
      await waitFor(() => recorded.acks.length === 3, 'the first frame of the new connection acked');
      receiver.reply('{"ack": 2}');
      await waitFor(() => recorded.acks.length === 4, 'the second');
      expect(recorded.acks).toEqual([1, 2, 5, 6]);
      expect(recorded.fails.map(([n]) => n)).toEqual([3, 4]);
      expect(replyWarnings(recorded)).toEqual([]);
    });
  });

  it('validates ack_replies: a boolean, and not together with ack_delay_ms > 0', () => {
    const yaml = (config: string) => `offramp:\n  - id: ws\n    type: ws\n    config:\n      url: ws://127.0.0.1:1/\n${config}`;
    const { errors } = parseArtefactFile('ws.yaml', yaml('      ack_replies: "yes"\n'));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/ws\.yaml:\d+:\d+: offramp "ws": config: `ack_replies` must be a boolean, got "yes"/)]);
    expect(parseArtefactFile('ws.yaml', yaml('      ack_replies: true\n')).errors).toEqual([]);

    const settings = (config: Record<string, Value>) => ({ id: 'ws', config: { url: 'ws://127.0.0.1:1/', ...config }, codec: DEFAULT_CODEC, warn: () => {} });
    expect(() => wsSinkFactory.create(settings({ ack_replies: true, ack_delay_ms: 100 }))).toThrow(/`ack_replies` and `ack_delay_ms` \(100\) cannot be combined/);
    expect(wsSinkFactory.create(settings({ ack_replies: true, ack_delay_ms: 0 }))).toBeInstanceOf(WsSink);
    expect(wsSinkFactory.create(settings({ ack_replies: false, ack_delay_ms: 100 }))).toBeInstanceOf(WsSink);
  });

  it('validates the url', () => {
    const settings = (url: string) => ({ id: 'ws', config: { url }, codec: DEFAULT_CODEC, warn: () => {} });
    expect(() => wsSinkFactory.create(settings('not a url'))).toThrow(ConnectorConfigError);
    expect(() => wsSinkFactory.create(settings('http://localhost:8080/'))).toThrow(/ws:\/\//);
  });
});
