/**
 * Tremor's `tcp` integration case at the connector level: a tcp_client and a tcp_server, each one
 * connector with both halves (built by their troy factories), the server echoing every event back
 * by its `$tcp_server.peer`, as the flow `connect /pipeline/server_side to /connector/tcp_server`
 * does. The runtime's wiring of troy plans is the lead's; this checks the halves and what they share.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tcpClientFactory } from '../../connectors/net/tcp-client.ts';
import { tcpServerFactory } from '../../connectors/net/tcp-server.ts';
import { codecs } from '../../connectors/codec.ts';
import type { ConnectorParts } from '../../connectors/connector.ts';
import { freePort, waitFor } from '../support/waiting.ts';
import { Client, event, SinkRecorder, SourceRecorder, startParts as startRecorded } from './recorders.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startParts = (parts: ConnectorParts) => startRecorded(parts, (stop) => cleanups.push(stop));

const IN_JSON = ['["snot","badger"]', '["fleek","flook"]', '{"":null,"NaN":42.0}', '"exit"'];

describe('tcp_client <-> tcp_server echo (Tremor integration case `tcp`)', () => {
  it('every line the client sends comes back to it, byte for byte with json-sorted, through one connector per side', async () => {
    const port = await freePort();
    const sorted = codecs.get('json-sorted')!;
    const server = tcpServerFactory.create({ id: 'tcp_server', config: { url: `127.0.0.1:${port}`, buf_size: 1024 }, codec: sorted, preprocessors: ['separate'], postprocessors: ['separate'], warn: () => {} });
    const serverSide = await startParts(server);
    // Echo: what the server's source emits goes to the server's sink with its metadata.
    serverSide.source.onEmit = (e) => server.sink!.send(event(0, e.data, e.meta), serverSide.sink.delivery(0));

    const client = tcpClientFactory.create({
      id: 'tcp_client',
      config: { url: `127.0.0.1:${port}`, no_delay: false, buf_size: 1024 },
      codec: sorted,
      preprocessors: ['separate'],
      postprocessors: ['separate'],
      reconnect: { retry: { interval_ms: 100, growth_rate: 2, max_retries: 3 } },
      warn: () => {},
    });
    const clientSide = await startParts(client);
    await waitFor(() => client.sink!.isActive(), 'the client to connect');
    IN_JSON.forEach((line, n) => client.sink!.send(event(n, sorted.decode(line)), clientSide.sink.delivery(n)));

    await waitFor(() => clientSide.source.events.length === IN_JSON.length, 'every echo');
    expect(clientSide.source.events.map((e) => sorted.encode({ data: e.data }))).toEqual(IN_JSON);
    expect(serverSide.source.events.map((e) => sorted.encode({ data: e.data }))).toEqual(IN_JSON);
    expect(clientSide.sink.acks).toEqual([0, 1, 2, 3]);
    expect(serverSide.sink.acks).toHaveLength(4);
  });

  it('the sink half still replies after the source half has stopped: the listener closes with the last half', async () => {
    const port = await freePort();
    const server = tcpServerFactory.create({ id: 's', config: { url: `127.0.0.1:${port}` }, codec: codecs.get('json')!, warn: () => {} });
    const { source, sink } = await startParts(server);
    const c = await Client.connect(port);
    cleanups.push(() => c.close());
    c.write('{"q":1}\n');
    await waitFor(() => source.events.length === 1, 'the request');
    await server.source!.stop();
    server.sink!.send(event(1, { a: 1 }, source.events[0].meta), sink.delivery(1));
    await waitFor(() => c.lines.length === 1, 'the late reply');
    expect(c.lines).toEqual(['{"a":1}']);
    await server.sink!.stop();
    await waitFor(() => c.closed, 'the connection to close with the last half');
    await expect(Client.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
