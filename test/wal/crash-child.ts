/**
 * Child process of the crash test (crash.test.ts): runs the real engine pipeline
 *   in -> qos::wal (dir) -> out
 * fed by a transactional source that numbers its events, with a sink that acks every event.
 * Usage: node --import tsx test/wal/crash-child.ts WAL_DIR PENDING_FILE MAX_IN_FLIGHT
 *   PENDING_FILE: JSON array of the event numbers the source still has to get acked.
 * Prints one line per fact, each in the pipe before acting on it (writeStdoutBlocking: a SIGKILL cannot
 * drop a fact the child acted on):
 *   `A <n>`             the source received the WAL's upstream ack for event n
 *   `F <n>`             the source received a fail for event n (it will send it again)
 *   `D <epoch> <seq> <n>`  the sink received event n with delivery id (epoch, seq); it acks it after printing
 *   `DRAINED`           everything pending was acked upstream and the pipeline went idle
 * The parent kills it with SIGKILL at random points.
 */
import { readFileSync } from 'node:fs';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { compileQuery } from '../../queries/index.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { writeStdoutBlocking } from '../support/blocking-stdout.ts';

const READ_COUNT = 20;
const SOURCE_UID = 900_000;
const EVENTS_PER_TURN = 100;

function queryText(dir: string, maxInFlight: number): string {
  return `define qos::wal operator wal with
  dir = ${JSON.stringify(dir)}, read_count = ${READ_COUNT}, max_elements = 1000000, max_in_flight = ${maxInFlight}
end;
create operator wal;
select event from in into wal;
select event from wal into out;
`;
}

async function main(): Promise<void> {
  const [dir, pendingFile, maxInFlight] = process.argv.slice(2);
  const toSend: number[] = JSON.parse(readFileSync(pendingFile, 'utf8')) as number[];
  const awaitingAck = new Set(toSend);
  const pipeline = buildPipeline(compileQuery(queryText(dir, Number(maxInFlight)), 'crash.trickle'), { id: 'crash' });
  pipeline.setTransactional('in', true);

  let deliveries: Event[] = [];
  let paused = false;
  const print = writeStdoutBlocking;

  await pipeline.start({
    onOutput(_port, event) {
      deliveries.push(event);
    },
    onInsight(_port, insight: Insight) {
      if (insight.kind === 'trigger') paused = true;
      else if (insight.kind === 'restore') paused = false;
      else {
        // One insight may confirm a range of events (the WAL merges a commit's acks).
        const range = insight.id?.rangeFor(SOURCE_UID);
        for (let n = range?.min ?? 0; range !== undefined && n <= range.max; n++) {
          print(`${insight.kind === 'ack' ? 'A' : 'F'} ${n}\n`);
          if (insight.kind === 'ack') awaitingAck.delete(n);
          else toSend.push(n);
        }
      }
    },
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);

  let quietSince = Date.now();
  const step = () => {
    // Sink: print every delivery (in the pipe), then ack them.
    if (deliveries.length > 0) {
      const batch = deliveries;
      deliveries = [];
      print(
        batch
          .map((event) => {
            const wal = event.meta.wal as RecordValue;
            return `D ${wal.epoch} ${wal.seq} ${(event.data as RecordValue).n}\n`;
          })
          .join(''),
      );
      for (const event of batch) pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
      quietSince = Date.now();
    }
    // Source: the next few numbered events.
    for (let i = 0; i < EVENTS_PER_TURN && !paused && toSend.length > 0; i++) {
      const n = toSend.shift() as number;
      pipeline.send('in', {
        id: new EventId(SOURCE_UID, 0, n),
        data: { n, message: `event number ${n} `.padEnd(120, '.') },
        meta: {},
        ingestNs: nowNs(),
        transactional: true,
        opMeta: {},
      });
    }
    if (awaitingAck.size === 0 && deliveries.length === 0 && pipeline.isIdle() && Date.now() - quietSince > 300) {
      clearInterval(ticker);
      void pipeline.close().then(() => print('DRAINED\n'));
      return;
    }
    setTimeout(step, toSend.length > 0 ? 0 : 5);
  };
  step();
}

await main();
