/**
 * Child process of the disk-full test (disk-full.test.ts), started under a file-size limit
 * (`ulimit -S -f N`), so LMDB's data file cannot grow past N KiB: its writes fail with EFBIG,
 * exactly as on a full disk. Runs the real engine pipeline
 *   in -> qos::wal (dir) -> out
 * with a transactional source that sends ~2 KB events and obeys trigger/restore.
 * Usage: node --import tsx test/wal/disk-full-child.ts WAL_DIR
 *
 * 1. Fill: one event per turn, nothing acked downstream (so the store only grows), until the WAL
 *    triggers upstream; then one more event, sent regardless, which the full WAL must fail, and
 *    the sink acks what it received (deletions that a full disk may refuse too).
 *    Prints `FULL <json>` and waits for a `FREED` line on stdin (the parent raises the limit).
 * 2. Recover: pipeline ticks probe the store; after the WAL's restore, the sink acks what it
 *    received, the source re-sends the events that failed plus new ones, and everything must be
 *    acked upstream and delivered, and once all is acked downstream the store must be empty.
 *    Prints `RECOVERED <json>` and exits 0.
 * An unhandled promise rejection crashes Node 20, which the parent sees as a non-zero exit.
 */
import { createInterface } from 'node:readline';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { compileQuery } from '../../queries/index.ts';

const SOURCE_UID = 700_000;
const PAYLOAD = 'x'.repeat(2000);
const MAX_FILL_EVENTS = 20_000;
const NEW_EVENTS_AFTER_RECOVERY = 20;

function queryText(dir: string): string {
  return `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, read_count = 50, max_elements = 1000000 end;
create operator wal;
select event from in into wal;
select event from wal into out;
`;
}

function sourceEvent(n: number): Event {
  return { id: new EventId(SOURCE_UID, 0, n), data: { n, payload: PAYLOAD }, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  const pipeline = buildPipeline(compileQuery(queryText(dir), 'disk-full.trickle'), { id: 'disk-full' });
  pipeline.setTransactional('in', true);

  const acked = new Set<number>();
  const failed = new Set<number>();
  const delivered = new Set<number>();
  let toAckDownstream: Event[] = [];
  let triggers = 0;
  let restores = 0;
  let paused = false;

  await pipeline.start({
    onOutput(_port, event) {
      delivered.add((event.data as { n: number }).n);
      toAckDownstream.push(event);
    },
    onInsight(_port, insight: Insight) {
      if (insight.kind === 'trigger') {
        triggers++;
        paused = true;
      } else if (insight.kind === 'restore') {
        restores++;
        paused = false;
      } else {
        // One insight may confirm a range of events (the WAL merges a commit's acks).
        const range = insight.id?.rangeFor(SOURCE_UID);
        for (let n = range?.min ?? 0; range !== undefined && n <= range.max; n++) {
          if (insight.kind === 'ack') acked.add(n);
          else failed.add(n);
        }
      }
    },
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ackDelivered = () => {
    const acks = toAckDownstream;
    toAckDownstream = [];
    for (const event of acks) pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
  };
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);

  let next = 0;
  while (!paused && next < MAX_FILL_EVENTS) {
    pipeline.send('in', sourceEvent(next++));
    await turn();
  }
  if (!paused) throw new Error(`the WAL never triggered after ${next} events`);
  // One event sent regardless, in the turn the trigger arrived: the full WAL must fail it at once
  // (later, a tick's probe commit may already find room again, as a few freed pages suffice).
  const sentWhileFull = next++;
  pipeline.send('in', sourceEvent(sentWhileFull));
  // The sink acks what it has so far: deleting them may be refused too, and must then be retried.
  ackDelivered();
  await waitFor(() => acked.size + failed.size === next, 'an ack or fail for every event sent');
  const full = {
    sent: next,
    acked: [...acked],
    failed: [...failed],
    triggers,
    restores,
    delivered: [...delivered],
  };
  process.stdout.write(`FULL ${JSON.stringify(full)}\n`);

  const lines = createInterface({ input: process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  const line = await iterator.next();
  if (line.value !== 'FREED') throw new Error(`expected FREED on stdin, got ${JSON.stringify(line.value)}`);

  await waitFor(() => !paused, 'the restore after space was freed');
  const toResend = [...failed];
  failed.clear();
  const newEvents: number[] = [];
  for (let i = 0; i < NEW_EVENTS_AFTER_RECOVERY; i++) newEvents.push(next++);
  for (const n of [...toResend, ...newEvents]) {
    pipeline.send('in', sourceEvent(n));
    await turn();
  }
  const expected = [...toResend, ...newEvents];
  await waitFor(() => {
    ackDelivered();
    return expected.every((n) => acked.has(n) && delivered.has(n)) && toAckDownstream.length === 0 && pipeline.isIdle();
  }, 'acks and deliveries after recovery');
  clearInterval(ticker);
  await pipeline.close();
  lines.close();
  // Everything was acked downstream, so every record must be deleted, refused deletions included.
  const store = await WalStore.openReadOnly(dir);
  const storedAfterDrain = store.storedEvents;
  await store.close();
  const recovered = { resent: toResend, newEvents, acked: [...acked], delivered: [...delivered], failedAgain: [...failed], triggers, restores, storedAfterDrain };
  process.stdout.write(`RECOVERED ${JSON.stringify(recovered)}\n`);
}

await main();
