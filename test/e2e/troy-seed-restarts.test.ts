/**
 * Seed 000 as a user runs it: examples/recoverable-tcp/server.troy (tcp_server -> wal -> file +
 * echo) in a real `rill server run` process, fed over TCP by a client that sends numbered JSON
 * lines, SIGKILLed at random moments and restarted 5 times, then run once more to drain.
 * Checks: every event the client got echoed back is in server_out.log (the echo and the file line
 * come from the same stored event, and the WAL deletes it only once both are acked, so an echoed
 * event whose line the kill kept out of the file is written after a restart); server_out.log holds
 * each event at most 1 + kills times, and the repeats are within the WAL's in-flight bound per kill
 * (events emitted and not yet acked when the process died are emitted again).
 */
import { connect, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Child, freePort, killAll, sleep, waitFor } from './processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const KILLS = 5;
/** The wal kind's default `max_in_flight` (engine/runtime/troy-plan.ts). */
const WAL_MAX_IN_FLIGHT = 4096;
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-troy-seed-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function startServer(): Child {
  return new Child(spawn(process.execPath, [join(ROOT, 'bin', 'rill.mjs'), 'server', 'run', '-q', 'server.troy'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function connectWhenListening(port: number, server: Child): Promise<Socket> {
  for (;;) {
    if (!server.running) throw new Error(`server exited: ${server.stderr}`);
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const attempt = connect(port, '127.0.0.1');
      attempt.once('connect', () => resolve(attempt));
      attempt.once('error', () => resolve(undefined));
    });
    if (socket) return socket;
    await sleep(50);
  }
}

function loggedNumbers(): number[] {
  const file = join(dir, 'server_out.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1) // a line the kill cut short is not complete
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

describe('seed 000 server (troy, tcp_server -> wal -> file + echo) under SIGKILL', () => {
  it(`keeps every echoed event in server_out.log across ${KILLS} kills, duplicates within max_in_flight per kill`, { timeout: 180_000 }, async () => {
    const port = await freePort();
    const troy = readFileSync(join(ROOT, 'examples', 'recoverable-tcp', 'server.troy'), 'utf8').replace('127.0.0.1:12345', `127.0.0.1:${port}`);
    writeFileSync(join(dir, 'server.troy'), troy);
    const echoed = new Set<number>();
    let next = 0;
    for (let run = 0; run <= KILLS; run++) {
      const server = startServer();
      const socket = await connectWhenListening(port, server);
      let pending = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() as string;
        for (const line of lines) echoed.add((JSON.parse(line) as { n: number }).n);
      });
      socket.on('error', () => undefined);
      if (run < KILLS) {
        const killAt = Date.now() + 300 + Math.random() * 900;
        while (Date.now() < killAt && !socket.destroyed) {
          for (let i = 0; i < 20; i++) socket.write(`${JSON.stringify({ n: next++, run })}\n`);
          await sleep(5);
        }
        await server.kill('SIGKILL');
        socket.destroy();
      } else {
        // The last run: what the WAL still holds is written (echoes to the gone clients are dropped).
        let stableSince = Date.now();
        let last = -1;
        await waitFor(() => {
          const count = loggedNumbers().length;
          if (count !== last) {
            last = count;
            stableSince = Date.now();
          }
          return Date.now() - stableSince > 1_500;
        }, 'server_out.log to stop growing', 60_000);
        await server.kill('SIGTERM');
        expect(server.exitCode, server.stderr).toBe(0);
        socket.destroy();
      }
    }
    const logged = loggedNumbers();
    const counts = new Map<number, number>();
    for (const n of logged) counts.set(n, (counts.get(n) ?? 0) + 1);
    const missing = [...echoed].filter((n) => !counts.has(n));
    const duplicates = logged.length - counts.size;
    console.log(
      `e2e troy seed: kills=${KILLS} sent=${next} echoed=${echoed.size} logged_distinct=${counts.size} duplicates=${duplicates} (bound ${KILLS * WAL_MAX_IN_FLIGHT}) lost_echoed=${missing.length}`,
    );
    expect(echoed.size, 'the client got echoes').toBeGreaterThan(KILLS * 20);
    expect(missing, 'echoed but not in server_out.log').toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(KILLS * WAL_MAX_IN_FLIGHT);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(1 + KILLS);
  });
});
