/**
 * Child process of the crash test (crash.test.ts): runs the real engine pipeline
 *   in -> qos::wal (dir) -> out
 * fed by a transactional source that numbers its events, with a sink that acks every event.
 * Usage: node --import tsx test/wal/crash-child.ts WAL_DIR PENDING_FILE MAX_IN_FLIGHT
 *   PENDING_FILE: JSON array of the event numbers the source still has to get acked.
 * Prints one line per fact, each written synchronously (stdout is a pipe) before acting on it:
 *   `A <n>`             the source received the WAL's upstream ack for event n
 *   `F <n>`             the source received a fail for event n (it will send it again)
 *   `D <epoch> <seq> <n>`  the sink received event n with delivery id (epoch, seq); it acks it after printing
 *   `DRAINED`           everything pending was acked upstream and the pipeline went idle
 * The parent kills it with SIGKILL at random points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import type { CompiledQuery } from '../../queries/compiled-query.ts';
import type { RecordValue } from '../../queries/values/value.ts';

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

/**
 * The language helper's `compileQuery` when it exists and compiles this query; until then the
 * same query's compiled form built by hand (two passthrough selects around the operator), so the
 * engine pipeline and the WAL are the real ones either way.
 */
async function compile(dir: string, maxInFlight: number): Promise<CompiledQuery> {
  const source = queryText(dir, maxInFlight);
  const compiler = new URL('../../queries/index.ts', import.meta.url);
  if (existsSync(fileURLToPath(compiler))) {
    try {
      const { compileQuery } = (await import(compiler.href)) as { compileQuery(source: string, file: string): CompiledQuery };
      return compileQuery(source, 'crash.trickle');
    } catch (error) {
      process.stderr.write(`compileQuery failed, using the hand-built query: ${(error as Error).message}\n`);
    }
  }
  const span = { file: 'crash.trickle', line: 1, column: 1, length: 1 };
  const passthrough = (nodeId: string, from: string, into: string) => ({
    kind: 'select' as const,
    nodeId,
    from: { node: from, port: 'out', span },
    into: { node: into, port: 'in', span },
    shape: 'passthrough' as const,
    run: (event: { data: RecordValue['x'] }) => event.data,
    span,
  });
  return {
    file: 'crash.trickle',
    source,
    warnings: [],
    statements: [
      {
        kind: 'operator',
        nodeId: 'wal',
        operatorType: 'qos::wal',
        params: { dir, read_count: READ_COUNT, max_elements: 1_000_000, max_in_flight: maxInFlight },
        paramSpans: {},
        span,
      },
      passthrough('select_0', 'in', 'wal'),
      passthrough('select_1', 'wal', 'out'),
    ],
  } as CompiledQuery;
}

async function main(): Promise<void> {
  const [dir, pendingFile, maxInFlight] = process.argv.slice(2);
  const toSend: number[] = JSON.parse(readFileSync(pendingFile, 'utf8')) as number[];
  const awaitingAck = new Set(toSend);
  const pipeline = buildPipeline(await compile(dir, Number(maxInFlight)), { id: 'crash' });
  pipeline.setTransactional('in', true);

  let deliveries: Event[] = [];
  let paused = false;
  const print = (text: string) => process.stdout.write(text);

  await pipeline.start({
    onOutput(_port, event) {
      deliveries.push(event);
    },
    onInsight(_port, insight: Insight) {
      if (insight.kind === 'trigger') paused = true;
      else if (insight.kind === 'restore') paused = false;
      else {
        const n = insight.id?.eventId as number;
        print(`${insight.kind === 'ack' ? 'A' : 'F'} ${n}\n`);
        if (insight.kind === 'ack') awaitingAck.delete(n);
        else toSend.push(n);
      }
    },
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);

  let quietSince = Date.now();
  const step = () => {
    // Sink: print every delivery (synchronously), then ack them.
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
