/**
 * The power-cut harness itself (undo-shim.c + undo-log.ts), on a child with a fixed sequence of
 * writes (writer-child.ts) that cuts its own power: what survives must be exactly what a sync covered
 * (all unsynced writes lost), exactly the last state (all kept), or, with torn writes, a mix in which
 * every page is one of the versions the file had; an undo log whose last entry is torn is read up to
 * that entry; files outside the tracked directory are not logged.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../wal/harness.ts';
import { buildShim } from './build-shim.ts';
import { applyPowerCut, readUndoLog } from './undo-log.ts';

const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url));
const PAGE = 4096;

function fill(length: number, parts: Array<[offset: number, length: number, char: string]>): Buffer {
  const bytes = Buffer.alloc(length);
  for (const [offset, count, char] of parts) bytes.fill(char, offset, Math.min(length, offset + count));
  return bytes;
}

// data.bin as it was after each call of writer-child.ts (the O_DSYNC "D" write is durable in all of them).
const D: [number, number, string] = [50, 100, 'D'];
const SYNCED = fill(10_000, [[0, 10_000, 'A'], D]);
const VERSIONS = [
  SYNCED,
  fill(10_000, [[0, 10_000, 'A'], [2_000, 5_000, 'B'], D]),
  fill(13_000, [[0, 10_000, 'A'], [2_000, 5_000, 'B'], [10_000, 3_000, 'C'], D]),
  fill(12_500, [[0, 10_000, 'A'], [2_000, 5_000, 'B'], [10_000, 3_000, 'C'], D]),
];
const LAST = VERSIONS[VERSIONS.length - 1];

describe('the power-cut harness', () => {
  let shim: string;
  let base: string;
  beforeAll(() => {
    shim = buildShim();
    base = realpathSync(temporaryDirectory('rill-power-cut-harness-'));
  });
  afterAll(() => {
    if (base !== undefined) rmSync(base, { recursive: true, force: true });
  });

  /** Runs the child in a fresh directory; returns the directory and its undo log. */
  function cutRun(name: string): { dir: string; log: string } {
    const dir = join(base, name, 'tracked');
    mkdirSync(dir, { recursive: true });
    const log = join(base, name, 'undo.log');
    const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD, dir, join(base, name, 'outside.txt')], {
      env: { ...process.env, LD_PRELOAD: shim, RILL_POWER_CUT_DIR: dir, RILL_POWER_CUT_LOG: log },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout, run.stderr).toBe('CUT\n');
    expect(run.signal).toBe('SIGKILL');
    return { dir, log };
  }

  it('keeps exactly what a sync covered when every unsynced write is lost', () => {
    const { dir, log } = cutRun('lose-all');
    expect(readFileSync(join(dir, 'data.bin'))).toEqual(LAST);
    const undoLog = readUndoLog(log);
    expect(undoLog.tornTailBytes).toBe(0);
    expect(undoLog.entries.every((entry) => entry.path.startsWith(`${dir}/`)), 'nothing outside the directory is logged').toBe(true);
    const figures = applyPowerCut(undoLog, 0, Math.random);
    expect(readFileSync(join(dir, 'data.bin'))).toEqual(SYNCED);
    expect(readFileSync(join(dir, 'other.bin'))).toEqual(Buffer.alloc(9_000, 'E'));
    // B, C, the truncation and F; the A and first E writes were synced, the D write was durable.
    expect(figures.unsyncedWrites).toBe(4);
  });

  it('changes nothing when every unsynced page survives', () => {
    const { dir, log } = cutRun('keep-all');
    applyPowerCut(readUndoLog(log), 1, Math.random);
    expect(readFileSync(join(dir, 'data.bin'))).toEqual(LAST);
    expect(readFileSync(join(dir, 'other.bin'))).toEqual(Buffer.concat([Buffer.alloc(9_000, 'E'), Buffer.alloc(100, 'F')]));
  });

  it('with torn writes, leaves every page as one of the versions it had', () => {
    const outcomes = new Set<string>();
    for (let trial = 0; trial < 6; trial++) {
      const { dir, log } = cutRun(`torn-${trial}`);
      applyPowerCut(readUndoLog(log), 0.5, Math.random);
      const result = readFileSync(join(dir, 'data.bin'));
      // Kept pages can leave the size at a page boundary between the synced and the largest size.
      expect(result.length).toBeGreaterThanOrEqual(10_000);
      expect(result.length).toBeLessThanOrEqual(13_000);
      for (let page = 0; page < result.length; page += PAGE) {
        const end = Math.min(result.length, page + PAGE);
        const seen = result.subarray(page, end);
        // A version shorter than the result reads as zeros past its end (a hole a kept later page left).
        const matches = VERSIONS.some((version) => Buffer.concat([version, Buffer.alloc(Math.max(0, result.length - version.length))]).subarray(page, end).equals(seen));
        expect(matches, `page ${page / PAGE} of trial ${trial} is no version the file had`).toBe(true);
      }
      outcomes.add(result.toString('latin1'));
    }
    expect(outcomes.size, 'different cuts tear differently').toBeGreaterThan(1);
  });

  it('reads a log whose last entry the cut tore up to that entry', () => {
    const { log } = cutRun('torn-log');
    const whole = readUndoLog(log);
    const torn = join(base, 'torn-log', 'torn.log');
    copyFileSync(log, torn);
    truncateSync(torn, readFileSync(log).length - 1);
    const read = readUndoLog(torn);
    expect(read.entries).toEqual(whole.entries.slice(0, -1));
    expect(read.tornTailBytes).toBeGreaterThan(0);
  });
});
