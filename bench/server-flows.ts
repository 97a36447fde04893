/**
 * The WAL as a user runs it, whole processes (part of `npm run bench -- wal`, and of `peers`):
 *
 * - `rill server run` on Tremor 0.11 artefacts: a `file` onramp reading the numbered corpus events
 *   (bench/whole-process.ts), one pipeline, a `file` offramp. Flows:
 *   - `wal`: `select event from in into wal; select event from wal into out` through a qos::wal
 *     (read_count 1000, every event committed to LMDB, fdatasync'd, before it is written out;
 *     deleted when the file sink acks it);
 *   - `seed`: the same with the seed's patch select before the WAL (`insert "hostname" => ...`);
 *   - `passthrough`: `select event from in into out`, no WAL.
 *   A rate is the events over the time from the first output byte to the last (the process's
 *   start-up is reported apart); then every line is checked: each event exactly once, byte for
 *   byte as read (`seed`: as read plus its `hostname` key).
 * - `server_first_event_ms`: from spawning `node bin/rill.mjs server run` (the wal flow, a
 *   one-line input) to the first output line.
 * - `rill run QUERY --in FILE > /dev/null`, wall time (start-up included): through a qos::wal and
 *   without one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOutput, outputHolds, ServerProcess, sleep, type Workload } from './whole-process.ts';

const RILL = fileURLToPath(new URL('../bin/rill.mjs', import.meta.url));
/** What the seed's select adds to each line's text (engine/extended-json.ts: the new key at the end). */
const HOSTNAME_KEY = `,"hostname":${JSON.stringify(hostname())}`;
const SEED_SELECT = 'select patch event of insert "hostname" => system::hostname() end from in into';

export type ServerFlow = 'wal' | 'seed' | 'passthrough';

function trickle(flow: ServerFlow, walDir: string): string {
  const wal = `define qos::wal operator wal with dir = ${JSON.stringify(walDir)}, read_count = 1000, max_elements = 10000000 end;\ncreate operator wal;\n`;
  if (flow === 'passthrough') return 'select event from in into out;\n';
  const first = flow === 'seed' ? `use tremor::system;\n${wal}${SEED_SELECT} wal;\n` : `${wal}select event from in into wal;\n`;
  return `${first}select event from wal into out;\n`;
}

function artefacts(input: string, output: string): string {
  return `onramp:
  - id: events
    type: file
    config:
      source: ${JSON.stringify(input)}
offramp:
  - id: out
    type: file
    config:
      file: ${JSON.stringify(output)}
binding:
  - id: default
    links:
      "/onramp/events/{instance}/out": ["/pipeline/flow/{instance}/in"]
      "/pipeline/flow/{instance}/out": ["/offramp/out/{instance}/in"]
mapping:
  /binding/default/01:
    instance: "01"
`;
}

export interface ServerMeasurement {
  eventsPerS: number;
  /** Spawn to the first output byte. */
  firstEventMs: number;
}

/** Runs the inputs and the state of each measurement under `base`, removed as soon as measured. */
export class ServerFlows {
  private next = 0;
  private readonly inputs = new Map<number, string>();

  constructor(
    private readonly base: string,
    private readonly work: Workload,
    /** The launcher to run: this checkout's by default, another's to compare (bench/startup.ts). */
    private readonly rill = RILL,
    /** Node options for the servers, before the script (e.g. `--cpu-prof`, `--cpu-prof-dir=DIR`). */
    private readonly nodeArgs: string[] = [],
  ) {}

  /** The first `count` events as an input file (written once per count). */
  private input(count: number): string {
    let path = this.inputs.get(count);
    if (path === undefined) {
      path = join(this.base, `input-${count}.jsonl`);
      writeFileSync(path, this.work.payload(count));
      this.inputs.set(count, path);
    }
    return path;
  }

