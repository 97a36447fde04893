/**
 * examples/recoverable-tcp/client.troy as a real `rill server run` process (metronome -> wal ->
 * tcp_client, ticking every 20 ms here), against a real TCP server in the test that shuts down for
 * 1.5-2.5 s, 3 times. Checks: every tick the client's WAL stored reaches the server (all of them
 * but those still stored when the client is stopped, which `rill wal inspect` counts), in order
 * (each tick's first arrival comes after the previous tick's), and duplicates only around outages.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Child, freePort, killAll, sleep, waitFor } from './processes.ts';
import { runNode } from '../support/run-node.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RILL = join(ROOT, 'bin', 'rill.mjs');
const OUTAGES = 3;
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-troy-client-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** A line server that records every tick id it receives, in arrival order. */
class TickServer {
  readonly ids: number[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly port: number) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      let pending = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() as string;
        for (const line of lines) this.ids.push((JSON.parse(line) as { id: number }).id);
      });
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /**
   * Stops listening and ends each connection the way a server that shuts down does: its FIN goes
   * out, and what the client wrote before it saw the FIN is still read. (A server that dies with
   * unread bytes in its socket resets the connection and those bytes are gone, although the
   * client's OS took them: TCP gives no application-level ack, see docs/connectors.md, tcp_client.)
   */
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.end();
    await closed;
  }
}

describe('seed 000 client (troy, metronome -> wal -> tcp_client) with the server down 3 times', () => {
  it('delivers every tick its WAL stored, in order', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const troy = readFileSync(join(ROOT, 'examples', 'recoverable-tcp', 'client.troy'), 'utf8')
      .replace('127.0.0.1:12345', `127.0.0.1:${port}`)
      .replace('nanos::from_seconds(1)', 'nanos::from_millis(20)');
    writeFileSync(join(dir, 'client.troy'), troy);
    const server = new TickServer(port);
    await server.listen();
    const client = new Child(spawn(process.execPath, [RILL, 'server', 'run', '--status-interval', '0.5', 'client.troy'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    await waitFor(() => server.ids.length >= 20 || !client.running, '20 ticks at the server');
    for (let outage = 0; outage < OUTAGES; outage++) {
      await server.close();
      await sleep(1_500 + Math.random() * 1_000);
      await server.listen();
      const before = server.ids.length;
      await waitFor(() => server.ids.length >= before + 60 || !client.running, 'the backlog and new ticks after the outage');
    }
    expect(client.running, client.stderr).toBe(true);
    await client.kill('SIGTERM');
    expect(client.exitCode, client.stderr).toBe(0);
    await server.close();

    const emitted = Number([...client.stderr.matchAll(/onramp\/ticker\/client emitted=(\d+)/g)].pop()?.[1]);
    const inspected = await runNode([RILL, 'wal', 'inspect', '--json', join(dir, 'client_state')], { cwd: dir });
    const stillStored = (JSON.parse(inspected.stdout) as { storedEvents: number }).storedEvents;
    const distinct = new Set(server.ids);
    const missing: number[] = [];
    for (let id = 0; id < emitted - stillStored; id++) if (!distinct.has(id)) missing.push(id);
    const firstArrivals = server.ids.filter((id, index) => server.ids.indexOf(id) === index);
    const duplicates = server.ids.length - distinct.size;
    console.log(`e2e troy client: outages=${OUTAGES} emitted=${emitted} received=${server.ids.length} distinct=${distinct.size} still_stored=${stillStored} missing=${missing.length} duplicates=${duplicates}`);
    expect(emitted).toBeGreaterThan(100);
    expect(missing, 'stored ticks that never reached the server').toEqual([]);
    expect(firstArrivals, 'ticks in order').toEqual([...firstArrivals].sort((a, b) => a - b));
    expect(duplicates).toBeLessThanOrEqual(OUTAGES * 4096);
  });
});
