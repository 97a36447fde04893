/**
 * `npm run bench -- windows [--json]`: windowed aggregation in the engine, against the plain seed
 * select measured in the same run (bench/select.ts's engine loop, same events per round).
 *
 * - window_group_events_per_s: `define tumbling window w with size = 100 end;` and
 *   `select {count, sum, mean, hdr} from in[w] group by set(event.key)` over events with 1,000
 *   distinct keys (each group emits every 100 of its events). Target >= 1,000,000.
 * - select_events_per_s: the seed's `select patch event of insert "hostname" => … end` on the
 *   corpus's 100 log-style events (bench/select.ts).
 * - window_vs_select_ratio: the first over the second.
 *   Both are measured alternately, three times each, and the best of each is reported.
 * - groups_100k_heap_mb, heap_per_group_bytes: heap held by the same select with 100,000 groups
 *   (each having seen 10 events, so every group's window and hdr histogram is populated), over the
 *   heap before the pipeline was built; measured after a full GC.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Reporter } from './report.ts';
import { compileQuery } from '../queries/index.ts';
import { buildPipeline } from '../engine/build-pipeline.ts';
import { EventId } from '../engine/event-id.ts';
import { parseJson } from '../queries/values/json.ts';
import type { Value } from '../queries/values/value.ts';
import { engineEventsPerSecond, SEED_SELECT } from './select.ts';

const CORPUS_EVENTS = join(import.meta.dirname, '..', '..', 'shared', 'trickle-corpus', 'queries', 'passthrough', 'in');
const WINDOW_QUERY = `define tumbling window w with size = 100 end;
select {
  "key": group[0],
  "count": aggr::stats::count(),
  "sum": aggr::stats::sum(event.value),
  "mean": aggr::stats::mean(event.value),
  "latency": aggr::stats::hdr(event.value)
}
from in[w] group by set(event.key) into out;
`;
const KEYS = 1_000;
/** Each measurement (bench/select.ts: a warm-up and 3 timed rounds of 1 s) is repeated this often, alternately. */
const INTERLEAVED_ROUNDS = 3;
const HEAP_GROUPS = 100_000;
const EVENTS_PER_HEAP_GROUP = 10;

export async function run(reporter: Reporter): Promise<void> {
  const logEvents = (await readFile(CORPUS_EVENTS, 'utf8')).split('\n').filter((line) => line !== '').map((line) => parseJson(line));
  const keyed = keyedEvents(KEYS, 20_000);
  reporter.note(`window query: tumbling size 100, group by ${KEYS} keys, count/sum/mean/hdr; ${keyed.length} distinct payloads cycled`);

  // Interleaved, best of each: load from other processes then hits both alike.
  let windowRate = 0;
  let selectRate = 0;
  for (let round = 0; round < INTERLEAVED_ROUNDS; round++) {
    windowRate = Math.max(windowRate, engineEventsPerSecond(WINDOW_QUERY, keyed));
    selectRate = Math.max(selectRate, engineEventsPerSecond(SEED_SELECT, logEvents));
  }
  reporter.figure('window_group_events_per_s', windowRate, 'events/s');
  reporter.figure('select_events_per_s', selectRate, 'events/s');
  reporter.figure('window_vs_select_ratio', windowRate / selectRate);

  const heap = await heapForGroups(HEAP_GROUPS);
  reporter.figure('groups_100k_heap_mb', heap / 1e6, 'MB');
  reporter.figure('heap_per_group_bytes', heap / HEAP_GROUPS, 'bytes');
}

/** `count` payloads `{"key": "k<i % keys>", "value": <latency-like int>}`, deterministic. */
function keyedEvents(keys: number, count: number): Value[] {
  const events: Value[] = [];
  let seed = 42;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    events.push({ key: `k${i % keys}`, value: 1 + (seed % 100_000) });
  }
  return events;
}

async function heapForGroups(groups: number): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const pipeline = buildPipeline(compileQuery(WINDOW_QUERY, 'bench.trickle'), { id: 'bench-heap' });
  await pipeline.start({ onOutput() {}, onInsight() {} });
  let n = 0;
  for (let round = 0; round < EVENTS_PER_HEAP_GROUP; round++) {
    for (let g = 0; g < groups; g++) {
      n++;
      pipeline.send('in', { id: new EventId(1, 0, n), data: { key: `k${g}`, value: 1 + ((n * 7919) % 100_000) }, meta: {}, ingestNs: n, transactional: false, opMeta: {} });
    }
  }
  gc();
  const held = process.memoryUsage().heapUsed - before;
  const stats = pipeline.stats();
  const counted = Object.values(stats)[0]?.groups;
  if (counted !== groups) throw new Error(`expected ${groups} groups held, the select reports ${String(counted)}`);
  await pipeline.close();
  return held;
}
