/**
 * `npm run bench -- wal [--json]`: qos::wal throughput against raw LMDB and against one durable
 * commit per event, then a restart with 1,000,000 stored events (in a child process, so its memory
 * is measured alone). Events are the corpus's ~630-byte log lines, cycled.
 *
 * Events come as a JSON source (`file`, `tcp_server`) hands them on: a view of the UTF-8 bytes it
 * read, with their CRC-32 and key set computed by the line reader's thread (engine/text-event.ts
 * `ofUtf8`), which the WAL copies into its record as they are. The bytes are those of FEED_LINES distinct
 * lines (12 MB, more than the caches hold), not the same few lines again and again.
 * wal_string_text_events_per_s is the same for events that carry their text as a string (as
 * before 2026-12-02; the WAL encodes it and computes its CRC itself), and
 * wal_without_text_events_per_s / wal_without_text_vs_lmdb_ratio for events without any text (a
 * metronome's, or ones a select rebuilt), where the WAL serialises each payload.
 *
 * Throughput parts run one after the other (never two at once), after a warm-up round, in
 * interleaved rounds; figures are medians. Every part, the baselines too, and the restart run in
 * a worker thread with the heap settings `rill server run` gives its pipelines (engine-thread.ts).
 * Figures: wal_events_per_s, lmdb_raw_events_per_s, sync_per_event_events_per_s, wal_vs_lmdb_ratio,
 * wal_vs_sync_per_event_ratio, restart_first_event_ms, drain_events_per_s, peak_rss_mb (anonymous
 * memory: heap and native allocations) and peak_rss_with_mapped_file_mb (also counts the LMDB file
 * pages the kernel maps in while reading, which are page cache, not process memory).
 * lmdb_raw_encoding_events_per_s and wal_vs_lmdb_encoding_ratio (raw lmdb plus the record encoding
 * the WAL does per event: header text, concatenation, UTF-8 bytes) are for context: they show how
 * much of the gap to raw LMDB is the encoding.
 * Optional args: --events=N (throughput run, default 200000), --rounds=N (default 5: on a shared
 * 2-core machine figures vary by ±10% from round to round, and a median of five is steadier),
 * --backlog=N (restart, default 1000000), --cpu-prof=DIR (the whole-process servers run with
 * `node --cpu-prof`, one profile per thread in DIR; read them with bench/cpu-profile.ts),
 * --server-events=N (the whole processes' events, default 400000), --server-rounds=N (default 3).
 * Why 400,000 whole-process events: the in-process figures are taken after a warm-up round, and a
 * server's first 100,000 events (about 0.4 s) are mostly its JIT's warm-up: `--trace-opt` counted
 * 177 TurboFan compiles taking 529 ms of a helper thread's CPU in a 100,000-event `server run`,
 * on a 2-core machine whose two cores the engine and the line reader already keep busy. Over
 * 100,000 events the whole process read 0.34-0.49 of the in-process WAL on 2026-12-04, over
 * 400,000 0.6-0.71 per round; a server runs for hours, so the longer run is what users see.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { jsonKeySet } from '../connectors/json-text.mjs';
import { open } from 'lmdb';
import { buildPipeline } from '../engine/build-pipeline.ts';
import { ENGINE_RESOURCE_LIMITS } from '../engine/runtime/engine-heap.ts';
import { EventId } from '../engine/event-id.ts';
import { TextEvent } from '../engine/text-event.ts';
import { nowNs, type Event } from '../engine/event.ts';
import type { PipelineExecutor } from '../engine/executor.ts';
import { encodeRecord } from '../operators/qos/wal/record.ts';
import { WalStore } from '../operators/qos/wal/store.ts';
import { compileQuery } from '../queries/index.ts';
import { parseJson } from '../queries/values/json.ts';
import type { Value } from '../queries/values/value.ts';
import { corpusTexts } from './corpus.ts';
import { inEngineThread } from './engine-thread.ts';
import type { Reporter } from './report.ts';
import { ServerFlows, serverRounds } from './server-flows.ts';
import { cpuProfileOptions, workload } from './whole-process.ts';
import { argument as optionText } from './troy.ts';

const SOURCE_UID = 1_000_000;
const SEND_BATCH = 1000;
/** The source keeps at most this many events unacked (a transactional source's window). */
const SOURCE_WINDOW = 20_000;
const THROUGHPUT_READ_COUNT = 1000;
const SYNC_PER_EVENT_EVENTS = 2000;

