/**
 * `npm run bench -- select [--json]`: select throughput in the engine, and `rill run` against a
 * plain JSON loop, on the 100 log-style events of the corpus's `passthrough` case (~630 bytes each).
 *
 * - select_events_per_s: the seed's `select patch event of insert "hostname" => system::hostname()
 *   end from in into out` through buildPipeline's executor (send -> select -> out).
 * - where_events_per_s: a `where` filter select (about a third of the events pass).
 * - run_mb_per_s: `rill run` as a child process, a file of the events repeated to 256 MB (a few
 *   minutes of a busy service's logs; `--run-mb=N` for another size), stdout to /dev/null; wall time
 *   of the whole process, start-up included. Start-up (an empty input) is reported apart as
 *   run_startup_ms, and the rate without it as run_without_startup_mb_per_s.
 * - json_baseline_mb_per_s: JSON.parse + spread + JSON.stringify over the same lines, in this process.
 * - run_vs_json_ratio: run_mb_per_s / json_baseline_mb_per_s.
 *   The run's query is `select event from in into out`. rill parses every line; as no node changes
 *   the events, each is written as its input text (`Event.dataJson`), so this run serialises
 *   nothing, where the baseline serialises every line.
 * - run_changed_mb_per_s, run_changed_vs_json_ratio: the same with the seed's select (a patch that
 *   adds a key), so every event is a new payload and rill serialises each one, as the baseline does.
 * Engine and baseline figures are the best of several timed rounds after a warm-up round; the child
 * process timings are medians of interleaved rounds (start-up varies most with machine load).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter } from './report.ts';
import { compileQuery } from '../queries/index.ts';
import { buildPipeline } from '../engine/build-pipeline.ts';
import { EventId } from '../engine/event-id.ts';
import { parseJson } from '../queries/values/json.ts';
import type { Value } from '../queries/values/value.ts';

const REPO = join(import.meta.dirname, '..');
const CORPUS_EVENTS = join(REPO, '..', 'shared', 'trickle-corpus', 'queries', 'passthrough', 'in');
export const SEED_SELECT = 'use tremor::system;\nselect patch event of insert "hostname" => system::hostname() end from in into out;\n';
const WHERE_SELECT = 'select event from in where event.short_message == "info" into out;\n';
const PASSTHROUGH = 'select event from in into out;\n';
const ENGINE_ROUND_MS = 1000;
const ROUNDS = 3;
const DEFAULT_RUN_MB = 256;

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const runMb = runMegabytes(args);
  const lines = (await readFile(CORPUS_EVENTS, 'utf8')).split('\n').filter((line) => line.length > 0);
  const events = lines.map((line) => parseJson(line));
  const lineBytes = Buffer.byteLength(lines.join('\n')) / lines.length + 1;
  reporter.note(`${events.length} events of ${lineBytes.toFixed(0)} bytes on average (${CORPUS_EVENTS})`);

  reporter.figure('select_events_per_s', engineEventsPerSecond(SEED_SELECT, events), 'events/s');
  reporter.figure('where_events_per_s', engineEventsPerSecond(WHERE_SELECT, events), 'events/s');

  const workDir = await mkdtemp(join(tmpdir(), 'rill-bench-select-'));
  try {
    const repeats = Math.ceil((runMb * 1e6) / (lineBytes * lines.length));
    const block = Buffer.from(`${lines.join('\n')}\n`);
    const inputFile = join(workDir, 'events.jsonl');
    const emptyFile = join(workDir, 'empty.jsonl');
    const queryFile = join(workDir, 'passthrough.trickle');
    const changingQueryFile = join(workDir, 'seed-select.trickle');
    // Written block by block: one string of the whole input would need as much memory again.
    const input = await open(inputFile, 'w');
    try {
      for (let i = 0; i < repeats; i++) await input.write(block);
    } finally {
      await input.close();
    }
    await writeFile(emptyFile, '');
    await writeFile(queryFile, PASSTHROUGH);
    await writeFile(changingQueryFile, SEED_SELECT);
    const megabytes = (block.length * repeats) / 1e6;
    reporter.note(`rill run input: ${megabytes.toFixed(1)} MB, ${repeats * lines.length} lines`);

    // Interleaved, so that load from other processes hits both alike; medians, for the same reason.
    const startups: number[] = [];
    const runs: number[] = [];
    const changedRuns: number[] = [];
    await rillRunMs(queryFile, inputFile);
    for (let round = 0; round < ROUNDS; round++) {
      startups.push(await rillRunMs(queryFile, emptyFile));
      runs.push(await rillRunMs(queryFile, inputFile));
      changedRuns.push(await rillRunMs(changingQueryFile, inputFile));
    }
    const startupMs = median(startups);
    const runMs = median(runs);
    const changedRunMbPerS = megabytes / (median(changedRuns) / 1000);
    const runMbPerS = megabytes / (runMs / 1000);
    const baselineMbPerS = jsonBaselineMbPerSecond(lines, repeats, megabytes);
    reporter.figure('run_mb_per_s', runMbPerS, 'MB/s');
    reporter.figure('run_startup_ms', startupMs, 'ms');
    reporter.figure('run_without_startup_mb_per_s', megabytes / ((runMs - startupMs) / 1000), 'MB/s');
    reporter.figure('json_baseline_mb_per_s', baselineMbPerS, 'MB/s');
    reporter.figure('run_vs_json_ratio', runMbPerS / baselineMbPerS);
    reporter.figure('run_without_startup_vs_json_ratio', megabytes / ((runMs - startupMs) / 1000) / baselineMbPerS);
    reporter.figure('run_changed_mb_per_s', changedRunMbPerS, 'MB/s (seed select: every event serialised)');
    reporter.figure('run_changed_vs_json_ratio', changedRunMbPerS / baselineMbPerS);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function runMegabytes(args: string[]): number {
  const option = args.find((arg) => arg.startsWith('--run-mb='));
  if (option === undefined) return DEFAULT_RUN_MB;
  const megabytes = Number(option.slice('--run-mb='.length));
  if (!(megabytes > 0)) throw new Error(`--run-mb must be a positive number of megabytes, got ${option}`);
  return megabytes;
}

/** Events per second through a pipeline built from `source`, best of ROUNDS after a warm-up. */
export function engineEventsPerSecond(source: string, payloads: Value[]): number {
  const pipeline = buildPipeline(compileQuery(source, 'bench.trickle'), {
    id: 'bench',
    onError: (_error, rendered) => {
      throw new Error(`the benchmark query failed at run time:\n${rendered}`);
    },
  });
  let outputs = 0;
  void pipeline.start({ onOutput: () => outputs++, onInsight() {} });
  let nextId = 0;
  const sendBatch = (count: number): void => {
    for (let i = 0; i < count; i++) {
      pipeline.send('in', {
        id: new EventId(1, 0, nextId++),
        data: payloads[i % payloads.length],
        meta: {},
        ingestNs: nextId,
        transactional: false,
        opMeta: {},
      });
    }
  };
  const timedRound = (): number => {
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < ENGINE_ROUND_MS) {
      sendBatch(10_000);
      sent += 10_000;
    }
    return sent / ((performance.now() - started) / 1000);
  };
  timedRound();
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) best = Math.max(best, timedRound());
  if (outputs === 0) throw new Error('the benchmark query produced no output');
  return best;
}

