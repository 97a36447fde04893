/**
 * `unix_socket_server` and `unix_socket_client`: the tcp server and client on a Unix domain socket
 * in a temporary directory. Replies route by `$unix_socket_server.peer` (a connection number); a
 * stale socket file is removed before listening; `permissions` is applied to the socket file.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codecs } from '../../connectors/codec.ts';
import type { ConnectorParts } from '../../connectors/connector.ts';
import { unixSocketClientFactory } from '../../connectors/net/tcp-client.ts';
import { unixSocketServerFactory } from '../../connectors/net/tcp-server.ts';
import { waitFor } from '../support/waiting.ts';
import { event, SinkRecorder, SourceRecorder, startParts as startRecorded } from './recorders.ts';

const json = codecs.get('json')!;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-unix-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const startParts = (parts: ConnectorParts) => startRecorded(parts, (stop) => cleanups.push(stop));

const settings = (config: Record<string, string>) => ({ id: 'x', config, codec: json, warn: () => {} });

describe('unix_socket_server <-> unix_socket_client', () => {
  it('echoes every line back to the client that sent it, with permissions applied and a stale socket file replaced', async () => {
    const path = join(scratch(), 'echo.sock');
    // A socket file left by a server that is gone.
    const stale = createServer();
    await new Promise<void>((resolve) => stale.listen(path, resolve));
    stale.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const server = unixSocketServerFactory.create(settings({ path, permissions: '=600' }));
    const serverSide = await startParts(server);
    serverSide.source.onEmit = (e) => server.sink!.send(event(0, e.data, e.meta), serverSide.sink.delivery(0));
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const client = unixSocketClientFactory.create(settings({ path }));
    const clientSide = await startParts(client);
    await waitFor(() => client.sink!.isActive(), 'the client to connect');
    for (let n = 0; n < 3; n++) client.sink!.send(event(n, { n }), clientSide.sink.delivery(n));
    await waitFor(() => clientSide.source.events.length === 3, 'the echoes');
    expect(clientSide.source.events.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(serverSide.source.events[0]!.meta).toEqual({ unix_socket_server: { peer: 1 } });
    expect(clientSide.source.events[0]!.meta).toEqual({ unix_socket_client: { peer: path } });
  });

  it('never removes a regular file at the socket path, and refuses symbolic permissions', async () => {
    const path = join(scratch(), 'not-a-socket');
    writeFileSync(path, 'precious');
    const server = unixSocketServerFactory.create(settings({ path }));
    await expect(server.source!.start(new SourceRecorder())).rejects.toThrow(/cannot listen on .*not-a-socket: .*EADDRINUSE/);
    expect(statSync(path).isFile()).toBe(true);
    expect(() => unixSocketServerFactory.create(settings({ path, permissions: 'u+rw' }))).toThrow(/must be an octal mode such as "=600"/);
  });
});