/** A corpus line: its parsed payload and its text. */
interface CorpusLine {
  data: Value;
  text: string;
}

/** Distinct lines the byte events are views of, one after the other in one buffer (as a read batch holds them). */
const FEED_LINES = 20_000;

interface Corpus {
  lines: CorpusLine[];
  feed: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  crcs: Uint32Array;
  keys: Int32Array;
}

function loadCorpus(): Corpus {
  const lines = corpusTexts().map((text) => ({ data: parseJson(text), text }));
  const texts = Array.from({ length: FEED_LINES }, (_unused, n) => lines[n % lines.length].text);
  const feed = Buffer.from(`${texts.join('\n')}\n`);
  const starts = new Int32Array(FEED_LINES);
  const ends = new Int32Array(FEED_LINES);
  const crcs = new Uint32Array(FEED_LINES);
  const keys = new Int32Array(FEED_LINES);
  let at = 0;
  for (let n = 0; n < FEED_LINES; n++) {
    starts[n] = at;
    ends[n] = at + Buffer.byteLength(texts[n]);
    crcs[n] = crc32(feed.subarray(starts[n], ends[n]));
    keys[n] = jsonKeySet(feed, starts[n], ends[n]);
    at = ends[n] + 1;
  }
  return { lines, feed, starts, ends, crcs, keys };
}

/**
 * How an event carries its payload: `bytes`, as a JSON source hands it on (a view of the bytes read,
 * with their CRC); `string`, its text as a string; `none`, no text at all (as from a metronome: the
 * WAL serialises the payload).
 */
type EventForm = 'bytes' | 'string' | 'none';

function corpusEvent(corpus: Corpus, n: number, form: EventForm): Event {
  const id = new EventId(SOURCE_UID, 0, n);
  if (form === 'bytes') {
    const at = n % FEED_LINES;
    return TextEvent.ofUtf8(id, corpus.feed, corpus.starts[at], corpus.ends[at], {}, nowNs(), true, {}, corpus.crcs[at], corpus.keys[at]);
  }
  const line = corpus.lines[n % corpus.lines.length];
  return { id, data: line.data, dataJson: form === 'string' ? line.text : undefined, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} };
}

