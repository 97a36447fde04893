/**
 * `rill receive ws` as a real process: prints each message of a real WebSocket client on stdout,
 * replies {"ack": N} per connection, refuses a port in use with a message (exit 1), stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Child, freePort, killAll, waitFor } from '../e2e/processes.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');

function startReceive(port: number): Child {
  return new Child(spawn(process.execPath, [RILL, 'receive', 'ws', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

afterAll(killAll);

describe('rill receive ws', { timeout: 60_000 }, () => {
  it('prints every message and acks it with the count of the connection, then stops on SIGTERM', async () => {
    const port = await freePort();
    const receiver = startReceive(port);
    try {
      await waitFor(() => receiver.stderr.includes('listening') || !receiver.running, 'the receiver to listen');
      expect(receiver.running, receiver.stderr).toBe(true);
      for (const connection of [1, 2]) {
        const client = new WebSocket(`ws://127.0.0.1:${port}/`);
        const replies: string[] = [];
        client.on('message', (data) => replies.push(data.toString()));
        await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
        client.send(`{"n":${connection},"a":1}`);
        client.send(`{"n":${connection},"a":2}`);
        await waitFor(() => replies.length === 2, 'two ack replies');
        expect(replies).toEqual(['{"ack":1}', '{"ack":2}']);
        client.close();
      }
      expect(receiver.stdout).toBe('{"n":1,"a":1}\n{"n":1,"a":2}\n{"n":2,"a":1}\n{"n":2,"a":2}\n');
      await receiver.kill('SIGTERM');
      expect(receiver.exitCode).toBe(0);
    } finally {
      await receiver.kill('SIGKILL');
    }
  });

  it('refuses a port that is in use with the address and the reason, exit status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const receiver = startReceive(port);
      await receiver.exited;
      expect(receiver.exitCode).toBe(1);
      expect(receiver.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(receiver.stderr).toContain('EADDRINUSE');
      expect(receiver.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
