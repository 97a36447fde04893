/**
 * `rill server run` with file onramp -> qos::wal -> file offramp, SIGKILLed at random moments
 * while it reads a file of numbered lines, and restarted on the same `--data-dir` until the whole
 * file has arrived. At-least-once end to end: every line arrives, and each restart repeats at most
 * the lines beyond the source's checkpoint (its `max_in_flight`) plus the WAL's events in flight
 * (the WAL's `max_in_flight`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, startEngine, waitFor } from './processes.ts';

const LINES = 30_000;
const KILLS = 6;
const SOURCE_MAX_IN_FLIGHT = 20;
const WAL_MAX_IN_FLIGHT = 20;
/** The most lines a run delivers before it is killed (chosen at random up to this). */
const KILL_QUOTA = Math.floor(LINES / (2 * (KILLS + 1)));
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-file-source-'));
const input = join(dir, 'in.jsonl');
const output = join(dir, 'out.jsonl');

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function writeArtefacts(): string[] {
  const files = {
    'gd.trickle': [
      'define qos::wal operator wal with',
      `  read_count = 20, max_elements = 1000000, max_in_flight = ${WAL_MAX_IN_FLIGHT}`,
      'end;',
      'create operator wal;',
      'select event from in into wal;',
      'select event from wal into out;',
      '',
    ].join('\n'),
    'artefacts.yaml': [
      'onramp:',
      '  - id: lines',
      '    type: file',
      '    config:',
      `      source: ${JSON.stringify(input)}`,
      `      max_in_flight: ${SOURCE_MAX_IN_FLIGHT}`,
      'offramp:',
      '  - id: out',
      '    type: file',
      '    config:',
      `      file: ${JSON.stringify(output)}`,
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/lines/{instance}/out": ["/pipeline/gd/{instance}/in"]',
      '      "/pipeline/gd/{instance}/out": ["/offramp/out/{instance}/in"]',
      'mapping:',
      '  /binding/default/01:',
      '    instance: "01"',
      '',
    ].join('\n'),
  };
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/** The line numbers in the output so far (complete lines only: a kill may leave half of one). */
function delivered(): number[] {
  if (!existsSync(output)) return [];
  const text = readFileSync(output, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

describe('file onramp -> qos::wal -> file offramp, engine SIGKILLed while reading', () => {
  it(`${KILLS} kills: every line arrives, duplicates within ${KILLS} x (source + WAL max_in_flight)`, async () => {
    writeFileSync(input, Array.from({ length: LINES }, (_, n) => `{"n":${n}}\n`).join(''));
    const files = writeArtefacts();
    const args = ['-f', ...files, '--data-dir', join(dir, 'data'), '--status-interval', '0.5'];
    const distinctAtKill: number[] = [];
    const resumedAfter: number[] = [];

    for (let run = 1; run <= KILLS + 1; run++) {
      const before = delivered().length;
      const engine = startEngine(args);
      if (run <= KILLS) {
        // Killed at a random moment, counted in lines this run delivered, not in time: a fast
        // machine read the whole file within a sleep of a few hundred ms, and the kills then hit
        // an engine that had finished (and the last run was SIGTERMed before it had started).
        // At most KILL_QUOTA a run (plus what a poll overshoots) leaves lines for the last run.
        const quota = 1 + Math.floor(Math.random() * KILL_QUOTA);
        await waitFor(() => delivered().length >= before + quota || !engine.running, `run ${run} to deliver ${quota} lines`);
        expect(engine.running, engine.stderr).toBe(true);
        await engine.kill('SIGKILL');
        distinctAtKill.push(new Set(delivered()).size);
      } else {
        await waitFor(() => new Set(delivered()).size === LINES || !engine.running, 'every line', 120_000);
        // Stopped only once it runs (and handles SIGTERM), even if it had nothing left to do.
        await waitFor(() => !engine.running || engine.stderr.includes('rill: running'), 'the last run to start', 60_000);
        await engine.kill('SIGTERM');
        expect(engine.exitCode, engine.stderr).toBe(0);
      }
      const resumed = /resuming .* after line (\d+)/.exec(engine.stderr);
      if (resumed) resumedAfter.push(Number(resumed[1]));
      expect(engine.stderr).not.toMatch(/reading it from the beginning|not usable/);
    }

    const lines = delivered();
    const distinct = new Set(lines);
    const missing = Array.from({ length: LINES }, (_, n) => n).filter((n) => !distinct.has(n));
    expect(missing.slice(0, 20), `${missing.length} lines never arrived`).toEqual([]);
    // The kills hit the engine while it was reading, not after it had finished the file.
    expect(distinctAtKill.every((count) => count < LINES), `distinct lines at each kill: ${distinctAtKill.join(', ')}`).toBe(true);
    const duplicates = lines.length - distinct.size;
    const bound = KILLS * (SOURCE_MAX_IN_FLIGHT + WAL_MAX_IN_FLIGHT);
    expect(duplicates).toBeLessThanOrEqual(bound);
    // Each restart resumed after a checkpoint, no earlier than the one before.
    expect(resumedAfter.length, 'runs that resumed from a checkpoint').toBeGreaterThanOrEqual(KILLS - 1);
    for (let i = 1; i < resumedAfter.length; i++) expect(resumedAfter[i]).toBeGreaterThanOrEqual(resumedAfter[i - 1]);
    console.log(
      `e2e file source SIGKILL: lines=${LINES} kills=${KILLS} delivered=${lines.length} duplicates=${duplicates} (bound ${bound}) missing=0 distinct_at_kills=${distinctAtKill.join(',')} resumed_after=${resumedAfter.join(',')}`,
    );
  }, 300_000);
});
