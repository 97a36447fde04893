/**
 * `npm run bench -- peers [--json]`: rill's WAL against two durable queues doing the same job
 * (store each event durably, hand it to a consumer, delete it on the consumer's ack), in one
 * interleaved session, on the same numbered 630-byte corpus events (bench/whole-process.ts), each
 * with a bounded window. Every figure is end to end: from the first event in to the last one
 * confirmed out, and every event is checked to arrive exactly once, as sent.
 *
 * - rill, whole process (`server_wal_events_per_s`): `node bin/rill.mjs server run`, file onramp
 *   -> qos::wal -> file offramp (bench/server-flows.ts); window: the file source's max_in_flight
 *   (16384) and the WAL's read_count (1000).
 * - rill, in process (`wal_events_per_s`): in -> qos::wal -> out in the engine thread
 *   (bench/wal.ts), a source window of 20,000 events.
 * - NATS JetStream (`jetstream_events_per_s`): nats-server started here on 127.0.0.1 with a temp
 *   store dir; a work-queue stream with file storage; the publisher keeps at most WINDOW publishes
 *   awaiting their PubAck; a durable pull consumer (explicit acks) fetching up to WINDOW at a
 *   time, acking each message.
 * - Redis (`redis_events_per_s`): redis-server started here on 127.0.0.1 with `appendonly yes`,
 *   `appendfsync always`; XADD pipelined, at most WINDOW awaiting their reply; a consumer group
 *   reading with XREADGROUP COUNT WINDOW, then XACK and XDEL of each entry (pipelined).
 * Clients: the official ones (@nats-io/transport-node + @nats-io/jetstream, ioredis), in this
 * process. A server that is not installed is skipped with a note, and so are its ratios.
 * Ratios: `server_wal_vs_jetstream_ratio` and `server_wal_vs_redis_ratio`, medians of per-round
 * ratios (whole-process rill against the peer's end-to-end figure).
 * Optional args: --events=N (default 400000: rill's whole process spends its first ~100,000 events
 * warming up its JIT, bench/wal.ts says more), --rounds=N (default 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { inEngineThread } from './engine-thread.ts';
import type { Reporter } from './report.ts';
import { ServerFlows } from './server-flows.ts';
import { freePort, median, sequenceOf, ServerProcess, sleep, waitUntilQuiet, workload, type Workload } from './whole-process.ts';

/** Events a producer may have sent and not had confirmed, and a consumer may take at once. */
const WINDOW = 1000;
const SUBJECT = 'bench.events';
const STREAM = 'BENCH';
const REDIS_STREAM = 'bench:events';

const GUARANTEES = {
  rill: 'each event in an fdatasync-ed LMDB commit before it is emitted; deleted (durably) on the sink ack',
  jetstream: 'file storage, acked once written to the store file; fsync only every sync_interval (2 min by default), not per message',
  redis: 'appendonly yes, appendfsync always: fsync of the AOF before each reply',
};

function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