function argument(args: string[], name: string, fallback: number): number {
  const given = args.find((arg) => arg.startsWith(`${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 1));
}

/** The seed's select: every event becomes a new payload (one key added). */
const SEED_SELECT = 'select patch event of insert "hostname" => system::hostname() end from in into wal;';

/** `in -> qos::wal -> out` in the real engine; with `seedSelect`, the seed's patch select before the WAL. */
function walPipeline(params: Record<string, Value>, seedSelect = false): PipelineExecutor {
  const withBlock = Object.entries(params)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
    .join(', ');
  const intoWal = seedSelect ? `use tremor::system;\n${SEED_SELECT}` : 'select event from in into wal;';
  const source = `define qos::wal operator wal with ${withBlock} end;\ncreate operator wal;\n${intoWal}\nselect event from wal into out;\n`;
  return buildPipeline(compileQuery(source, 'bench.trickle'), { id: 'bench' });
}

/** Events/s through the WAL with a transactional source and a sink that acks every event. */
async function measureWal(corpus: Corpus, events: number, dir: string, form: EventForm, seedSelect = false): Promise<number> {
  const pipeline = walPipeline({ dir, read_count: THROUGHPUT_READ_COUNT, max_elements: 10_000_000 }, seedSelect);
  pipeline.setTransactional('in', true);
  let delivered = 0;
  let ackedUpstream = 0;
  let toAck: Event[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await pipeline.start({
    onOutput(_port, event) {
      toAck.push(event);
    },
    onInsight(_port, insight) {
      // One ack may confirm a run of events (the WAL merges a commit's acks): count them all.
      const range = insight.kind === 'ack' ? insight.id?.rangeFor(SOURCE_UID) : undefined;
      if (range !== undefined) ackedUpstream += range.max - range.min + 1;
    },
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);
  const started = performance.now();
  let sent = 0;
  const step = () => {
    const acks = toAck;
    toAck = [];
    for (const event of acks) pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
    delivered += acks.length;
    for (let i = 0; i < SEND_BATCH && sent < events && sent - ackedUpstream < SOURCE_WINDOW; i++) pipeline.send('in', corpusEvent(corpus, sent++, form));
    if (delivered >= events && ackedUpstream >= events && pipeline.isIdle()) finish();
    else setImmediate(step);
  };
  step();
  await done;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  await pipeline.close();
  return events / seconds;
}

/**
 * One in-process WAL measurement of events with their text, after a warm-up of half as many in
 * the same thread (`npm run bench -- peers` runs it in a fresh engine thread each round).
 */
export async function inProcessWalEventsPerS(events: number, dir: string): Promise<number> {
  const corpus = loadCorpus();
  await measureWal(corpus, Math.max(1, Math.floor(events / 2)), `${dir}-warm-up`, 'bytes');
  return measureWal(corpus, events, dir, 'bytes');
}

/**
 * Raw lmdb-js, the storage floor: the WAL's record bytes (pre-encoded, so no encoding cost) put
 * and later removed, batched per turn (lmdb-js event-turn batching), every commit durable with the
 * WAL's flags (`overlappingSync: false`, no `noSync`). With `encodeEach`, every record is encoded
 * (encodeRecord) when put, as the WAL must: the same floor plus the encoding.
 */
async function measureRawLmdb({ lines: corpus }: Corpus, events: number, dir: string, encodeEach: boolean): Promise<number> {
  const env = open({ path: dir, overlappingSync: false });
  const db = env.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
  const stored = (seq: number) => ({ ingestNs: nowNs(), opMeta: {}, meta: {}, data: corpus[seq % corpus.length].data });
  const encode = (seq: number) => encodeRecord(new EventId(SOURCE_UID, 0, seq), stored(seq), corpus[seq % corpus.length].text);
  const records = corpus.map((_line, n) => encode(n));
  const started = performance.now();
  const outstanding: Array<Promise<unknown>> = [];
  for (let first = 0; first < events; first += SEND_BATCH) {
    let commit: Promise<unknown> = Promise.resolve();
    for (let seq = first; seq < Math.min(first + SEND_BATCH, events); seq++) {
      commit = db.put(seq, encodeEach ? encode(seq) : records[seq % records.length]);
    }
    for (let seq = first - SEND_BATCH; seq >= 0 && seq < first; seq++) commit = db.remove(seq);
    outstanding.push(commit);
    // Like the WAL, keep a couple of commits in flight, never an unbounded queue.
    if (outstanding.length >= 4) await outstanding.shift();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(outstanding);
  const seconds = (performance.now() - started) / 1000;
  await env.close();
  return events / seconds;
}

/**
 * One durable commit per event: put it and wait for its fsync'd commit before the next, as a
 * per-write-fsync log does (each awaited put is its own LMDB transaction; `strace -c` shows one
 * fdatasync per event).
 */
async function measureSyncPerEvent({ lines: corpus }: Corpus, dir: string): Promise<number> {
  const env = open({ path: dir, overlappingSync: false });
  const db = env.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
  const record = encodeRecord(new EventId(SOURCE_UID, 0, 0), { ingestNs: nowNs(), opMeta: {}, meta: {}, data: corpus[0].data }, corpus[0].text);
  const started = performance.now();
  for (let seq = 0; seq < SYNC_PER_EVENT_EVENTS; seq++) await db.put(seq, record);
  const seconds = (performance.now() - started) / 1000;
  await env.close();
  return SYNC_PER_EVENT_EVENTS / seconds;
}

/** Stores `backlog` corpus events in the WAL format (store appends, 10,000 per commit). */
async function fillBacklog({ lines: corpus }: Corpus, backlog: number, dir: string): Promise<void> {
  const store = await WalStore.open(dir, { readCount: THROUGHPUT_READ_COUNT, maxElements: 10_000_000 });
  const records = corpus.map((line, n) => encodeRecord(new EventId(SOURCE_UID, 0, n), { ingestNs: nowNs(), opMeta: {}, meta: {}, data: line.data }, line.text));
  const pending: Array<Promise<void>> = [];
  for (let n = 0; n < backlog; n++) {
    store.append(records[n % records.length]);
    if (n % 10_000 === 9_999) {
      pending.push(store.commit());
      if (pending.length >= 4) await pending.shift();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  pending.push(store.commit());
  await Promise.all(pending);
  await store.close();
}

interface RestartFigures {
  firstEventMs: number;
  drained: number;
  drainEventsPerS: number;
  peakAnonymousMb: number;
  peakRssMb: number;
}

/** In the restart child's engine thread (wal-restart-child.ts): reopen the WAL, time the first delivery, drain it all with an acking sink. */
export async function restartChild(dir: string, backlog: number): Promise<RestartFigures> {
  let peakAnonymousKb = 0;
  const sampleMemory = () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const anonymous = /RssAnon:\s+(\d+)/.exec(status);
    if (anonymous) peakAnonymousKb = Math.max(peakAnonymousKb, Number(anonymous[1]));
  };
  const sampler = setInterval(sampleMemory, 20);
  const started = performance.now();
  const pipeline = walPipeline({ dir, read_count: THROUGHPUT_READ_COUNT, max_elements: 10_000_000 });
  let firstEventMs = -1;
  let delivered = 0;
  let toAck: Event[] = [];
  await pipeline.start({
    onOutput(_port, event) {
      if (firstEventMs < 0) firstEventMs = performance.now() - started;
      toAck.push(event);
    },
    onInsight() {},
  });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  const ticker = setInterval(() => pipeline.tick(nowNs()), 100);
  let drainStarted = 0;
  await new Promise<void>((resolve) => {
    const step = () => {
      if (firstEventMs >= 0 && drainStarted === 0) drainStarted = performance.now();
      const acks = toAck;
      toAck = [];
      for (const event of acks) pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
      delivered += acks.length;
      if (delivered >= backlog && pipeline.isIdle()) resolve();
      else setImmediate(step);
    };
    step();
  });
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  clearInterval(ticker);
  await pipeline.close();
  clearInterval(sampler);
  sampleMemory();
  return {
    firstEventMs,
    drained: delivered,
    drainEventsPerS: delivered / drainSeconds,
    peakAnonymousMb: peakAnonymousKb / 1024,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runRestartChild(dir: string, backlog: number): Promise<RestartFigures> {
  return new Promise((resolve, reject) => {
    const entry = fileURLToPath(new URL('./wal-restart-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry, dir, String(backlog)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(output) as RestartFigures) : reject(new Error(`restart child exited with ${code}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Lets the previous part's lmdb-js threads and pending work finish, so no part runs under another's load. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

interface ThroughputFigures {
  wal: number[];
  walStringText: number[];
  walWithoutText: number[];
  walChanged: number[];
  raw: number[];
  rawEncoded: number[];
  syncPerEvent: number;
}

/** The warm-up round, then `rounds` rounds of each throughput part, then one-sync-per-event (run in the engine thread). */
export async function throughputRounds(events: number, rounds: number, base: string): Promise<ThroughputFigures> {
  const corpus = loadCorpus();
  let part = 0;
  const freshDir = () => join(base, `part-${part++}`);
  // Half a round: long enough for the young generation to have grown to its working size.
  const warmUp = Math.max(1, Math.floor(events / 2));
  await measureWal(corpus, warmUp, freshDir(), 'bytes');
  await measureWal(corpus, warmUp, freshDir(), 'string');
  await measureWal(corpus, warmUp, freshDir(), 'none');
  await measureWal(corpus, warmUp, freshDir(), 'bytes', true);
  await measureRawLmdb(corpus, warmUp, freshDir(), false);
  await measureRawLmdb(corpus, warmUp, freshDir(), true);
  const figures: ThroughputFigures = { wal: [], walStringText: [], walWithoutText: [], walChanged: [], raw: [], rawEncoded: [], syncPerEvent: 0 };
  for (let round = 0; round < rounds; round++) {
    await pause();
    figures.wal.push(await measureWal(corpus, events, freshDir(), 'bytes'));
    await pause();
    figures.walStringText.push(await measureWal(corpus, events, freshDir(), 'string'));
    await pause();
    figures.walWithoutText.push(await measureWal(corpus, events, freshDir(), 'none'));
    await pause();
    figures.walChanged.push(await measureWal(corpus, events, freshDir(), 'bytes', true));
    await pause();
    figures.raw.push(await measureRawLmdb(corpus, events, freshDir(), false));
    await pause();
    figures.rawEncoded.push(await measureRawLmdb(corpus, events, freshDir(), true));
  }
  await pause();
  figures.syncPerEvent = await measureSyncPerEvent(corpus, freshDir());
  return figures;
}

/**
 * One in-process WAL figure in a fresh engine thread, after a warm-up of half as many events (as
 * throughputRounds warms up): the partner of one whole-process round (serverRounds).
 */
export async function pairedWalRound(events: number, dir: string): Promise<number> {
  const corpus = loadCorpus();
  await measureWal(corpus, Math.max(1, Math.floor(events / 2)), join(dir, 'warm-up'), 'bytes');
  await pause();
  return measureWal(corpus, events, join(dir, 'measured'), 'bytes');
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const events = argument(args, '--events', 200_000);
  const backlog = argument(args, '--backlog', 1_000_000);
  const rounds = argument(args, '--rounds', 5);
  const corpus = loadCorpus();
  const base = mkdtempSync(join(tmpdir(), 'rill-bench-wal-'));
  try {
    reporter.note(`${events} events of ~630 bytes through in -> qos::wal (read_count ${THROUGHPUT_READ_COUNT}) -> out, acking sink, durable before ack`);
    reporter.note(`one warm-up round, then ${rounds} rounds of wal, raw lmdb, raw lmdb + encoding, one after the other; figures are medians, ratios are medians of per-round ratios`);
    reporter.note(
      process.env.RILL_ENGINE_THREAD === '0'
        ? 'RILL_ENGINE_THREAD=0: every part runs in the main thread, with the default heap'
        : `every part runs in a worker thread with rill's pipeline heap settings (young generation up to ${ENGINE_RESOURCE_LIMITS.maxYoungGenerationSizeMb} MB)`,
    );
    const { wal, walStringText, walWithoutText, walChanged, raw, rawEncoded, syncPerEvent } = await inEngineThread<ThroughputFigures>(import.meta.url, 'throughputRounds', events, rounds, base);
    const perRound = (rates: number[]) => rates.map((rate) => Math.round(rate / 1000)).join(' ');
    reporter.note(`per round, thousand events/s: wal ${perRound(wal)}; raw lmdb ${perRound(raw)}`);
    reporter.figure('wal_events_per_s', median(wal), 'events/s (events as a JSON source hands them on: views of the bytes read, with their CRC)');
    reporter.figure('wal_string_text_events_per_s', median(walStringText), 'events/s (events with their JSON text as a string: the WAL encodes it and takes its CRC)');
    reporter.figure('wal_without_text_events_per_s', median(walWithoutText), 'events/s (events without their JSON text: the WAL serialises each payload)');
    reporter.figure('lmdb_raw_events_per_s', median(raw), 'events/s');
    reporter.figure('lmdb_raw_encoding_events_per_s', median(rawEncoded), 'events/s (raw lmdb + encodeRecord per event)');
    reporter.figure('sync_per_event_events_per_s', syncPerEvent, 'events/s');
    reporter.figure('wal_vs_lmdb_ratio', median(wal.map((rate, round) => rate / raw[round])));
    reporter.figure('wal_vs_lmdb_encoding_ratio', median(wal.map((rate, round) => rate / rawEncoded[round])));
    reporter.figure('wal_without_text_vs_lmdb_ratio', median(walWithoutText.map((rate, round) => rate / raw[round])));
    reporter.figure('wal_vs_sync_per_event_ratio', median(wal) / syncPerEvent);
    reporter.figure('wal_changed_events_per_s', median(walChanged), "events/s (the seed's patch select before the WAL: every event changed)");
    reporter.figure('wal_changed_vs_lmdb_ratio', median(walChanged.map((rate, round) => rate / raw[round])), '(target >= 0.5)');

    const serverEvents = argument(args, '--server-events', 400_000);
    const serverRoundCount = argument(args, '--server-rounds', 3);
    reporter.note(`whole processes (bench/server-flows.ts), ${serverEvents} numbered corpus events, ${serverRoundCount} interleaved rounds after a warm-up, medians:`);
    reporter.note('  server: node bin/rill.mjs server run, file onramp -> pipeline -> file offramp; wal = select -> qos::wal (read_count 1000) -> select; seed = the patch select -> qos::wal -> select; every output line checked');
    reporter.note('  run: node bin/rill.mjs run QUERY --in FILE > /dev/null, wall time with start-up; with and without a qos::wal');
    const profileArg = optionText(args, '--cpu-prof');
    const profileDir = profileArg === undefined ? undefined : resolve(profileArg);
    if (profileDir !== undefined) reporter.note(`rill servers run with --cpu-prof: profiles in ${profileDir}`);
    const flows = new ServerFlows(base, workload(serverEvents), undefined, cpuProfileOptions(profileDir));
    let paired = 0;
    const inProcessWal = () => inEngineThread<number>(import.meta.url, 'pairedWalRound', events, join(base, `paired-${paired++}`));
    const server = await serverRounds(flows, serverEvents, serverRoundCount, inProcessWal);
    const perRoundK = (rates: number[]) => rates.map((rate) => Math.round(rate / 1000)).join(' ');
    reporter.note(`per round, thousand events/s: server wal ${perRoundK(server.serverWal)}; server seed ${perRoundK(server.serverSeed)}; server passthrough ${perRoundK(server.serverPassthrough)}`);
    reporter.note(`per round, ms: rill run with a WAL ${server.runWalMs.map(Math.round).join(' ')}; without ${server.runNoWalMs.map(Math.round).join(' ')}`);
    reporter.figure('server_wal_events_per_s', median(server.serverWal), 'events/s (whole process, file -> qos::wal -> file)');
    reporter.note(`per round, thousand events/s: in-process wal just before the server's wal flow ${perRoundK(server.inProcessWal)}`);
    reporter.figure('server_wal_vs_bench_ratio', median(server.serverWal.map((rate, round) => rate / server.inProcessWal[round])), '(vs the in-process wal measured just before it, each round; target >= 0.5)');
    reporter.figure('server_wal_vs_bench_unpaired_ratio', median(server.serverWal) / median(wal), '(vs wal_events_per_s above, measured minutes earlier: for context)');
    reporter.figure('server_seed_events_per_s', median(server.serverSeed), "events/s (whole process, the seed's patch select -> qos::wal -> file)");
    reporter.figure('server_seed_vs_passthrough_ratio', median(server.serverSeed.map((rate, round) => rate / server.serverWal[round])), '(vs the same flow with `select event`; target >= 0.85)');
    reporter.figure('server_passthrough_events_per_s', median(server.serverPassthrough), 'events/s (whole process, no WAL: the ceiling)');
    reporter.figure('server_first_event_ms', median(server.firstEventMs), 'ms (spawn of node bin/rill.mjs server run to the first output line; target <= 300)');
    reporter.figure('run_wal_events_per_s', serverEvents / (median(server.runWalMs) / 1000), 'events/s (rill run through a qos::wal, start-up included)');
    reporter.figure('run_no_wal_events_per_s', serverEvents / (median(server.runNoWalMs) / 1000), 'events/s (rill run, the same without the WAL)');
    reporter.figure('run_wal_vs_no_wal_ratio', median(server.runNoWalMs.map((ms, round) => ms / server.runWalMs[round])), '(target >= 0.6)');

    reporter.note(`filling a WAL with ${backlog} events, then restarting it in a child process`);
    const backlogDir = join(base, 'backlog');
    const fillStarted = performance.now();
    await fillBacklog(corpus, backlog, backlogDir);
    reporter.note(`filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
    const restart = await runRestartChild(backlogDir, backlog);
    if (restart.drained !== backlog) throw new Error(`restart drained ${restart.drained} of ${backlog} events`);
    reporter.figure('restart_first_event_ms', restart.firstEventMs, 'ms');
    reporter.figure('drain_events_per_s', restart.drainEventsPerS, 'events/s');
    reporter.figure('peak_rss_mb', restart.peakAnonymousMb, 'MB (anonymous: heap + native)');
    reporter.figure('peak_rss_with_mapped_file_mb', restart.peakRssMb, 'MB (maxRSS, includes mapped LMDB pages)');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
