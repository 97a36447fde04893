/**
 * What the whole-process benches share (troy.ts, server-flows.ts, peers.ts): the numbered
 * corpus events every line of an output is checked against, a server process under measurement,
 * and waiting for an output file to hold every byte.
 *
 * Events: the corpus's ~630-byte log lines (bench/corpus.ts), cycled; in each, the last 12 hex
 * digits of `guid` are replaced by the event's number (12 decimal digits), so every line is
 * distinct and can be checked, and the size stays the corpus's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { corpusTexts } from './corpus.ts';

const GUID_KEY = '"guid":"';
/** The guid's first 24 characters stay; its last 12 become the event's number. */
const GUID_KEPT = 24;
const SEQ_DIGITS = 12;
const POLL_MS = 2;
/** The output must grow at least once in this long, or the run is reported as stuck. */
const STALL_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** The events to send: their lines (without newline) and the bytes on the wire of the first `count` (built once per count). */
export interface Workload {
  lines: string[];
  payload(count: number): Buffer;
}

export function workload(count: number): Workload {
  const texts = corpusTexts();
  const lines = Array.from({ length: count }, (_unused, n) => numbered(texts[n % texts.length], n));
  const payloads = new Map<number, Buffer>();
  const payload = (events: number) => {
    if (!payloads.has(events)) payloads.set(events, Buffer.from(`${lines.slice(0, events).join('\n')}\n`));
    return payloads.get(events)!;
  };
  return { lines, payload };
}

/** `text` with the guid's last 12 hex digits replaced by `n`, zero-padded: same size, unique. */
function numbered(text: string, n: number): string {
  const at = text.indexOf(GUID_KEY);
  if (at < 0) throw new Error(`corpus line without a "guid": ${text.slice(0, 80)}`);
  const digits = at + GUID_KEY.length + GUID_KEPT;
  return text.slice(0, digits) + String(n).padStart(SEQ_DIGITS, '0') + text.slice(digits + SEQ_DIGITS);
}

/** The event number of a line (its guid's last digits), -1 if it has none. */
export function sequenceOf(line: string): number {
  const at = line.indexOf(GUID_KEY);
  return at < 0 ? -1 : Number(line.slice(at + GUID_KEY.length + GUID_KEPT, at + GUID_KEY.length + GUID_KEPT + SEQ_DIGITS));
}

/**
 * Every event in `path` exactly once; with `exact`, byte for byte as sent (else `expected(line)`
 * says whether a line is right, e.g. the sent line plus a key the flow adds).
 */
export function checkOutput(path: string, work: Workload, count: number, expected: (line: string, sent: string) => boolean = (line, sent) => line === sent): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.pop() !== '') throw new Error(`${path}: the last line has no newline`);
  const seen = new Uint8Array(count);
  let altered = 0;
  let duplicates = 0;
  for (const line of lines) {
    const seq = sequenceOf(line);
    if (!(seq >= 0 && seq < count) || !expected(line, work.lines[seq])) altered++;
    else if (seen[seq] === 1) duplicates++;
    else seen[seq] = 1;
  }
  const missing = count - seen.reduce((sum, flag) => sum + flag, 0);
  if (altered + duplicates + missing > 0) {
    throw new Error(`${path}: ${lines.length} lines for ${count} events: ${missing} missing, ${duplicates} duplicated, ${altered} not as expected`);
  }
}

/** Node options that make a server write one CPU profile per thread into `dir` (bench/cpu-profile.ts reads them); none without a `dir`. */
export function cpuProfileOptions(dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** A port nothing listens on now (the OS's pick for port 0). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A server process under measurement, with what it said on stderr (shown if it fails). */
export class ServerProcess {
  readonly child: ChildProcess;
  stderr = '';
  exited?: string;

  constructor(args: string[], cwd: string, command = process.execPath) {
    this.child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', (code, signal) => (this.exited = signal ?? `exit code ${code}`));
  }

  /** Throws if the process has ended. */
  check(what: string): void {
    if (this.exited !== undefined) throw new Error(`${what}: the server ended (${this.exited}) before it was done:\n${this.stderr}`);
  }

  /** Connects once the server listens, retrying refused connections. */
  async connect(port: number): Promise<Socket> {
    for (;;) {
      this.check('connecting');
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const attempt = connect({ host: '127.0.0.1', port });
        const refused = () => resolve(undefined);
        attempt.once('error', refused);
        attempt.once('connect', () => {
          attempt.off('error', refused);
          resolve(attempt);
        });
      });
      if (socket !== undefined) return socket;
      await sleep(20);
    }
  }

  /** SIGTERM, then the exit; the server must stop cleanly. */
  async stop(): Promise<void> {
    if (this.exited === undefined) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (this.exited !== 'exit code 0') throw new Error(`the server did not stop cleanly (${this.exited}):\n${this.stderr}`);
  }

  /** For a `finally`: a server still running after a failure is killed. */
  kill(): void {
    if (this.exited === undefined) this.child.kill('SIGKILL');
  }
}

/** The size of `path` now (0 while it does not exist). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Waits until `path` holds at least `bytes` bytes; resolves with the time (performance.now()) it first held any. */
export async function outputHolds(path: string, bytes: number, server: ServerProcess): Promise<number> {
  let size = 0;
  let firstByteAt = 0;
  let grewAt = performance.now();
  while (size < bytes) {
    await sleep(POLL_MS);
    server.check('waiting for the output');
    const now = sizeOf(path);
    if (now > size) grewAt = performance.now();
    if (now > 0 && firstByteAt === 0) firstByteAt = performance.now();
    size = now;
    if (performance.now() - grewAt > STALL_MS) throw new Error(`${path} holds ${size} of ${bytes} bytes and has not grown for ${STALL_MS / 1000} s`);
  }
  return firstByteAt;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Busy jiffies (all but idle and iowait) and all jiffies of the machine so far, from /proc/stat. */
function cpuJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/**
 * Waits until the machine is quiet: less than QUIET_SHARE of its CPU busy over a QUIET_WINDOW_MS
 * window, or `maxMs` at most; returns how long it waited. Called before each measured round, so
 * that a round does not pay for background work the one before may leave running (a peer
 * server's, such as Redis rewriting its append-only file in a forked child once it has grown; the
 * kernel writing back what a round wrote). On a machine without /proc/stat it does not wait.
 */
export async function waitUntilQuiet(maxMs = 5000): Promise<number> {
  const started = performance.now();
  let before = cpuJiffies();
  while (before !== undefined && performance.now() - started < maxMs) {
    await sleep(QUIET_WINDOW_MS);
    const after = cpuJiffies();
    if (after === undefined) break;
    const share = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (share < QUIET_SHARE) break;
    before = after;
  }
  return performance.now() - started;
}
const QUIET_WINDOW_MS = 200;
/** A tenth of the machine: the bench process itself is idle between rounds. */
const QUIET_SHARE = 0.1;
