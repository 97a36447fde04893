/**
 * Power-cut test: the crash test's child (test/wal/crash-child.ts: a numbering transactional source,
 * the real pipeline in -> qos::wal (dir) -> out, an acking sink) runs with undo-shim.c preloaded, which
 * logs every write to the WAL directory that no completed fsync/fdatasync covers. The parent kills
 * it with SIGKILL at a random moment (the cut), then throws those writes away (undo-log.ts), in a
 * third of the cuts all of them, in the others a random subset of their pages survives (torn writes),
 * and restarts it on what is left, with whatever the source still has unacked. Checks:
 * - lost = 0: every event the WAL acked upstream before a cut is delivered downstream (in some run);
 * - the store always opens after a cut: a child that exits any other way than by the cut's SIGKILL
 *   (a damaged-store refusal, a signal, an error) fails the test, and the last run drains;
 * - one epoch, and a delivery id always names the same event (sequence numbers are not reused after
 *   a cut threw away commits);
 * - duplicates: within one run no delivery id repeats; after a cut, the repeats are at most
 *   max_in_flight (events emitted and not yet durably acked at the cut).
 * A second case shows the harness can fail: with fdatasync switched off (the test-only
 * RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS), the same cuts must lose acked events.
 *
 * RILL_POWER_CUTS sets the number of cuts (default 20; `npm run test:power-cut:nightly` runs 200),
 * 20 per store (stores one after the other),
 * RILL_POWER_CUT_SEED the seed of the torn-page choices and cut moments (printed in the summary).
 */
import { spawn } from 'node:child_process';
import { realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { temporaryDirectory } from '../wal/harness.ts';
import { buildShim } from './build-shim.ts';
import { applyPowerCut, readUndoLog, type UndoFigures } from './undo-log.ts';

const CUTS = Number(process.env.RILL_POWER_CUTS ?? 20);
/**
 * Cuts per store: more cuts run on more stores, one after the other, each with EVENTS events (the
 * child's source slows down with very long backlogs).
 */
const CUTS_PER_STORE = 20;
/**
 * Per store: enough that the source usually still has events to send at the last cut, so that the
 * cuts fall under traffic (a run gets through about 2,000 events before its cut, on average, some
 * 20,000; one store in ten ran out at 80,000).
 */
const EVENTS = 100_000;
/**
 * Cuts "at a sync call" pick the N-th sync of the run, N in 1..AT_SYNC_MAX (the first ones are the
 * start-up's; a run syncs about once per 200 events).
 */
const AT_SYNC_MAX = 20;
const CUTS_WITHOUT_SYNC = 5;
const MAX_IN_FLIGHT = 50;
const CHILD = fileURLToPath(new URL('../wal/crash-child.ts', import.meta.url));
const SEED = Number(process.env.RILL_POWER_CUT_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so that a failing run can be repeated with its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunResult {
  lines: string[];
  drained: boolean;
}

/**
 * When to cut: `atSync` = at the child's N-th fsync/fdatasync of a store file, just before it (the
 * shim kills the process: a commit's pages are written, nothing of it is durable), with a timed cut
 * as a fallback should the run have fewer syncs; `afterFirstLineMs` after the child's first output
 * (mid-traffic, wherever that falls); `afterSpawnMs` (start-up and recovery included). No moment: the
 * run must drain.
 */
type CutMoment = { atSync: number; afterFirstLineMs: number } | { afterFirstLineMs: number } | { afterSpawnMs: number } | undefined;

function runChild(walDir: string, pendingFile: string, cut: CutMoment, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, walDir, pendingFile, String(MAX_IN_FLIGHT)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, ...(cut !== undefined && 'atSync' in cut ? { RILL_POWER_CUT_AT_SYNC: String(cut.atSync) } : {}) },
    });
    let stdout = '';
    let stderr = '';
    let killer: NodeJS.Timeout | undefined;
    const cutIn = (ms: number) => (killer = setTimeout(() => child.kill('SIGKILL'), ms));
    if (cut !== undefined && 'afterSpawnMs' in cut) cutIn(cut.afterSpawnMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout === '' && cut !== undefined && 'afterFirstLineMs' in cut) cutIn(cut.afterFirstLineMs);
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(deadline);
      // A line cut by the kill is incomplete: only whole lines count.
      const lines = stdout.split('\n').slice(0, -1);
      const drained = lines.includes('DRAINED');
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`power-cut child exited with ${signal ?? code} (the store must always open): ${stderr}`));
      else if (signal === 'SIGKILL' && cut === undefined) reject(new Error(`power-cut child did not drain within 90 s: ${stderr}`));
      else resolve({ lines, drained });
    });
  });
}

interface Outcome {
  /** Stores the cuts ran on. */
  stores: number;
  lost: string[];
  ackedUpstream: number;
  delivered: number;
  deliveries: number;
  epochs: number;
  /** Facts that must not happen, collected (not asserted at once: the run without sync makes them). */
  violations: string[];
  repeatsAfterCuts: number;
  worstRepeatsAfterOneCut: number;
  sourceResends: number;
  undo: UndoFigures;
  /** Cuts that found writes no sync covered (and threw them away). */
  cutsThatUndid: number;
  /** Stores whose source had sent and got acked all its events before the last cut. */
  storesOutOfEvents: number;
  seconds: number;
}

