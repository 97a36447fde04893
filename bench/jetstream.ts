/**
 * `npm run bench -- jetstream [--json]`: rill against a plain NATS client, on one local
 * nats-server (JetStream, file storage, a temporary store) that the bench starts and stops.
 *
 * Events: the corpus's ~630-byte log lines (bench/corpus.ts), cycled.
 *
 * Publishing, each round into a fresh stream:
 * - jetstream_publish_events_per_s: `rill server run` with file onramp (the events as JSON lines)
 *   -> qos::wal (read_count 1000) -> jetstream offramp (dedup on: each message carries its WAL
 *   delivery id as Nats-Msg-Id; max_in_flight 1000). Every event is fdatasync'd into the WAL
 *   before it is published and deleted from it on its PubAck.
 * - nats_client_publish_events_per_s: this process, `@nats-io/jetstream`'s publish of the same
 *   texts, each with a unique Nats-Msg-Id, at most 1000 PubAcks outstanding (the same window).
 *   The client's publish is a request per message; rill's producer publishes under one reply
 *   subscription instead (connectors/jetstream/async-publisher.ts).
 * Consuming, each round with a fresh durable on the stream the publish rounds filled:
 * - jetstream_consume_events_per_s: `rill server run` with the jetstream onramp
 *   (max_ack_pending 1000) -> passthrough -> blackhole: every message decoded as JSON, run
 *   through the pipeline and acked.
 * - nats_client_consume_events_per_s: this process pulling the way rill's consumer does (two
 *   pulls of up to 500 outstanding, at most 1000 unacked), each message parsed with JSON.parse
 *   and acked.
 * - jetstream_publish_vs_client_ratio, jetstream_consume_vs_client_ratio (target >= 0.8):
 *   medians of the per-round ratios.
 * Rates are messages over the time from the first one the server reports (stored, or acked by
 * the consumer) to the last, polled every 5 ms: rill's start-up is not in them. Rounds are
 * interleaved (rill, client), after a warm-up of each; figures are medians.
 * Optional args: --events=N (default 100000), --rounds=N (default 3). Each round starts a new rill
 * process while the client runs in this warmed-up one: at 20,000 events a round mostly measured
 * rill's JIT warm-up (consume 0.56-0.65 of the client; 0.81-0.95 at 100,000).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { NatsServer } from '../test/support/nats-server.ts';
import { corpusTexts } from './corpus.ts';
import type { Reporter } from './report.ts';
import { count } from './troy.ts';
import { median } from './whole-process.ts';

const RILL = fileURLToPath(new URL('../bin/rill.mjs', import.meta.url));
const WINDOW = 1000;
const PULL_BATCH = 500;
const POLL_MS = 5;
const STALL_MS = 30_000;

interface Bench {
  dir: string;
  server: NatsServer;
  connection: NatsConnection;
  manager: JetStreamManager;
  texts: string[];
}

/** Waits until `progress()` reaches `total`; the rate from the first progress seen to the end. */
async function rateUntil(progress: () => Promise<number>, total: number, what: string, exited: () => boolean = () => false): Promise<number> {
  let first: { at: number; done: number } | undefined;
  let last = { at: performance.now(), done: 0 };
  for (;;) {
    const done = await progress();
    const at = performance.now();
    if (done > last.done) last = { at, done };
    else if (at - last.at > STALL_MS || exited()) throw new Error(`${what}: ${exited() ? 'rill exited' : 'stuck'} at ${done} of ${total}`);
    if (first === undefined && done > 0) first = { at, done };
    if (done >= total) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // Messages that were already in at the first poll came in before its time: not counted.
  return (total - first!.done) / ((last.at - first!.at) / 1000);
}

/** Runs rill on `files` (in a folder of their own: a pipeline is named after its file) while `measure` runs; `measure` is told when rill has exited. */
async function withRill(bench: Bench, name: string, files: Record<string, string>, measure: (exited: () => boolean) => Promise<number>): Promise<number> {
  const folder = join(bench.dir, name);
  mkdirSync(folder, { recursive: true });
  const paths = Object.entries(files).map(([file, text]) => {
    const path = join(folder, file);
    writeFileSync(path, text);
    return path;
  });
  const child = spawn(process.execPath, [RILL, 'server', 'run', '-q', '-f', ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      gone = true;
      resolve();
    }),
  );
  try {
    return await measure(() => gone);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nrill stderr:\n${stderr}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const binding = (onramp: string, offramp: string, pipeline: string) =>
  `binding:\n  - id: default\n    links:\n      "/onramp/${onramp}/{instance}/out": ["/pipeline/${pipeline}/{instance}/in"]\n      "/pipeline/${pipeline}/{instance}/out": ["/offramp/${offramp}/{instance}/in"]\nmapping:\n  /binding/default/01:\n    instance: "01"\n`;

async function rillPublish(bench: Bench, stream: string, events: number): Promise<number> {
  await bench.manager.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.in`] });
  const input = join(bench.dir, `${stream}-input.jsonl`);
  writeFileSync(input, `${Array.from({ length: events }, (_, n) => bench.texts[n % bench.texts.length]).join('\n')}\n`);
  const artefacts =
    `onramp:\n  - id: lines\n    type: file\n    config: {source: ${JSON.stringify(input)}, max_in_flight: ${WINDOW}}\n` +
    `offramp:\n  - id: js\n    type: jetstream\n    config: {hosts: [${JSON.stringify(bench.server.host)}], stream: ${stream}, subject: ${stream.toLowerCase()}.in, max_in_flight: ${WINDOW}}\n` +
    binding('lines', 'js', 'gd');
  const query = `define qos::wal operator wal with dir = ${JSON.stringify(join(bench.dir, `${stream}-wal`))}, read_count = 1000, max_elements = 10000000 end;\ncreate operator wal;\nselect event from in into wal;\nselect event from wal into out;\n`;
  return withRill(bench, stream, { 'artefacts.yaml': artefacts, 'gd.trickle': query }, (exited) =>
    rateUntil(async () => (await bench.manager.streams.info(stream)).state.messages, events, `rill publishing into ${stream}`, exited),
  );
}

async function clientPublish(bench: Bench, stream: string, events: number): Promise<number> {
  const subject = `${stream.toLowerCase()}.in`;
  await bench.manager.streams.add({ name: stream, subjects: [subject] });
  const client = jetstream(bench.connection);
  const started = performance.now();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    const publishMore = () => {
      while (outstanding < WINDOW && next < events) {
        const n = next++;
        outstanding++;
        client.publish(subject, bench.texts[n % bench.texts.length], { msgID: `${stream}:${n}` }).then(() => {
          outstanding--;
          if (next === events && outstanding === 0) resolve();
          else publishMore();
        }, reject);
      }
    };
    publishMore();
  });
  return events / ((performance.now() - started) / 1000);
}

async function addDurable(bench: Bench, stream: string, durable: string): Promise<void> {
  await bench.manager.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, max_ack_pending: WINDOW });
}

const ackedSoFar = (bench: Bench, stream: string, durable: string) => async () => (await bench.manager.consumers.info(stream, durable)).ack_floor.stream_seq;

async function rillConsume(bench: Bench, stream: string, durable: string, events: number): Promise<number> {
  await addDurable(bench, stream, durable);
  const artefacts =
    `onramp:\n  - id: js\n    type: jetstream\n    config: {hosts: [${JSON.stringify(bench.server.host)}], stream: ${stream}, durable: ${durable}, max_ack_pending: ${WINDOW}}\n` +
    'offramp:\n  - id: out\n    type: blackhole\n' +
    binding('js', 'out', 'pass');
  return withRill(bench, durable, { 'artefacts.yaml': artefacts, 'pass.trickle': 'select event from in into out;\n' }, (exited) =>
    rateUntil(ackedSoFar(bench, stream, durable), events, `rill consuming ${durable}`, exited),
  );
}

async function clientConsume(bench: Bench, stream: string, durable: string, events: number): Promise<number> {
  await addDurable(bench, stream, durable);
  const consumer = await jetstream(bench.connection).consumers.get(stream, durable);
  let asked = 0;
  let parsed = 0;
  const started = performance.now();
  // Two pulls outstanding, as rill's consumer keeps them: the next batch is on its way during this one.
  const puller = async () => {
    while (asked < events) {
      const size = Math.min(PULL_BATCH, events - asked);
      asked += size;
      const pull = await consumer.fetch({ max_messages: size, expires: 1_000 });
      let got = 0;
      for await (const message of pull) {
        if (typeof JSON.parse(message.string()) === 'object') parsed++;
        message.ack();
        got++;
      }
      asked -= size - got;
    }
  };
  await Promise.all([puller(), puller()]);
  await bench.connection.flush();
  await rateUntil(ackedSoFar(bench, stream, durable), events, `the client consuming ${durable}`);
  if (parsed !== events) throw new Error(`parsed ${parsed} of ${events}`);
  return events / ((performance.now() - started) / 1000);
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const events = count(args, '--events', 100_000);
  const rounds = count(args, '--rounds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'rill-bench-jetstream-'));
  const server = await NatsServer.start();
  const connection = await connect({ servers: [server.host] });
  const bench: Bench = { dir, server, connection, manager: await jetstreamManager(connection), texts: corpusTexts() };
  try {
    reporter.note(`load average at start: ${loadavg().map((load) => load.toFixed(1)).join(' ')} (${cpus().length} cores)`);
    reporter.note(`nats-server ${connection.info?.version} on ${server.host}, JetStream file storage; ${events} corpus events of ~630 bytes per round, ${rounds} interleaved rounds after a warm-up, medians`);
    reporter.note(`publish: rill file -> qos::wal -> jetstream (dedup, max_in_flight ${WINDOW}) vs the client's publish (unique msg ids, ${WINDOW} outstanding)`);
    reporter.note(`consume: rill jetstream onramp (max_ack_pending ${WINDOW}) -> passthrough -> blackhole vs the client with two pulls of ${PULL_BATCH} outstanding, JSON.parse, ack`);
    const warmUp = Math.max(1_000, Math.floor(events / 4));
    await rillPublish(bench, 'WARM_RILL', warmUp);
    await clientPublish(bench, 'WARM_CLIENT', warmUp);
    await rillConsume(bench, 'WARM_CLIENT', 'warm_rill', warmUp);
    await clientConsume(bench, 'WARM_RILL', 'warm_client', warmUp);
    const publish = { rill: [] as number[], client: [] as number[] };
    const consume = { rill: [] as number[], client: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      publish.rill.push(await rillPublish(bench, `RILL_${round}`, events));
      publish.client.push(await clientPublish(bench, `CLIENT_${round}`, events));
      consume.rill.push(await rillConsume(bench, `CLIENT_${round}`, `rill_${round}`, events));
      consume.client.push(await clientConsume(bench, `RILL_${round}`, `client_${round}`, events));
    }
    const thousands = (values: number[]) => values.map((value) => Math.round(value / 1000)).join(' ');
    reporter.note(`per round, thousand events/s: publish rill ${thousands(publish.rill)}, client ${thousands(publish.client)}; consume rill ${thousands(consume.rill)}, client ${thousands(consume.client)}`);
    reporter.figure('jetstream_publish_events_per_s', median(publish.rill), 'events/s');
    reporter.figure('nats_client_publish_events_per_s', median(publish.client), 'events/s');
    reporter.figure('jetstream_publish_vs_client_ratio', median(publish.rill.map((rate, round) => rate / publish.client[round])), '(target >= 0.8)');
    reporter.figure('jetstream_consume_events_per_s', median(consume.rill), 'events/s');
    reporter.figure('nats_client_consume_events_per_s', median(consume.client), 'events/s');
    reporter.figure('jetstream_consume_vs_client_ratio', median(consume.rill.map((rate, round) => rate / consume.client[round])), '(target >= 0.8)');
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
