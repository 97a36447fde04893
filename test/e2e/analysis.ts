/**
 * What the e2e tests conclude from the receiver's messages: gaps, duplicates, losses.
 */
import type { Received } from './processes.ts';

/** Ids in 0..max that never arrived. */
export function missingIds(ids: Iterable<number>): number[] {
  const seen = new Set(ids);
  const max = Math.max(-1, ...seen);
  const missing: number[] = [];
  for (let id = 0; id <= max; id++) if (!seen.has(id)) missing.push(id);
  return missing;
}

/** Messages beyond the first copy of each (run, id). */
export function countDuplicates(messages: Received[]): number {
  return messages.length - new Set(messages.map((m) => `${m.run}:${m.id}`)).size;
}

/** The first arrival of each (run, id), in arrival order. */
export function firstArrivals(messages: Received[]): Received[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${m.run}:${m.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function emittedCounts(stderr: string): number[] {
  return [...stderr.matchAll(/onramp\/metronome\/01 emitted=(\d+)/g)].map((match) => Number(match[1]));
}

/** The `emitted=N` of the metronome in the last-but-one status line (the last may be mid-commit). */
export function emittedBeforeLastStatus(stderr: string): number | undefined {
  const counts = emittedCounts(stderr);
  return counts.length >= 2 ? counts[counts.length - 2] : undefined;
}

export function lastEmitted(stderr: string): number | undefined {
  return emittedCounts(stderr).at(-1);
}

/** Sent/acked/failed of the ws offramp in the engine's last status line (printed at shutdown). */
export function finalSinkStats(stderr: string): { sent: number; acked: number; failed: number } {
  const matches = [...stderr.matchAll(/offramp\/ws\/01 sent=(\d+) acked=(\d+) failed=(\d+)/g)];
  const last = matches.at(-1);
  if (!last) throw new Error(`no status line in:\n${stderr}`);
  return { sent: Number(last[1]), acked: Number(last[2]), failed: Number(last[3]) };
}
