/**
 * `npm run bench -- troy [--json]`: a troy deployment as a user runs it, measured as whole
 * processes. Each measurement starts a server process, connects one TCP client (this process) on
 * 127.0.0.1, sends the events as JSON lines as fast as the server reads them (writes wait for the
 * socket to drain), and stops the clock when the server's output file holds every line's bytes.
 * Then it checks the file line by line: every event exactly once, byte for byte as sent.
 *
 * Events: the corpus's ~630-byte log lines, numbered (bench/whole-process.ts).
 *
 * - tcp_wal_events_per_s: `node bin/rill.mjs server run -q wal.troy`, the seed's server flow
 *   without its echo and debug branches: tcp_server (json, separate) -> passthrough -> wal ->
 *   passthrough -> file (json, separate, mode truncate). The wal connector with rill's defaults
 *   (read_count 1000, max_in_flight 4096) and a byte limit (chunk_size x max_chunks = 1 GiB) the run
 *   never reaches, so it measures the WAL, not its limit: every event is committed to LMDB
 *   (fdatasync'd, group commit) before it is emitted to the file sink, and deleted when the sink
 *   acks it.
 * - tcp_passthrough_events_per_s: the same process with tcp_server -> passthrough -> file.
 * - tcp_sync_per_event_events_per_s: bench/sync-per-event-server.ts, a process that parses each
 *   line, appends it to a log file, fdatasyncs the log, then appends it to the output file, one
 *   event at a time, as Tremor's qwal (one fsync per pushed entry) would under the same flow.
 * - tcp_wal_vs_passthrough_ratio (target >= 0.5), tcp_wal_vs_sync_per_event_ratio (target >= 50):
 *   medians of the per-round ratios. tcp_passthrough_vs_sync_ratio, for context, is the
 *   most the second could be: the same flow with no WAL at all against the baseline.
 * - rill_server_start_ms: from spawning `rill server run` to its listener accepting (not in the rates).
 * Rates are events over the time from the client's connection to the last output byte: the
 * server's start-up is not in them, its JIT warm-up is (each measurement is a new process). The
 * output file is not fsync'd in any of them (rill's file sink does not fsync).
 * Rounds are interleaved (wal, passthrough, sync per event), after one warm-up run of each rill
 * flow; figures are medians (on the shared 2-core machine under other work, a round's figure can
 * be half or double another's: fsync latency moves with the load).
 * Optional args: --events=N (default 100000), --sync-events=N (the per-event-fsync baseline,
 * default 2000: an fdatasync takes 0.25 ms to several ms on the shared machine, so 0.5 s to a
 * few seconds), --rounds=N (default 5),
 * --cpu-prof=DIR (rill servers run with `node --cpu-prof`, one profile per thread in DIR; read
 * them with bench/cpu-profile.ts), --wal-read-count=N and --wal-max-in-flight=N (set these wal
 * connector keys instead of leaving rill's defaults).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter } from './report.ts';
import { checkOutput, cpuProfileOptions, freePort, median, outputHolds, ServerProcess, workload, type Workload } from './whole-process.ts';

const RILL = fileURLToPath(new URL('../bin/rill.mjs', import.meta.url));
const SYNC_PER_EVENT_SERVER = fileURLToPath(new URL('./sync-per-event-server.ts', import.meta.url));
const WRITE_SLICE = 64 * 1024;

type Flow = 'wal' | 'passthrough';

/** wal connector keys a run may set (`--wal-read-count`, `--wal-max-in-flight`); unset = rill's defaults. */
type WalTuning = Partial<Record<'read_count' | 'max_in_flight', number>>;

