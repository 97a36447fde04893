/**
 * `npm run bench -- startup [--rounds=N] [--against=DIR]`: `server_first_event_ms` alone (issue
 * 15), as bench/server-flows.ts measures it inside `npm run bench -- wal`: from spawning
 * `node bin/rill.mjs server run` (file onramp -> qos::wal -> file offramp, a one-line input) to
 * the first output byte. Start-up swings with the machine's load far more than a change moves it,
 * so `--against=DIR` (another checkout of rill, with its own `npm ci`) runs that checkout's
 * launcher in alternation with this one's (A B A B ...) and reports both medians and their spread
 * over the same period. One warm-up run of each first (the bundle cache, the page cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter } from './report.ts';
import { ServerFlows } from './server-flows.ts';
import { median, sleep, workload } from './whole-process.ts';

const THIS_RILL = fileURLToPath(new URL('../bin/rill.mjs', import.meta.url));

function option(args: string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The value at fraction `q` of the sorted values (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const rounds = Number(option(args, 'rounds') ?? 15);
  const against = option(args, 'against');
  const base = mkdtempSync(join(tmpdir(), 'rill-bench-startup-'));
  try {
    const work = workload(1);
    const launchers: { name: string; flows: ServerFlows; ms: number[] }[] = [{ name: 'server_first_event_ms', flows: new ServerFlows(base, work, THIS_RILL), ms: [] }];
    if (against !== undefined) launchers.push({ name: 'against_server_first_event_ms', flows: new ServerFlows(base, work, join(resolve(against), 'bin', 'rill.mjs')), ms: [] });
    for (const launcher of launchers) await launcher.flows.server('wal', 1);
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs right after the other's exit.
      const order = round % 2 === 0 ? launchers : [...launchers].reverse();
      for (const launcher of order) {
        launcher.ms.push((await launcher.flows.server('wal', 1)).firstEventMs);
        await sleep(50);
      }
    }
    for (const { name, ms } of launchers) {
      reporter.figure(name, median(ms), 'ms (median)');
      reporter.note(`${name}: ${rounds} rounds, p25 ${quantile(ms, 0.25).toFixed(0)}, p75 ${quantile(ms, 0.75).toFixed(0)}, min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)} ms`);
    }
    if (against !== undefined) {
      const [mine, theirs] = launchers.map((launcher) => launcher.ms);
      reporter.figure('startup_vs_against', median(mine) / median(theirs), 'ratio of medians (< 1: this checkout starts faster)');
      const differences = mine.map((ms, round) => ms - theirs[round]);
      reporter.note(`per-round difference (this - against): median ${median(differences).toFixed(0)} ms, p25 ${quantile(differences, 0.25).toFixed(0)}, p75 ${quantile(differences, 0.75).toFixed(0)}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
