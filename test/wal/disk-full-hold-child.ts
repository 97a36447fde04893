/**
 * Child process of disk-full-holds-source.test.ts, started under a soft file-size limit
 * (`ulimit -S -f N`): LMDB's data file cannot grow past N KiB, so its writes fail as on a full disk.
 * Runs the real engine pipeline
 *   in -> qos::wal (dir) -> out
 * between a numbering transactional source (10 KB events, obeys trigger/restore, sends a failed
 * event again after the next restore) and a sink that records every delivery.
 * Usage: node --import tsx test/wal/disk-full-hold-child.ts WAL_DIR TOTAL HOLD_MS
 *
 * 1. Fill and hold: the sink acks nothing (the store only grows) until the WAL triggers; then the
 *    disk stays full for HOLD_MS while pipeline ticks probe it. Prints
 *    `HELD {"triggers":n,"restoresWhileFull":n}` and waits for `FREED` on stdin (the parent lifts
 *    the limit of this process).
 * 2. Recover: the sink acks every delivery from now on; the source sends the rest. Once every event
 *    0..TOTAL-1 is acked upstream and the pipeline is idle, prints
 *    `DONE {"acked":[...],"delivered":[...],"triggers":n,"restores":n,"storedAfterDrain":n}` and exits 0.
 */
import { createInterface } from 'node:readline';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { compileQuery } from '../../queries/index.ts';

const SOURCE_UID = 710_000;
const PAYLOAD = 'y'.repeat(10_000);
const EVENTS_PER_TURN = 4;

function queryText(dir: string): string {
  return `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, read_count = 20, max_elements = 1000000 end;
create operator wal;
select event from in into wal;
select event from wal into out;
`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const [dir, totalText, holdText] = process.argv.slice(2);
  const total = Number(totalText);
  const pipeline = buildPipeline(compileQuery(queryText(dir), 'disk-full-hold.trickle'), { id: 'disk-full-hold' });
  pipeline.setTransactional('in', true);

  const toSend: number[] = Array.from({ length: total }, (_, n) => n);
  const acked = new Set<number>();
  const delivered = new Set<number>();
  let unacked: Event[] = [];
  let sinkAcks = false;
  let diskHeldFull = false;
  let triggers = 0;
  let restores = 0;
  let restoresWhileFull = 0;
  let paused = false;

  await pipeline.start({
    onOutput(_port, event) {
      delivered.add((event.data as { n: number }).n);
      unacked.push(event);
    },
    onInsight(_port, insight: Insight) {
      if (insight.kind === 'trigger') {
        triggers++;
        paused = true;
      } else if (insight.kind === 'restore') {
        restores++;
        if (diskHeldFull) restoresWhileFull++;
        paused = false;
      } else {
        // One insight may confirm a range of events (the WAL merges a commit's acks).
        const range = insight.id?.rangeFor(SOURCE_UID);
        for (let n = range?.min ?? 0; range !== undefined && n <= range.max; n++) {
          if (insight.kind === 'ack') acked.add(n);
          else toSend.push(n);
        }
      }
    },
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);

  let running = true;
  const step = () => {
    if (!running) return;
    if (sinkAcks && unacked.length > 0) {
      const batch = unacked;
      unacked = [];
      for (const event of batch) pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
    }
    for (let i = 0; i < EVENTS_PER_TURN && !paused && toSend.length > 0; i++) {
      const n = toSend.shift() as number;
      pipeline.send('in', { id: new EventId(SOURCE_UID, 0, n), data: { n, payload: PAYLOAD }, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} });
    }
    setTimeout(step, 1);
  };
  step();

  await waitFor(() => triggers > 0, 'the WAL to trigger on the full disk');
  diskHeldFull = true;
  await sleep(Number(holdText));
  process.stdout.write(`HELD ${JSON.stringify({ triggers, restoresWhileFull })}\n`);

  const lines = createInterface({ input: process.stdin });
  const line = await lines[Symbol.asyncIterator]().next();
  if (line.value !== 'FREED') throw new Error(`expected FREED on stdin, got ${JSON.stringify(line.value)}`);
  diskHeldFull = false;
  sinkAcks = true;

  await waitFor(() => acked.size === total && unacked.length === 0 && pipeline.isIdle(), `acks for all ${total} events`);
  running = false;
  clearInterval(ticker);
  await pipeline.close();
  lines.close();
  const store = await WalStore.openReadOnly(dir);
  const storedAfterDrain = store.storedEvents;
  await store.close();
  process.stdout.write(`DONE ${JSON.stringify({ acked: [...acked], delivered: [...delivered], triggers, restores, storedAfterDrain })}\n`);
}

await main();