/**
 * JSON.parse + spread + JSON.stringify over the lines `rill run` gets (the corpus lines `repeats`
 * times), MB/s, best of ROUNDS after a warm-up.
 */
function jsonBaselineMbPerSecond(lines: string[], repeats: number, megabytes: number): number {
  let sink = 0;
  const round = (): number => {
    const started = performance.now();
    for (let r = 0; r < repeats; r++) {
      for (const line of lines) {
        const value = JSON.parse(line) as Record<string, unknown>;
        sink += JSON.stringify({ ...value }).length;
      }
    }
    return megabytes / ((performance.now() - started) / 1000);
  };
  round();
  let best = 0;
  for (let i = 0; i < ROUNDS; i++) best = Math.max(best, round());
  if (sink === 0) throw new Error('the baseline produced nothing');
  return best;
}

/** Wall time of `rill run QUERY --in FILE` with stdout to /dev/null. */
async function rillRunMs(queryFile: string, inputFile: string): Promise<number> {
  const devNull = await open('/dev/null', 'w');
  try {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO, 'bin', 'rill.mjs'), 'run', queryFile, '--in', inputFile], {
        stdio: ['ignore', devNull.fd, 'inherit'],
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`rill run exited with ${code}`);
    return performance.now() - started;
  } finally {
    await devNull.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
