/**
 * The troy `ws_server` and `ws_client` connectors at the connector level, against real WebSocket
 * peers on 127.0.0.1 (the `ws` package): the server echoes by `$ws_server.peer`, drops (and acks)
 * a reply whose connection has closed, and pauses its sockets while triggered; the client sends
 * and receives on one connection and reconnects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { codecs } from '../../connectors/codec.ts';
import type { ConnectorParts } from '../../connectors/connector.ts';
import { wsClientFactory } from '../../connectors/ws/ws-client.ts';
import { wsServerFactory } from '../../connectors/ws/ws-server.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';
import { event, SinkRecorder, SourceRecorder, startParts as startRecorded } from './recorders.ts';

const json = codecs.get('json')!;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startParts = (parts: ConnectorParts) => startRecorded(parts, (stop) => cleanups.push(stop));

async function peer(url: string): Promise<{ socket: WebSocket; received: string[] }> {
  const socket = new WebSocket(url);
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  cleanups.push(async () => socket.terminate());
  return { socket, received };
}

describe('ws_server', () => {
  it('each message is an event with $ws_server.peer; a reply goes back to that connection only', async () => {
    const port = await freePort();
    const server = wsServerFactory.create({ id: 'in', config: { url: `127.0.0.1:${port}` }, codec: json, warn: () => {} });
    const side = await startParts(server);
    side.source.onEmit = (e) => server.sink!.send(event(side.source.events.length - 1, { echo: e.data }, e.meta), side.sink.delivery(side.source.events.length - 1));
    const a = await peer(`ws://127.0.0.1:${port}/`);
    const b = await peer(`ws://127.0.0.1:${port}/`);
    a.socket.send('{"from":"a"}');
    b.socket.send('{"from":"b"}');
    a.socket.send('{"from":"a","n":2}');
    await waitFor(() => a.received.length === 2 && b.received.length === 1, 'the echoes');
    expect(a.received).toEqual(['{"echo":{"from":"a"}}', '{"echo":{"from":"a","n":2}}']);
    expect(b.received).toEqual(['{"echo":{"from":"b"}}']);
    const meta = side.source.events[0]!.meta as { ws_server: { tls: boolean; peer: { host: string; port: number } } };
    expect(meta.ws_server.tls).toBe(false);
    expect(meta.ws_server.peer.host).toBe('127.0.0.1');
    expect(side.sink.acks).toEqual([0, 1, 2]);
  });

  it('a reply for a closed connection is dropped and acked (never a fail a WAL would replay forever)', async () => {
    const port = await freePort();
    const server = wsServerFactory.create({ id: 'in', config: { url: `127.0.0.1:${port}` }, codec: json, warn: () => {} });
    const side = await startParts(server);
    const a = await peer(`ws://127.0.0.1:${port}/`);
    a.socket.send('1');
    await waitFor(() => side.source.events.length === 1, 'the message');
    a.socket.close();
    await sleep(200);
    server.sink!.send(event(0, 'late', side.source.events[0]!.meta), side.sink.delivery(0));
    server.sink!.send(event(1, 'nowhere'), side.sink.delivery(1));
    expect(side.sink.acks).toEqual([0, 1]);
    expect(side.sink.fails).toEqual([]);
  });

  it('a trigger holds messages back until the restore, in order, without loss', async () => {
    const port = await freePort();
    const server = wsServerFactory.create({ id: 'in', config: { url: `127.0.0.1:${port}` }, codec: json, warn: () => {} });
    const side = await startParts(server);
    const a = await peer(`ws://127.0.0.1:${port}/`);
    a.socket.send('0');
    await waitFor(() => side.source.events.length === 1, 'the first message');
    server.source!.trigger();
    for (let n = 1; n <= 50; n++) a.socket.send(String(n));
    await sleep(300);
    expect(side.source.events.length).toBe(1);
    server.source!.restore();
    await waitFor(() => side.source.events.length === 51, 'the held messages');
    expect(side.source.events.map((e) => e.data)).toEqual(Array.from({ length: 51 }, (_, n) => n));
  });
});

describe('ws_client', () => {
  it('sends each event as a frame, emits what the server sends back, and reconnects after the server restarts', async () => {
    const port = await freePort();
    const received: string[] = [];
    const startServer = () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port });
      wss.on('connection', (socket) => socket.on('message', (data) => {
        received.push(data.toString());
        socket.send(`{"got":${data.toString()}}`);
      }));
      return wss;
    };
    let wss = startServer();
    const client = wsClientFactory.create({ id: 'out', config: { url: `ws://127.0.0.1:${port}/` }, codec: json, warn: () => {} });
    const side = await startParts(client);
    await waitFor(() => client.sink!.isActive(), 'the connection');
    client.sink!.send(event(0, { n: 0 }), side.sink.delivery(0));
    await waitFor(() => side.source.events.length === 1, 'the reply');
    expect(side.source.events[0]!.data).toEqual({ got: { n: 0 } });
    expect(side.source.events[0]!.meta).toEqual({ ws_client: { url: `ws://127.0.0.1:${port}/` } });

    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await waitFor(() => side.sink.circuit.includes('trigger'), 'the trigger while the server is down');
    wss = startServer();
    cleanups.push(async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    });
    await waitFor(() => client.sink!.isActive(), 'the reconnection');
    client.sink!.send(event(1, { n: 1 }), side.sink.delivery(1));
    await waitFor(() => side.source.events.length === 2, 'the second reply');
    expect(received).toEqual(['{"n":0}', '{"n":1}']);
    expect(side.sink.acks).toEqual([0, 1]);
  });
});
