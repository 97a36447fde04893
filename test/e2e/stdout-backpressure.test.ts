/**
 * `rill server run` (pipelines in the engine thread) with metronome -> qos::wal -> stdout offramp,
 * its stdout a real pipe that this test stops reading for a while: the sink must feel the full
 * pipe (trigger, the WAL holds events), deliver everything once reading resumes, and never ack a
 * line the operating system has not taken, so a SIGKILL while stdout is blocked loses nothing the
 * WAL had let go of: a second run on the same WAL directory sends it again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWalSetup } from './config.ts';
import { killAll, startEngine, waitFor, type Child } from './processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-stdout-'));
const MAX_IN_FLIGHT = 100;
/** Makes each line ~500 bytes, so MAX_IN_FLIGHT lines exceed the sink's 16 KB buffer. */
const PADDING = 'p'.repeat(420);

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The artefacts for one run (every event carries `run`, so runs can be told apart on stdout). */
function writeSetup(run: number): string[] {
  return writeWalSetup({ dir, walDir: join(dir, 'wal'), intervalMs: 1, maxElements: 1_000_000, maxInFlight: MAX_IN_FLIGHT, run, padding: PADDING });
}

interface Line {
  run: number;
  id: number;
}

/** The complete lines on stdout so far (a SIGKILL may leave half a line at the end). */
function linesOf(stdout: string): Line[] {
  const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { run, id } = JSON.parse(line) as Line;
      return { run, id };
    });
}

const STATUS = /onramp\/metronome\/01 emitted=(\d+) .*\[wal stored=(\d+) .* downstream=(\w+) .*\] \| offramp\/stdout\/01 sent=(\d+) acked=(\d+) failed=(\d+) (up|down)/g;

interface Status {
  emitted: number;
  stored: number;
  downstream: string;
  acked: number;
  failed: number;
  sink: string;
}

function statusLines(stderr: string): Status[] {
  return [...stderr.matchAll(STATUS)].map((m) => ({ emitted: +m[1], stored: +m[2], downstream: m[3], acked: +m[5], failed: +m[6], sink: m[7] }));
}

/** Resolves once the engine's stdout pipe has been read to its end. */
function stdoutClosed(engine: Child): Promise<void> {
  return new Promise((resolve) => engine.process.stdout!.on('close', () => resolve()));
}

function idsOfRun(lines: Line[], run: number): Set<number> {
  return new Set(lines.filter((line) => line.run === run).map((line) => line.id));
}

describe('stdout offramp in the engine thread, its reader stopping and going away', () => {
  it('triggers on a full pipe, delivers everything after, and a SIGKILL while blocked loses no acked line', async () => {
    const first = startEngine(['-f', ...writeSetup(1), '--status-interval', '0.5']);
    const firstClosed = stdoutClosed(first);
    await waitFor(() => linesOf(first.stdout).length >= 200 || !first.running, 'the first 200 lines');
    expect(first.running, first.stderr).toBe(true);

    // Stop reading: the pipe fills, the sink triggers and the WAL keeps what arrives.
    first.process.stdout!.pause();
    const statusesBefore = statusLines(first.stderr).length;
    await waitFor(() => {
      const blocked = statusLines(first.stderr).slice(statusesBefore);
      return blocked.filter((s) => s.sink === 'down' && s.downstream === 'triggered').length >= 2 && blocked.at(-1)!.stored > 500;
    }, "status lines with the sink down, the WAL triggered and storing");
    const whileBlocked = statusLines(first.stderr).slice(statusesBefore);
    // Nothing more is acked while nobody reads: the last two blocked status lines agree.
    expect(whileBlocked.at(-1)!.acked).toBe(whileBlocked.at(-2)!.acked);

    // Read again: every event emitted so far arrives, in order, none missing.
    const emittedWhileBlocked = whileBlocked.at(-1)!.emitted;
    first.process.stdout!.resume();
    await waitFor(() => linesOf(first.stdout).length >= emittedWhileBlocked, `${emittedWhileBlocked} lines after resuming`);
    const resumed = linesOf(first.stdout).slice(0, emittedWhileBlocked);
    expect(resumed.map((line) => line.id)).toEqual(Array.from({ length: emittedWhileBlocked }, (_, id) => id));
    await waitFor(() => statusLines(first.stderr).at(-1)!.sink === 'up', 'the sink to come back up');

    // Stop reading again, and kill the engine once the sink is blocked.
    first.process.stdout!.pause();
    const statusesBeforeKill = statusLines(first.stderr).length;
    await waitFor(
      () => statusLines(first.stderr).slice(statusesBeforeKill).filter((s) => s.sink === 'down').length >= 2,
      "the sink down again",
    );
    await first.kill('SIGKILL');
    const ackedBeforeKill = statusLines(first.stderr).at(-1)!.acked;
    const emittedBeforeKill = statusLines(first.stderr).at(-2)!.emitted;
    first.process.stdout!.resume();
    await firstClosed;
    const deliveredByFirst = linesOf(first.stdout);
    expect(statusLines(first.stderr).every((s) => s.failed === 0)).toBe(true);

    // A second run on the same WAL sends what the first did not get acked.
    const second = startEngine(['-f', ...writeSetup(2), '--status-interval', '0.5']);
    const secondClosed = stdoutClosed(second);
    await waitFor(() => idsOfRun(linesOf(second.stdout), 2).size >= 200 || !second.running, 'events of the second run');
    expect(second.running, second.stderr).toBe(true);
    await second.kill('SIGTERM');
    await secondClosed;
    expect(second.exitCode, second.stderr).toBe(0);

    const all = [...deliveredByFirst, ...linesOf(second.stdout)];
    const firstRunIds = idsOfRun(all, 1);
    // The sink acks in order, so the acked events are ids 0..acked-1: each must be on stdout.
    const ackedButMissing = Array.from({ length: ackedBeforeKill }, (_, id) => id).filter((id) => !firstRunIds.has(id));
    expect(ackedButMissing, 'acked by the stdout sink but never on stdout').toEqual([]);
    // Stronger: everything the metronome emitted half a second before the kill was stored by the WAL, so it arrives.
    const emittedButMissing = Array.from({ length: emittedBeforeKill }, (_, id) => id).filter((id) => !firstRunIds.has(id));
    expect(emittedButMissing, 'stored by the first run but never on stdout').toEqual([]);
    expect(ackedBeforeKill).toBeLessThan(emittedBeforeKill);
    console.log(
      `e2e stdout blocked: first run delivered ${deliveredByFirst.length} lines before its SIGKILL (acked=${ackedBeforeKill}, emitted=${emittedBeforeKill} half a second before); the second run re-sent ${[...firstRunIds].length - new Set(deliveredByFirst.filter((l) => l.run === 1).map((l) => l.id)).size} of the first run's events`,
    );
  });
});
