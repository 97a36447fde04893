/**
 * The engine is killed with SIGKILL and restarted 5 times while a real WebSocket receiver (its own
 * process) records what arrives. The WAL's `dir` survives the kills.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killAll, readReceived, sleep, startEngine, startReceiver, waitFor } from './processes.ts';
import { writeWalSetup } from './config.ts';
import { countDuplicates, emittedBeforeLastStatus, firstArrivals, lastEmitted, missingIds } from './analysis.ts';

const KILLS = 5;
const MAX_IN_FLIGHT = 50;
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-engine-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine killed with SIGKILL and restarted', () => {
  it(`${KILLS} times: each run's ids arrive gap-free, nothing durable is lost, duplicates stay within max_in_flight per restart`, async () => {
    const port = await freePort();
    const messagesFile = join(dir, 'received.jsonl');
    const receiver = await startReceiver(port, messagesFile);
    const emittedLongBeforeKill = new Map<number, number>();
    const emittedAtLastStatus = new Map<number, number>();

    for (let run = 1; run <= KILLS + 1; run++) {
      const files = writeWalSetup({ dir, port, walDir: join(dir, 'wal'), intervalMs: 5, maxElements: 100_000, maxInFlight: MAX_IN_FLIGHT, run });
      const engine = startEngine(['-f', ...files, '--status-interval', '0.5']);
      // Long enough for a few status lines (every 0.5 s), which tell how far the metronome got.
      await waitFor(() => readReceived(messagesFile).filter((m) => m.run === run).length >= 200 || !engine.running, `200 events of run ${run}`);
      expect(engine.running, engine.stderr).toBe(true);
      if (run <= KILLS) {
        await sleep(Math.random() * 300);
        await engine.kill('SIGKILL');
        const emitted = emittedBeforeLastStatus(engine.stderr);
        if (emitted !== undefined) emittedLongBeforeKill.set(run, emitted);
        const last = lastEmitted(engine.stderr);
        if (last !== undefined) emittedAtLastStatus.set(run, last);
      } else {
        // The last run drains what the last kill left behind, then stops cleanly.
        await engine.kill('SIGTERM');
        expect(engine.exitCode, engine.stderr).toBe(0);
      }
    }
    await receiver.kill('SIGTERM');

    const messages = readReceived(messagesFile);
    const duplicates = countDuplicates(messages);
    // Events emitted before the last status line of a killed run that never arrived: the commit in
    // progress at the kill (a lower bound on what the kill took; later events are not counted).
    let tailLost = 0;
    for (let run = 1; run <= KILLS + 1; run++) {
      const ids = messages.filter((m) => m.run === run).map((m) => m.id);
      // Gap-free from 0: the only events of a run that may be missing are its last ones, those
      // whose commit was in progress at the kill (the metronome is not transactional).
      expect(missingIds(ids), `run ${run}`).toEqual([]);
      const delivered = Math.max(...ids) + 1;
      // Everything emitted half a second before the kill was committed, so it arrived.
      const emitted = emittedLongBeforeKill.get(run);
      if (emitted !== undefined) {
        expect(delivered, `run ${run}: emitted ${emitted} at the last-but-one status line`).toBeGreaterThanOrEqual(emitted);
      }
      tailLost += Math.max(0, (emittedAtLastStatus.get(run) ?? 0) - delivered);
    }
    // Stored order: each run's replay comes before the next run's new events, ids ascending.
    const order = firstArrivals(messages).map((m) => [m.run!, m.id] as const);
    for (let i = 1; i < order.length; i++) {
      const [prevRun, prevId] = order[i - 1];
      const [run, id] = order[i];
      expect(run > prevRun || (run === prevRun && id === prevId + 1), `arrival ${i}: ${prevRun}:${prevId} then ${run}:${id}`).toBe(true);
    }
    expect(duplicates).toBeLessThanOrEqual(KILLS * MAX_IN_FLIGHT);
    expect(emittedLongBeforeKill.size, 'killed runs with two status lines to compare against').toBeGreaterThanOrEqual(3);
    console.log(
      `e2e engine SIGKILL: runs=${KILLS + 1} kills=${KILLS} events=${new Set(messages.map((m) => `${m.run}:${m.id}`)).size} messages=${messages.length} duplicates=${duplicates} (bound ${KILLS * MAX_IN_FLIGHT}) gaps=0 lost_committed=0 lost_uncommitted_tail_at_least=${tailLost}`,
    );
  });
});