/** The troy file for `flow`, everything at absolute paths under `dir`. */
function troyFile(flow: Flow, port: number, dir: string, tuning: WalTuning): string {
  const walConfig = { dir: join(dir, 'wal'), chunk_size: 1048576, max_chunks: 1024, ...tuning };
  const connectors = [
    `  define connector input from tcp_server
  with
    preprocessors = ["separate"],
    postprocessors = ["separate"],
    codec = "json",
    config = { "url": "127.0.0.1:${port}" }
  end;`,
    `  define connector output from file
  with
    codec = "json",
    postprocessors = ["separate"],
    config = { "path": ${JSON.stringify(join(dir, 'out.log'))}, "mode": "truncate" }
  end;`,
  ];
  const body =
    flow === 'wal'
      ? `  define connector store from wal
  with
    config = ${JSON.stringify(walConfig)}
  end;
  create connector input;
  create connector output;
  create connector store;
  create pipeline before_gd from pipelines::passthrough;
  create pipeline after_gd from pipelines::passthrough;
  connect /connector/input to /pipeline/before_gd;
  connect /pipeline/before_gd to /connector/store;
  connect /connector/store to /pipeline/after_gd;
  connect /pipeline/after_gd to /connector/output;`
      : `  create connector input;
  create connector output;
  create pipeline pass from pipelines::passthrough;
  connect /connector/input to /pipeline/pass;
  connect /pipeline/pass to /connector/output;`;
  return `define flow bench\nflow\n  use tremor::pipelines;\n${connectors.join('\n')}\n${body}\nend;\ndeploy flow bench;\n`;
}

/** Writes `payload` in slices, each once the socket has drained the previous ones. */
async function send(socket: Socket, payload: Buffer): Promise<void> {
  for (let offset = 0; offset < payload.length; offset += WRITE_SLICE) {
    // events.once rejects on the socket's 'error' too.
    if (!socket.write(payload.subarray(offset, offset + WRITE_SLICE))) await once(socket, 'drain');
  }
}

interface Measurement {
  eventsPerS: number;
  startMs: number;
}

/**
 * One whole-process run: start the server (`args`, in `dir`), send `count` events, wait for the
 * output, stop the server, check the output.
 */
async function measure(args: string[], port: number, dir: string, work: Workload, count: number): Promise<Measurement> {
  const output = join(dir, 'out.log');
  const payload = work.payload(count);
  const spawned = performance.now();
  const server = new ServerProcess(args, dir);
  try {
    const socket = await server.connect(port);
    const started = performance.now();
    await send(socket, payload);
    socket.end();
    await outputHolds(output, payload.length, server);
    const seconds = (performance.now() - started) / 1000;
    socket.destroy();
    await server.stop();
    checkOutput(output, work, count);
    return { eventsPerS: count / seconds, startMs: started - spawned };
  } finally {
    server.kill();
  }
}

class Runs {
  private next = 0;

  constructor(
    private readonly base: string,
    private readonly work: Workload,
    private readonly profileDir: string | undefined,
    private readonly tuning: WalTuning,
  ) {}

  async rill(flow: Flow, count: number): Promise<Measurement> {
    const dir = this.freshDir();
    const port = await freePort();
    const troy = join(dir, `${flow}.troy`);
    writeFileSync(troy, troyFile(flow, port, dir, this.tuning));
    const profile = cpuProfileOptions(this.profileDir === undefined ? undefined : join(this.profileDir, flow));
    return this.finish(dir, measure([...profile, RILL, 'server', 'run', '-q', troy], port, dir, this.work, count));
  }

  async syncPerEvent(count: number): Promise<Measurement> {
    const dir = this.freshDir();
    const port = await freePort();
    // The tsx loader by its URL: the server runs in `dir`, where `tsx` alone does not resolve.
    const args = ['--import', import.meta.resolve('tsx'), SYNC_PER_EVENT_SERVER, String(port), join(dir, 'log'), join(dir, 'out.log')];
    return this.finish(dir, measure(args, port, dir, this.work, count));
  }

  private freshDir(): string {
    const dir = join(this.base, `run-${this.next++}`);
    mkdirSync(dir);
    return dir;
  }