function argument(args: string[], name: string, fallback: number): number {
  const given = args.find((arg) => arg.startsWith(`${name}=`));
  const value = given === undefined ? fallback : Number(given.slice(name.length + 1));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${given}`);
  return value;
}

/** Checks that every event 0..count-1 came exactly once, as sent. */
class Arrivals {
  private readonly seen: Uint8Array;
  received = 0;

  constructor(
    private readonly work: Workload,
    private readonly count: number,
  ) {
    this.seen = new Uint8Array(count);
  }

  take(text: string): void {
    const seq = sequenceOf(text);
    if (!(seq >= 0 && seq < this.count) || text !== this.work.lines[seq]) throw new Error(`an event arrived altered: ${text.slice(0, 80)}`);
    if (this.seen[seq] === 1) throw new Error(`event ${seq} arrived twice`);
    this.seen[seq] = 1;
    this.received++;
  }
}

/** A peer server this bench started, stopped at the end. */
async function startServer(command: string, args: string[], dir: string, port: number): Promise<ServerProcess> {
  const server = new ServerProcess(args, dir, command);
  // Ready once it accepts connections.
  const socket = await server.connect(port);
  socket.destroy();
  return server;
}

/** Sends events 0..count-1 with `send`, at most WINDOW awaiting their confirmation; resolves once all are confirmed. */
function sendWindowed(count: number, send: (n: number) => Promise<unknown>): Promise<void> {
  let confirmed = 0;
  let sent = 0;
  return new Promise<void>((resolve, reject) => {
    const sendMore = () => {
      while (sent < count && sent - confirmed < WINDOW) {
        send(sent++).then(() => {
          confirmed++;
          if (confirmed === count) resolve();
          else sendMore();
        }, reject);
      }
    };
    sendMore();
  });
}

async function jetstreamRound(port: number, work: Workload, count: number): Promise<number> {
  const nc = await natsConnect({ servers: `127.0.0.1:${port}` });
  try {
    const manager = await jetstreamManager(nc);
    await manager.streams.delete(STREAM).catch(() => undefined);
    await manager.streams.add({ name: STREAM, subjects: [SUBJECT], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
    await manager.consumers.add(STREAM, { durable_name: 'bench', ack_policy: AckPolicy.Explicit, max_ack_pending: WINDOW * 4 });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(STREAM, 'bench');
    const arrivals = new Arrivals(work, count);
    const payloads = work.lines.slice(0, count).map((line) => Buffer.from(line));
    const started = performance.now();
    const consuming = (async () => {
      const messages = await consumer.consume({ max_messages: WINDOW });
      for await (const message of messages) {
        arrivals.take(message.string());
        message.ack();
        if (arrivals.received === count) break;
      }
      // The acks are published; a flush makes sure the server has them.
      await nc.flush();
    })();
    await sendWindowed(count, (n) => js.publish(SUBJECT, payloads[n]));
    await consuming;
    const seconds = (performance.now() - started) / 1000;
    // The server removes acked messages from a work queue asynchronously: the check waits for it.
    const deadline = Date.now() + 10_000;
    let left = (await manager.streams.info(STREAM)).state.messages;
    while (left !== 0 && Date.now() < deadline) {
      await sleep(10);
      left = (await manager.streams.info(STREAM)).state.messages;
    }
    if (left !== 0) throw new Error(`jetstream: ${left} messages still in the work queue 10 s after every ack`);
    return count / seconds;
  } finally {
    await nc.close();
  }
}

async function redisRound(port: number, work: Workload, count: number): Promise<number> {
  const producer = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  const consumer = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await producer.connect();
  await consumer.connect();
  try {
    await producer.del(REDIS_STREAM);
    await producer.xgroup('CREATE', REDIS_STREAM, 'bench', '$', 'MKSTREAM');
    const arrivals = new Arrivals(work, count);
    const started = performance.now();
    const consuming = (async () => {
      while (arrivals.received < count) {
        const reply = (await consumer.xreadgroup('GROUP', 'bench', 'reader', 'COUNT', WINDOW, 'BLOCK', 1000, 'STREAMS', REDIS_STREAM, '>')) as Array<[string, Array<[string, string[]]>]> | null;
        if (reply === null) continue;
        const entries = reply[0][1];
        const ids = entries.map(([id]) => id);
        for (const [, fields] of entries) arrivals.take(fields[1]);
        await consumer.pipeline().xack(REDIS_STREAM, 'bench', ...ids).xdel(REDIS_STREAM, ...ids).exec();
      }
    })();
    await sendWindowed(count, (n) => producer.xadd(REDIS_STREAM, '*', 'e', work.lines[n]));
    await consuming;
    const seconds = (performance.now() - started) / 1000;
    const left = await producer.xlen(REDIS_STREAM);
    if (left !== 0) throw new Error(`redis: ${left} entries left in the stream after every XACK/XDEL`);
    return count / seconds;
  } finally {
    producer.disconnect();
    consumer.disconnect();
  }
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const events = argument(args, '--events', 400_000);
  const rounds = argument(args, '--rounds', 3);
  const work = workload(events);
  const base = mkdtempSync(join(tmpdir(), 'rill-bench-peers-'));
  const servers: ServerProcess[] = [];
  try {
    reporter.note(`load average at start: ${loadavg().map((load) => load.toFixed(1)).join(' ')} (${cpus().length} cores)`);
    reporter.note(`${events} numbered corpus events of ~630 bytes; ${rounds} interleaved rounds after a warm-up; medians; window ${WINDOW} for the peers`);
    let natsPort: number | undefined;
    if (installed('nats-server')) {
      natsPort = await freePort();
      const dir = join(base, 'nats');
      mkdirSync(dir);
      servers.push(await startServer('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', dir], dir, natsPort));
    } else reporter.note('nats-server is not installed (apt-get install -y nats-server): JetStream skipped');
    let redisPort: number | undefined;
    if (installed('redis-server')) {
      redisPort = await freePort();
      const dir = join(base, 'redis');
      mkdirSync(dir);
      const redisArgs = ['--bind', '127.0.0.1', '--port', String(redisPort), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
      servers.push(await startServer('redis-server', redisArgs, dir, redisPort));
    } else reporter.note('redis-server is not installed (apt-get install -y redis-server): Redis skipped');

    const flows = new ServerFlows(base, work);
    let part = 0;
    const inProcessDir = () => join(base, `in-process-${part++}`);
    const warmUp = Math.max(1, Math.floor(events / 4));
    await flows.server('wal', warmUp);
    if (natsPort !== undefined) await jetstreamRound(natsPort, work, warmUp);
    if (redisPort !== undefined) await redisRound(redisPort, work, warmUp);
    const figures = { server: [] as number[], inProcess: [] as number[], jetstream: [] as number[], redis: [] as number[] };
    // Each measurement starts on a quiet machine (whole-process.ts, waitUntilQuiet): background
    // work a round leaves running is not charged to the next system measured. The waits are
    // printed: in the runs of 2026-12-04 every one ended after its first 200 ms window.
    const waits: number[] = [];
    const quietly = async <T>(measure: () => Promise<T>): Promise<T> => {
      waits.push(await waitUntilQuiet());
      return measure();
    };
    for (let round = 0; round < rounds; round++) {
      figures.server.push((await quietly(() => flows.server('wal', events))).eventsPerS);
      figures.inProcess.push(await quietly(() => inEngineThread<number>(new URL('./wal.ts', import.meta.url).href, 'inProcessWalEventsPerS', events, inProcessDir())));
      if (natsPort !== undefined) figures.jetstream.push(await quietly(() => jetstreamRound(natsPort, work, events)));
      if (redisPort !== undefined) figures.redis.push(await quietly(() => redisRound(redisPort, work, events)));
    }
    reporter.note(`waited for a quiet machine (under 10% busy over 200 ms) before each measurement: ${waits.map((ms) => (ms / 1000).toFixed(1)).join(' ')} s`);
    const perRound = (rates: number[]) => rates.map((rate) => Math.round(rate / 1000)).join(' ');
    reporter.note(`per round, thousand events/s: rill server ${perRound(figures.server)}; rill in process ${perRound(figures.inProcess)}; jetstream ${perRound(figures.jetstream)}; redis ${perRound(figures.redis)}`);
    reporter.note(`rill: ${GUARANTEES.rill}`);
    reporter.figure('server_wal_events_per_s', median(figures.server), 'events/s (rill server run, file -> qos::wal -> file, whole process)');
    reporter.figure('wal_events_per_s', median(figures.inProcess), 'events/s (rill in process, in -> qos::wal -> out)');
    if (natsPort !== undefined) {
      reporter.note(`jetstream: ${GUARANTEES.jetstream}`);
      reporter.figure('jetstream_events_per_s', median(figures.jetstream), `events/s (nats-server ${serverVersion('nats-server')}, work-queue stream, pull consumer acking each)`);
      reporter.figure('server_wal_vs_jetstream_ratio', median(figures.server.map((rate, round) => rate / figures.jetstream[round])), '(target >= 2)');
      reporter.figure('wal_vs_jetstream_ratio', median(figures.inProcess.map((rate, round) => rate / figures.jetstream[round])), '(in process, for context)');
    }
    if (redisPort !== undefined) {
      reporter.note(`redis: ${GUARANTEES.redis}`);
      reporter.figure('redis_events_per_s', median(figures.redis), `events/s (redis-server ${serverVersion('redis-server')}, XADD / XREADGROUP / XACK / XDEL)`);
      reporter.figure('server_wal_vs_redis_ratio', median(figures.server.map((rate, round) => rate / figures.redis[round])), '(target >= 4)');
      reporter.figure('wal_vs_redis_ratio', median(figures.inProcess.map((rate, round) => rate / figures.redis[round])), '(in process, for context)');
    }
  } finally {
    for (const server of servers) await server.stop().catch(() => server.kill());
    rmSync(base, { recursive: true, force: true });
  }
}

function serverVersion(command: string): string {
  const output = spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout;
  return /v?=?(\d+\.\d+\.\d+)/.exec(output)?.[1] ?? 'unknown version';
}