  async server(flow: ServerFlow, count: number): Promise<ServerMeasurement> {
    const dir = this.freshDir();
    const output = join(dir, 'out.jsonl');
    const artefactFile = join(dir, 'flow.yaml');
    const queryFile = join(dir, 'flow.trickle');
    writeFileSync(artefactFile, artefacts(this.input(count), output));
    writeFileSync(queryFile, trickle(flow, join(dir, 'wal')));
    const added = flow === 'seed' ? HOSTNAME_KEY : '';
    const expectedBytes = this.work.payload(count).length + count * Buffer.byteLength(added);
    const spawned = performance.now();
    const server = new ServerProcess([...this.nodeArgs, this.rill, 'server', 'run', '-q', artefactFile, queryFile, '--data-dir', join(dir, 'state')], dir);
    try {
      const firstByteAt = await outputHolds(output, expectedBytes, server);
      const lastByteAt = performance.now();
      await server.stop();
      checkOutput(output, this.work, count, (line, sent) => line === `${sent.slice(0, -1)}${added}}`);
      return { eventsPerS: count / ((lastByteAt - firstByteAt) / 1000), firstEventMs: firstByteAt - spawned };
    } finally {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Wall milliseconds of `rill run` over the first `count` events, with or without a qos::wal. */
  async run(withWal: boolean, count: number): Promise<number> {
    const dir = this.freshDir();
    const queryFile = join(dir, 'run.trickle');
    writeFileSync(queryFile, withWal ? trickle('wal', join(dir, 'wal')) : trickle('passthrough', ''));
    const input = this.input(count);
    const devNull = openSync('/dev/null', 'w');
    try {
      const started = performance.now();
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [this.rill, 'run', queryFile, '--in', input], { stdio: ['ignore', devNull, 'inherit'] });
        child.on('error', reject);
        child.on('close', resolve);
      });
      if (code !== 0) throw new Error(`rill run exited with ${code}`);
      return performance.now() - started;
    } finally {
      closeSync(devNull);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private freshDir(): string {
    const dir = join(this.base, `server-${this.next++}`);
    mkdirSync(dir);
    return dir;
  }
}

export interface ServerFigures {
  serverWal: number[];
  /** The in-process WAL measured just before each round's server wal flow (when asked for). */
  inProcessWal: number[];
  serverSeed: number[];
  serverPassthrough: number[];
  firstEventMs: number[];
  runWalMs: number[];
  runNoWalMs: number[];
}

/**
 * `rounds` interleaved rounds of every whole-process part, after a warm-up of each (the bundle, the
 * page cache). `inProcessWal`, if given, measures the in-process WAL (events/s) right before each
 * round's server wal flow, so that the two are compared in the same phase of the machine: this
 * machine's speed drifts over minutes (the same build 100k-270k events/s), and the throughput
 * parts run minutes before these rounds.
 */
export async function serverRounds(flows: ServerFlows, events: number, rounds: number, inProcessWal?: () => Promise<number>): Promise<ServerFigures> {
  const warmUp = Math.max(1, Math.floor(events / 4));
  await flows.server('wal', warmUp);
  await flows.run(true, warmUp);
  const figures: ServerFigures = { serverWal: [], inProcessWal: [], serverSeed: [], serverPassthrough: [], firstEventMs: [], runWalMs: [], runNoWalMs: [] };
  for (let round = 0; round < rounds; round++) {
    if (inProcessWal) figures.inProcessWal.push(await inProcessWal());
    figures.serverWal.push((await flows.server('wal', events)).eventsPerS);
    figures.serverSeed.push((await flows.server('seed', events)).eventsPerS);
    figures.serverPassthrough.push((await flows.server('passthrough', events)).eventsPerS);
    figures.firstEventMs.push((await flows.server('wal', 1)).firstEventMs);
    figures.runWalMs.push(await flows.run(true, events));
    figures.runNoWalMs.push(await flows.run(false, events));
    await sleep(100);
  }
  return figures;
}