  /** Each run's files go as soon as it is measured: 100,000 events are 63 MB of output and a WAL. */
  private async finish(dir: string, measurement: Promise<Measurement>): Promise<Measurement> {
    try {
      return await measurement;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export function argument(args: string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

export function count(args: string[], name: string, fallback: number): number {
  const given = argument(args, name);
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${given}`);
  return value;
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const events = count(args, '--events', 100_000);
  const syncEvents = count(args, '--sync-events', 2_000);
  const rounds = count(args, '--rounds', 5);
  const profileArg = argument(args, '--cpu-prof');
  const profileDir = profileArg === undefined ? undefined : resolve(profileArg);
  const work = workload(Math.max(events, syncEvents));
  const eventBytes = work.payload(events).length / events;
  const base = mkdtempSync(join(tmpdir(), 'rill-bench-troy-'));
  const tuning: WalTuning = {};
  if (argument(args, '--wal-read-count') !== undefined) tuning.read_count = count(args, '--wal-read-count', 0);
  if (argument(args, '--wal-max-in-flight') !== undefined) tuning.max_in_flight = count(args, '--wal-max-in-flight', 0);
  const runs = new Runs(base, work, profileDir, tuning);
  try {
    reporter.note(`load average at start: ${loadavg().map((load) => load.toFixed(1)).join(' ')} (${cpus().length} cores)`);
    reporter.note(`${events} events (${syncEvents} for sync per event) of ${eventBytes.toFixed(0)} bytes on average (JSON line with its newline), one TCP connection on 127.0.0.1`);
    const walKeys = `read_count ${tuning.read_count ?? '1000 (default)'}, max_in_flight ${tuning.max_in_flight ?? '4096 (default)'}, 1 GiB limit`;
    reporter.note(`wal: rill server run, tcp_server -> passthrough -> wal (${walKeys}) -> passthrough -> file`);
    reporter.note('passthrough: rill server run, tcp_server -> passthrough -> file');
    reporter.note('sync per event: bench/sync-per-event-server.ts, per line JSON.parse, append to a log + fdatasync, append to the output file');
    reporter.note(`rates: from the connection to the last output byte (new process each run, start-up excluded); then every line checked; ${rounds} interleaved rounds after a warm-up, medians`);
    if (profileDir !== undefined) reporter.note(`rill servers run with --cpu-prof: profiles in ${profileDir}/wal and ${profileDir}/passthrough`);
    const warmUp = Math.max(1, Math.floor(events / 4));
    await runs.rill('wal', warmUp);
    await runs.rill('passthrough', warmUp);
    const wal: Measurement[] = [];
    const passthrough: Measurement[] = [];
    const syncPerEvent: number[] = [];
    for (let round = 0; round < rounds; round++) {
      wal.push(await runs.rill('wal', events));
      passthrough.push(await runs.rill('passthrough', events));
      syncPerEvent.push((await runs.syncPerEvent(syncEvents)).eventsPerS);
    }
    const rates = (measurements: Measurement[]) => measurements.map((m) => m.eventsPerS);
    const perRound = (values: number[], scale: number) => values.map((value) => Math.round(value / scale)).join(' ');
    reporter.note(`per round, thousand events/s: wal ${perRound(rates(wal), 1000)}; passthrough ${perRound(rates(passthrough), 1000)}; sync per event (events/s) ${perRound(syncPerEvent, 1)}`);
    reporter.figure('tcp_wal_events_per_s', median(rates(wal)), 'events/s');
    reporter.figure('tcp_passthrough_events_per_s', median(rates(passthrough)), 'events/s');
    reporter.figure('tcp_sync_per_event_events_per_s', median(syncPerEvent), 'events/s (one fdatasync per event)');
    reporter.figure('tcp_wal_vs_passthrough_ratio', median(wal.map((m, round) => m.eventsPerS / passthrough[round].eventsPerS)), '(target >= 0.5)');
    reporter.figure('tcp_wal_vs_sync_per_event_ratio', median(wal.map((m, round) => m.eventsPerS / syncPerEvent[round])), '(target >= 50)');
    reporter.figure('tcp_passthrough_vs_sync_ratio', median(passthrough.map((m, round) => m.eventsPerS / syncPerEvent[round])), '(the ceiling of the one above: no WAL at all)');
    reporter.figure('rill_server_start_ms', median([...wal, ...passthrough].map((m) => m.startMs)), 'ms (spawn to accepting, not in the rates)');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