/**
 * The chance that a page of an unsynced write survives the cut of run `run` (0: every unsynced
 * write is lost).
 */
type KeepProbability = (run: number, random: () => number) => number;

/** `cuts` cuts, CUTS_PER_STORE per store, with the figures of all stores added up. */
async function powerCutRuns(shim: string, cuts: number, keepProbability: KeepProbability, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const random = seededRandom(SEED);
  const outcomes: Outcome[] = [];
  for (let done = 0; done < cuts; done += CUTS_PER_STORE) {
    outcomes.push(await oneStore(shim, Math.min(CUTS_PER_STORE, cuts - done), keepProbability, env, random, outcomes.length));
  }
  const sum = (figure: (outcome: Outcome) => number) => outcomes.reduce((total, outcome) => total + figure(outcome), 0);
  return {
    stores: outcomes.length,
    lost: outcomes.flatMap((outcome) => outcome.lost),
    ackedUpstream: sum((outcome) => outcome.ackedUpstream),
    delivered: sum((outcome) => outcome.delivered),
    deliveries: sum((outcome) => outcome.deliveries),
    epochs: sum((outcome) => outcome.epochs),
    violations: outcomes.flatMap((outcome) => outcome.violations),
    repeatsAfterCuts: sum((outcome) => outcome.repeatsAfterCuts),
    worstRepeatsAfterOneCut: Math.max(...outcomes.map((outcome) => outcome.worstRepeatsAfterOneCut)),
    sourceResends: sum((outcome) => outcome.sourceResends),
    undo: {
      unsyncedWrites: sum((outcome) => outcome.undo.unsyncedWrites),
      bytesUndone: sum((outcome) => outcome.undo.bytesUndone),
      pagesKept: sum((outcome) => outcome.undo.pagesKept),
      tornTailBytes: sum((outcome) => outcome.undo.tornTailBytes),
    },
    cutsThatUndid: sum((outcome) => outcome.cutsThatUndid),
    storesOutOfEvents: sum((outcome) => outcome.storesOutOfEvents),
    seconds: sum((outcome) => outcome.seconds),
  };
}

