/**
 * The receiver (its own process) is killed and restarted while one engine keeps running: the ws
 * offramp reconnects over a single connection and the WAL re-sends what was not acked. Then a long
 * outage fills the WAL to `max_elements`: the metronome is paused and resumed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killAll, readConnections, readReceived, sleep, startEngine, startReceiver, waitFor, type Received } from './processes.ts';
import { writeWalSetup } from './config.ts';

type Engine = ReturnType<typeof startEngine>;
import { countDuplicates, finalSinkStats, missingIds } from './analysis.ts';

const OUTAGES = 5;
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-receiver-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Ids that went missing must have been written into a socket just before an outage: after the last id one receiver got and before the first the next one got. */
function lossesAtOutages(perReceiver: Received[][], missing: number[]): { explained: number; unexplained: number[] } {
  const windows = perReceiver.slice(0, -1).map((messages, index) => {
    const next = perReceiver[index + 1];
    return { after: Math.max(...messages.map((m) => m.id)), before: Math.min(...next.map((m) => m.id)) };
  });
  const unexplained = missing.filter((id) => !windows.some((w) => id > w.after && id < w.before));
  return { explained: missing.length - unexplained.length, unexplained };
}

/**
 * Starts a receiver, waits for 40 events, kills it with SIGKILL and starts the next, OUTAGES
 * times; after the last receiver (and `settleMs`) stops the engine cleanly. Returns the receivers'
 * message files, in order.
 */
async function restartReceivers(engine: Engine, sub: string, port: number, settleMs: number): Promise<string[]> {
  const receiverFiles: string[] = [];
  for (let instance = 0; instance <= OUTAGES; instance++) {
    const messagesFile = join(sub, `receiver-${instance}.jsonl`);
    receiverFiles.push(messagesFile);
    const receiver = await startReceiver(port, messagesFile);
    await waitFor(() => readReceived(messagesFile).length >= 40 || !engine.running, `40 events at receiver ${instance}`);
    expect(engine.running, engine.stderr).toBe(true);
    if (instance < OUTAGES) {
      await receiver.kill('SIGKILL');
      await sleep(400 + Math.random() * 400);
    } else {
      await sleep(settleMs);
      await engine.kill('SIGTERM');
      expect(engine.exitCode, engine.stderr).toBe(0);
      await receiver.kill('SIGTERM');
    }
  }
  return receiverFiles;
}

describe('receiver stopped and restarted', () => {
  it(`${OUTAGES} times: one connection per receiver, and every event not acked before an outage arrives`, async () => {
    const port = await freePort();
    const sub = join(dir, 'restarts');
    mkdirSync(sub);
    const files = writeWalSetup({ dir: sub, port, walDir: join(sub, 'wal'), intervalMs: 5, maxElements: 100_000, maxInFlight: 50, run: 1 });
    // Status only at shutdown: its acked count tells what the offramp acked on write.
    const engine = startEngine(['-f', ...files, '--status-interval', '600']);
    const receiverFiles = await restartReceivers(engine, sub, port, 0);

    const perReceiver = receiverFiles.map(readReceived);
    for (const [index, file] of receiverFiles.entries()) {
      expect(readConnections(file), `receiver ${index}`).toEqual({ total: 1, maxOpen: 1 });
    }
    const all = perReceiver.flat();
    const missing = missingIds(all.map((m) => m.id));
    const { explained, unexplained } = lossesAtOutages(perReceiver, missing);
    expect(unexplained, 'ids lost other than those written just before an outage').toEqual([]);
    // Every frame the offramp acked reached a receiver, or is one of the lost: so each lost event was acked on write.
    expect(finalSinkStats(engine.stderr).acked).toBe(all.length + missing.length);
    const duplicates = countDuplicates(all);
    console.log(
      `e2e receiver restarts: outages=${OUTAGES} events=${new Set(all.map((m) => m.id)).size} messages=${all.length} lost_acked_on_write=${explained} (${(explained / OUTAGES).toFixed(1)} per outage) duplicates=${duplicates}`,
    );
  });
});

describe('receiver stopped and restarted, with the ws offramp acking only after ack_delay_ms', () => {
  it(`${OUTAGES} times: nothing is lost, and duplicates stay within max_in_flight per outage`, async () => {
    const maxInFlight = 50;
    const port = await freePort();
    const sub = join(dir, 'ack-delay');
    mkdirSync(sub);
    const files = writeWalSetup({ dir: sub, port, walDir: join(sub, 'wal'), intervalMs: 5, maxElements: 100_000, maxInFlight, run: 1, ackDelayMs: 2000 });
    const engine = startEngine(['-f', ...files, '--status-interval', '600']);
    // Lets the last receiver catch up with everything the WAL still holds before stopping.
    const receiverFiles = await restartReceivers(engine, sub, port, 2500);

    const all = receiverFiles.map(readReceived).flat();
    const missing = missingIds(all.map((m) => m.id));
    expect(missing, 'ids lost').toEqual([]);
    const duplicates = countDuplicates(all);
    expect(duplicates).toBeLessThanOrEqual(maxInFlight * OUTAGES);
    console.log(
      `e2e receiver restarts with ack_delay_ms=2000: outages=${OUTAGES} events=${new Set(all.map((m) => m.id)).size} messages=${all.length} lost=${missing.length} duplicates=${duplicates} (bound ${maxInFlight * OUTAGES})`,
    );
  });
});

