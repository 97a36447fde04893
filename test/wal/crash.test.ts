/**
 * Crash test: a child process (crash-child.ts) runs the real pipeline in -> qos::wal (dir) -> out
 * with a numbering transactional source and an acking sink; the parent kills it with SIGKILL at
 * random moments (at least 20 times), restarts it on the same dir with whatever the source still
 * has unacked, then lets it drain. Checks:
 * - lost = 0: every event the WAL acked upstream was delivered downstream (in some run);
 * - every event is eventually acked upstream and delivered;
 * - one epoch for the whole test (the WAL's identity survives kills);
 * - within one run no delivery id repeats (there are no fails); across a kill, the repeats are at
 *   most max_in_flight (events emitted and not yet durably acked at the kill).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './harness.ts';

const EVENTS = 20_000;
const KILLS = 20;
const CRASH_MAX_IN_FLIGHT = 50;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

interface RunResult {
  lines: string[];
  drained: boolean;
}

function runChild(walDir: string, pendingFile: string, killAfterMs: number | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, walDir, pendingFile, String(CRASH_MAX_IN_FLIGHT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(deadline);
      // A line cut by the kill is incomplete: only whole lines count.
      const lines = stdout.split('\n').slice(0, -1);
      const drained = lines.includes('DRAINED');
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`crash child exited with ${code}: ${stderr}`));
      else resolve({ lines, drained });
    });
  });
}

describe('qos::wal under SIGKILL', () => {
  it(
    `loses nothing acked upstream across ${KILLS} kills and bounds duplicates by max_in_flight`,
    async () => {
      const base = temporaryDirectory('rill-wal-crash-');
      const walDir = join(base, 'wal');
      const pendingFile = join(base, 'pending.json');
      const ackedUpstream = new Set<number>();
      const delivered = new Set<number>();
      const deliveryIdsSeen = new Set<string>();
      const epochs = new Set<string>();
      let deliveries = 0;
      let repeatsAfterKill = 0;
      let worstRepeatsAfterOneKill = 0;
      const deliveryIdsOf = new Map<number, Set<string>>();
      const started = Date.now();

      try {
        for (let run = 0; run <= KILLS; run++) {
          const pending = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => !ackedUpstream.has(n));
          writeFileSync(pendingFile, JSON.stringify(pending));
          const killAfterMs = run < KILLS ? 150 + Math.floor(Math.random() * 900) : undefined;
          const result = await runChild(walDir, pendingFile, killAfterMs);
          if (run === KILLS) expect(result.drained, 'the final run drains').toBe(true);

          const seenThisRun = new Set<string>();
          let repeatsThisRun = 0;
          for (const line of result.lines) {
            const [tag, ...fields] = line.split(' ');
            if (tag === 'A') {
              const n = Number(fields[0]);
              expect(ackedUpstream.has(n), `event ${n} acked upstream twice`).toBe(false);
              ackedUpstream.add(n);
            } else if (tag === 'D') {
              const [epoch, seq, n] = fields;
              const deliveryId = `${epoch}/${seq}`;
              epochs.add(epoch);
              deliveries++;
              delivered.add(Number(n));
              const ids = deliveryIdsOf.get(Number(n)) ?? new Set<string>();
              ids.add(deliveryId);
              deliveryIdsOf.set(Number(n), ids);
              expect(seenThisRun.has(deliveryId), `delivery ${deliveryId} repeated within one run (no fails happen)`).toBe(false);
              seenThisRun.add(deliveryId);
              if (deliveryIdsSeen.has(deliveryId)) repeatsThisRun++;
              deliveryIdsSeen.add(deliveryId);
            }
          }
          repeatsAfterKill += repeatsThisRun;
          worstRepeatsAfterOneKill = Math.max(worstRepeatsAfterOneKill, repeatsThisRun);
          expect(repeatsThisRun, `run ${run}: redeliveries after one kill`).toBeLessThanOrEqual(CRASH_MAX_IN_FLIGHT);
        }

        // An event whose upstream ack died with the process is sent again by the source and stored again.
        const sourceResends = [...deliveryIdsOf.values()].reduce((sum, ids) => sum + ids.size - 1, 0);
        const lost = [...ackedUpstream].filter((n) => !delivered.has(n));
        console.log(
          `wal crash test: ${KILLS} kills, ${EVENTS} events, ${deliveries} deliveries, lost ${lost.length}, ` +
            `redelivered after kills ${repeatsAfterKill} (worst ${worstRepeatsAfterOneKill} per kill, bound ${CRASH_MAX_IN_FLIGHT}), ` +
            `stored twice because an upstream ack died with the process ${sourceResends}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        expect(lost).toEqual([]);
        expect(ackedUpstream.size).toBe(EVENTS);
        expect(delivered.size).toBe(EVENTS);
        expect(epochs.size).toBe(1);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
    5 * 60_000,
  );
});