/** On a new store: `cuts` cut runs, then one run that drains. */
async function oneStore(shim: string, cuts: number, keepProbability: KeepProbability, env: NodeJS.ProcessEnv, random: () => number, store: number): Promise<Outcome> {
  const base = realpathSync(temporaryDirectory('rill-power-cut-'));
  const walDir = join(base, 'wal');
  const pendingFile = join(base, 'pending.json');
  const ackedUpstream = new Set<number>();
  const delivered = new Set<number>();
  const eventOfDeliveryId = new Map<string, number>();
  const epochs = new Set<string>();
  const undo: UndoFigures = { unsyncedWrites: 0, bytesUndone: 0, pagesKept: 0, tornTailBytes: 0 };
  const violations: string[] = [];
  let cutsThatUndid = 0;
  let sourceResends = 0;
  let storesOutOfEvents = 0;
  let deliveries = 0;
  let repeatsAfterCuts = 0;
  let worstRepeatsAfterOneCut = 0;
  const started = Date.now();
  try {
    // The store is created without the shim: cuts during creation are store-creation.test.ts's.
    await (await WalStore.open(walDir)).close();
    for (let run = 0; run <= cuts; run++) {
      const pending = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => !ackedUpstream.has(n));
      writeFileSync(pendingFile, JSON.stringify(pending));
      if (run === cuts - 1 && pending.length === 0) storesOutOfEvents = 1;
      const log = join(base, `undo-${run}.log`);
      // Half the cuts at a sync call, a quarter at a random time mid-traffic, a quarter from the start.
      const cut: CutMoment =
        run === cuts
          ? undefined
          : run % 4 < 2
            ? { atSync: 1 + Math.floor(random() * AT_SYNC_MAX), afterFirstLineMs: 2000 }
            : run % 4 === 2
              ? { afterFirstLineMs: Math.floor(random() * 500) }
              : { afterSpawnMs: 200 + Math.floor(random() * 1000) };
      const result = await runChild(walDir, pendingFile, cut, { LD_PRELOAD: shim, RILL_POWER_CUT_DIR: walDir, RILL_POWER_CUT_LOG: log, ...env });
      if (run === cuts) expect(result.drained, 'the final run drains').toBe(true);
      else {
        const figures = applyPowerCut(readUndoLog(log), keepProbability(run, random), random);
        if (figures.unsyncedWrites > 0) cutsThatUndid++;
        undo.unsyncedWrites += figures.unsyncedWrites;
        undo.bytesUndone += figures.bytesUndone;
        undo.pagesKept += figures.pagesKept;
        undo.tornTailBytes += figures.tornTailBytes;
      }
      rmSync(log, { force: true });

      const seenThisRun = new Set<string>();
      let repeatsThisRun = 0;
      for (const line of result.lines) {
        const [tag, ...fields] = line.split(' ');
        if (tag === 'A') {
          const n = Number(fields[0]);
          if (ackedUpstream.has(n)) violations.push(`run ${run}: event ${n} acked upstream twice`);
          ackedUpstream.add(n);
        } else if (tag === 'D') {
          const [epoch, seq, text] = fields;
          const n = Number(text);
          const deliveryId = `${epoch}/${seq}`;
          epochs.add(epoch);
          deliveries++;
          if (seenThisRun.has(deliveryId)) violations.push(`run ${run}: delivery ${deliveryId} repeated within one run (no fails happen)`);
          seenThisRun.add(deliveryId);
          const named = eventOfDeliveryId.get(deliveryId);
          if (named !== undefined && named !== n) violations.push(`run ${run}: delivery id ${deliveryId} names events ${named} and ${n}`);
          if (named !== undefined) repeatsThisRun++;
          // A new delivery id for an event delivered before: its upstream ack was lost with the cut,
          // so the source sent it again and it was stored again.
          else if (delivered.has(n)) sourceResends++;
          eventOfDeliveryId.set(deliveryId, n);
          delivered.add(n);
        }
      }
      repeatsAfterCuts += repeatsThisRun;
      worstRepeatsAfterOneCut = Math.max(worstRepeatsAfterOneCut, repeatsThisRun);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return {
    stores: 1,
    lost: [...ackedUpstream].filter((n) => !delivered.has(n)).map((n) => `store ${store} event ${n}`),
    ackedUpstream: ackedUpstream.size,
    delivered: delivered.size,
    deliveries,
    epochs: epochs.size,
    violations,
    repeatsAfterCuts,
    worstRepeatsAfterOneCut,
    sourceResends,
    undo,
    cutsThatUndid,
    storesOutOfEvents,
    seconds: (Date.now() - started) / 1000,
  };
}

function summary(label: string, cuts: number, outcome: Outcome): string {
  const { undo } = outcome;
  return (
    `${label}: ${cuts} cuts on ${outcome.stores} stores (seed ${SEED}), ${EVENTS * outcome.stores} events, ${outcome.deliveries} deliveries, lost ${outcome.lost.length}, ` +
    `redelivered after cuts ${outcome.repeatsAfterCuts} (worst ${outcome.worstRepeatsAfterOneCut} per cut, bound ${MAX_IN_FLIGHT}), ` +
    `stored twice because an upstream ack was cut ${outcome.sourceResends}, ${outcome.cutsThatUndid} cuts found unsynced writes: ${undo.unsyncedWrites} undone ` +
    `(${undo.bytesUndone} bytes, ${undo.pagesKept} torn pages kept, ${undo.tornTailBytes} bytes of torn log tail), ` +
    `${outcome.storesOutOfEvents} stores out of events before their last cut, ${outcome.seconds.toFixed(1)} s`
  );
}

describe('qos::wal under power cuts (unsynced writes thrown away)', () => {
  let shim: string;
  beforeAll(() => {
    shim = buildShim();
  });

  it(
    `loses nothing acked upstream across ${CUTS} power cuts, with and without torn writes, and bounds duplicates by max_in_flight`,
    async () => {
      // Every third cut loses all unsynced writes; the others keep each page with probability 1/2 or a random one.
      const outcome = await powerCutRuns(shim, CUTS, (run, random) => [0, 0.5, random()][run % 3], {});
      console.log(summary('wal power-cut test', CUTS, outcome));
      expect(outcome.lost).toEqual([]);
      expect(outcome.violations).toEqual([]);
      expect(outcome.ackedUpstream).toBe(EVENTS * outcome.stores);
      expect(outcome.delivered).toBe(EVENTS * outcome.stores);
      expect(outcome.epochs, 'one epoch per store').toBe(outcome.stores);
      expect(outcome.worstRepeatsAfterOneCut).toBeLessThanOrEqual(MAX_IN_FLIGHT);
      // A cut at a sync call finds that commit's pages unsynced (unless its run drained first).
      expect(outcome.cutsThatUndid, 'cuts that threw writes away').toBeGreaterThanOrEqual(Math.ceil(CUTS / 4));
    },
    20 * 60_000,
  );

  it(
    `detects the fault: with fdatasync switched off, ${CUTS_WITHOUT_SYNC} power cuts lose events acked upstream`,
    async () => {
      const outcome = await powerCutRuns(shim, CUTS_WITHOUT_SYNC, () => 0, { RILL_WAL_UNSAFE_NO_SYNC_FOR_TESTS: '1' });
      console.log(summary('wal power-cut test WITHOUT sync (must lose)', CUTS_WITHOUT_SYNC, outcome));
      expect(outcome.lost.length).toBeGreaterThan(0);
    },
    5 * 60_000,
  );
});