describe('receiver stopped and restarted, with the ws offramp acked by the receiver\'s replies (ack_replies)', () => {
  it(`${OUTAGES} times: nothing is lost, every acked frame was recorded, and duplicates stay within max_in_flight per outage`, async () => {
    const maxInFlight = 50;
    const port = await freePort();
    const sub = join(dir, 'ack-replies');
    mkdirSync(sub);
    const files = writeWalSetup({ dir: sub, port, walDir: join(sub, 'wal'), intervalMs: 5, maxElements: 100_000, maxInFlight, run: 1, ackReplies: true });
    // The receiver replies {"ack": N} after each message it has recorded (test/e2e/receiver.ts).
    const engine = startEngine(['-f', ...files, '--status-interval', '600']);
    // Lets the last receiver get what the WAL sends again after the last outage.
    const receiverFiles = await restartReceivers(engine, sub, port, 1000);

    const all = receiverFiles.map(readReceived).flat();
    const missing = missingIds(all.map((m) => m.id));
    expect(missing, 'ids lost').toEqual([]);
    const duplicates = countDuplicates(all);
    expect(duplicates).toBeLessThanOrEqual(maxInFlight * OUTAGES);
    // An ack needs a reply, and the receiver replies only after recording: every acked frame was recorded.
    const stats = finalSinkStats(engine.stderr);
    expect(stats.acked).toBeLessThanOrEqual(all.length);
    expect(engine.stderr, 'no reply ignored').not.toContain('ignored a reply');
    console.log(
      `e2e receiver restarts with ack_replies: outages=${OUTAGES} events=${new Set(all.map((m) => m.id)).size} messages=${all.length} lost=${missing.length} duplicates=${duplicates} (bound ${maxInFlight * OUTAGES}) acked=${stats.acked} failed=${stats.failed}`,
    );
  });
});

describe('receiver down until the WAL is full', () => {
  it('pauses the metronome (trigger) and resumes it (restore) once the receiver is back and the WAL drains; nothing stored is lost', async () => {
    const maxElements = 100;
    const port = await freePort();
    const sub = join(dir, 'full');
    mkdirSync(sub);
    const files = writeWalSetup({ dir: sub, port, walDir: join(sub, 'wal'), intervalMs: 5, maxElements, maxInFlight: 50, run: 1 });
    const engine = startEngine(['-f', ...files, '--status-interval', '0.5']);
    const before = join(sub, 'before.jsonl');
    const after = join(sub, 'after.jsonl');

    let receiver = await startReceiver(port, before);
    await waitFor(() => readReceived(before).length >= 40 || !engine.running, '40 events before the outage');
    await receiver.kill('SIGKILL');
    await waitFor(() => engine.stderr.includes('onramp/metronome/01: paused') || !engine.running, 'the metronome to be paused');
    const pausedAt = Date.now();
    // The ws sink may still ack a few frames written into the dying connection, which frees WAL
    // room and lets the metronome tick once or twice more before it is paused for good: let that
    // settle, then watch a second in which the count must not move.
    await sleep(300);
    const lastBefore = [...engine.stderr.matchAll(/onramp\/metronome\/01 emitted=(\d+)/g)].map((m) => Number(m[1])).pop();
    const watchFrom = engine.stderr.length;
    await sleep(1_000);
    // While paused nothing is produced: the metronome's count does not move.
    const emittedWhilePaused = [...(lastBefore === undefined ? [] : [lastBefore]), ...[...engine.stderr.slice(watchFrom).matchAll(/onramp\/metronome\/01 emitted=(\d+)/g)].map((m) => Number(m[1]))];
    receiver = await startReceiver(port, after);
    await waitFor(() => engine.stderr.includes('onramp/metronome/01: resumed') || !engine.running, 'the metronome to resume');
    const resumedAfterMs = Date.now() - pausedAt;
    await waitFor(() => readReceived(after).length >= maxElements + 40 || !engine.running, 'the backlog and new events');
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
    await receiver.kill('SIGTERM');

    const first = readReceived(before);
    const second = readReceived(after);
    const missing = missingIds([...first, ...second].map((m) => m.id));
    const { explained, unexplained } = lossesAtOutages([first, second], missing);
    expect(unexplained, 'ids lost other than those written just before the outage').toEqual([]);
    expect(finalSinkStats(engine.stderr).acked).toBe(first.length + second.length + missing.length);
    expect(new Set(emittedWhilePaused).size, 'metronome count while triggered').toBeLessThanOrEqual(1);
    // The pause shows in the data: consecutive ids with a long gap in ingest_ns.
    const sorted = [...new Map([...first, ...second].map((m) => [m.id, m])).values()].sort((a, b) => a.id - b.id);
    let pauseIndex = -1;
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].id === sorted[i - 1].id + 1 && sorted[i].ingest_ns - sorted[i - 1].ingest_ns > 800_000_000) pauseIndex = i;
    }
    expect(pauseIndex, 'a gap of more than 0.8 s between two consecutive metronome events').toBeGreaterThan(0);
    // Produced during the outage, before the pause: what fits in the WAL, plus what the ws sink
    // wrote into the dying connection and acked (deleted from the WAL) before it saw the close,
    // plus the few events the metronome makes between the WAL filling and the trigger reaching it.
    // The second term depends on how quickly the close is noticed, which a loaded machine stretches
    // (once 144 > 120 with a fixed allowance), so it is counted, not assumed.
    const producedInOutage = sorted[pauseIndex - 1].id - Math.max(...first.map((m) => m.id));
    expect(producedInOutage).toBeLessThanOrEqual(maxElements + explained + 20);
    expect(second.some((m) => m.id > sorted[pauseIndex].id + 10), 'new events after the restore').toBe(true);
    console.log(
      `e2e WAL full: max_elements=${maxElements} produced_during_outage_before_pause=${producedInOutage} paused_for_ms~${resumedAfterMs} lost_acked_on_write=${explained} duplicates=${countDuplicates([...first, ...second])}`,
    );
  });
});
