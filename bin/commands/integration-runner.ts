/**
 * The harness behind `rill test integration`: runs Tremor-style integration test folders the way
 * `tremor test integration` (tremor-cli/src/test/process.rs, Tremor 0.12.4) does, as
 * shared/troy-corpus/INDEX.md §4 describes it:
 *
 * - a case is a folder with `*.troy` files given directly, or every folder holding a `tags.yaml`
 *   below the folder given (a folder holding `meta.yaml` is a suite, not a case);
 * - each case runs in a temporary COPY of its folder (cases write `out.log`, `fg.out.log`, ... into
 *   their folder, and the corpus is read-only), laid out as in the tests root: `<tmp>/lib` and
 *   `<tmp>/stdlib` beside `<tmp>/<path of the case below the tests root>`;
 * - `before.yaml` steps (a list: cmd, args, dir, env, await, max-await-secs, min-await-secs), then
 *   `rill server run -n --debug-connectors <every *.troy of the case, sorted>` with cwd = the case,
 *   `TREMOR_PATH` = inherited:<tests-root>/lib:<case>/lib, the `stdin` file (if any) on its stdin,
 *   stdout/stderr in `fg.out.log`/`fg.err.log`; then `after.yaml` (one mapping), then `assert.yaml`.
 *
 * Departures from upstream, each for robustness: a `before` process with no `await` is waited for
 * (up to its max-await-secs) so that a short preparation script finishes before the server starts
 * (INDEX §4.3 "Race"); background `before` processes still running when the case ends are killed;
 * the main process is killed after a per-case timeout (upstream aborts the whole run instead); a
 * harness error (missing assert source, bad YAML) fails that case instead of aborting the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** bin/rill.mjs, found upwards from this file (which may run from a bundle in node_modules/.cache). */
export const RILL_BIN = findRillBin(fileURLToPath(import.meta.url));

function findRillBin(thisFile: string): string {
  for (let dir = dirname(thisFile); dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'bin', 'rill.mjs');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find bin/rill.mjs above ${thisFile}`);
}

export interface IntegrationCase {
  /** The case folder (the original, never written to). */
  dir: string;
  /** The tests root: where `lib/` (and `stdlib/`) are looked for, and what the copy mirrors. */
  root: string;
  /** The case's path below the root, as reported ("integration/tcp"); the basename for a lone case. */
  name: string;
  tags: string[];
}

export interface IntegrationResult {
  name: string;
  ok: boolean;
  /** Why it failed; empty when ok. */
  reason: string;
  /** The copy the case ran in, when kept. */
  workDir?: string;
}

export interface IntegrationOptions {
  /** Seconds the main process may run before it is killed (default 60). */
  timeoutSecs?: number;
  /** Prepended to TREMOR_PATH for every child (as CI sets `tremor-script/lib:tests/lib`). */
  tremorPath?: string;
  /** Keep each case's temporary copy (its path is in the result). */
  keep?: boolean;
}

export class HarnessError extends Error {}

/** The cases in `dir`: itself if it has `*.troy` files, else every folder below with a `tags.yaml`. */
export function discoverCases(dir: string): IntegrationCase[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new HarnessError(`${dir}: not a directory`);
  if (troyFiles(root).length > 0) return [{ dir: root, root, name: basename(root), tags: tagsOf(root, root) }];
  const cases: IntegrationCase[] = [];
  const walk = (folder: string): void => {
    const entries = readdirSync(folder, { withFileTypes: true });
    const names = new Set(entries.map((entry) => entry.name));
    if (folder !== root && names.has('tags.yaml') && !names.has('meta.yaml')) {
      cases.push({ dir: folder, root, name: relative(root, folder), tags: tagsOf(root, folder) });
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.isDirectory() && !['lib', 'before', 'after', 'node_modules', '.git'].includes(entry.name)) walk(join(folder, entry.name));
    }
  };
  walk(root);
  if (cases.length === 0) throw new HarnessError(`${dir}: no integration cases (no *.troy here, and no folder below with a tags.yaml)`);
  return cases;
}

/** The case in `dir` of the tests root `root` (as discoverCases finds it), named by its path below the root. */
export function integrationCaseAt(root: string, dir: string): IntegrationCase {
  return { dir: resolve(dir), root: resolve(root), name: relative(resolve(root), resolve(dir)), tags: tagsOf(resolve(root), resolve(dir)) };
}

/** Tremor's tag filter (INDEX §4.2): include wins over exclude; with includes only, the rest is skipped. */
export function selectedByTags(tags: readonly string[], includes: readonly string[], excludes: readonly string[]): boolean {
  if (includes.length === 0 && excludes.length === 0) return true;
  if (tags.some((tag) => includes.includes(tag))) return true;
  if (tags.some((tag) => excludes.includes(tag))) return false;
  return includes.length === 0;
}

/** Every `tags.yaml` from the root down to the case, plus the case's basename. */
function tagsOf(root: string, caseDir: string): string[] {
  const tags = new Set<string>();
  let folder = caseDir;
  for (;;) {
    const file = join(folder, 'tags.yaml');
    if (existsSync(file)) {
      const list = parseYaml(readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(list)) for (const tag of list) tags.add(String(tag));
    }
    if (folder === root || dirname(folder) === folder) break;
    folder = dirname(folder);
  }
  tags.add(basename(caseDir));
  return [...tags].sort();
}

function troyFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.troy') && statSync(join(dir, name)).isFile())
    .sort();
}

/**
 * Port numbers a case's troy files name: two cases naming the same port must not run at once
 * (tcp and tcp-tls both listen on 65535).
 */
export function portsOf(integrationCase: IntegrationCase): Set<string> {
  const ports = new Set<string>();
  const scan = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) scan(path);
      else if (entry.name.endsWith('.troy') || entry.name.endsWith('.yaml')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/:(\d{2,5})\b|"(\d{4,5})"/g)) ports.add(match[1] ?? match[2]);
      }
    }
  };
  scan(integrationCase.dir);
  return ports;
}

/**
 * Runs the cases, at most `concurrency` at once and never two naming the same port at once;
 * `onResult` sees each result as it comes. Results are returned in the order of `cases`.
 */
export async function runIntegrationCases(
  cases: readonly IntegrationCase[],
  options: IntegrationOptions & { concurrency?: number; onResult?: (result: IntegrationResult) => void },
): Promise<IntegrationResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const results = new Array<IntegrationResult>(cases.length);
  const ports = cases.map(portsOf);
  const waiting = cases.map((_, index) => index);
  const running = new Set<number>();
  await new Promise<void>((done) => {
    const startMore = (): void => {
      if (waiting.length === 0 && running.size === 0) return done();
      for (let i = 0; i < waiting.length && running.size < concurrency; i++) {
        const index = waiting[i];
        const clashes = [...running].some((other) => [...ports[index]].some((port) => ports[other].has(port)));
        if (clashes) continue;
        waiting.splice(i--, 1);
        running.add(index);
        void runIntegrationCase(cases[index], options).then((result) => {
          results[index] = result;
          running.delete(index);
          options.onResult?.(result);
          startMore();
        });
      }
    };
    startMore();
  });
  return results;
}

/** Runs one case in a temporary copy; never throws (a harness error is a failed case). */
export async function runIntegrationCase(integrationCase: IntegrationCase, options: IntegrationOptions = {}): Promise<IntegrationResult> {
  const work = mkdtempSync(join(tmpdir(), 'rill-integration-'));
  const background: ChildProcess[] = [];
  let reason: string;
  try {
    const caseDir = copyCase(integrationCase, work);
    reason = await runCopiedCase(caseDir, join(work, 'lib'), background, options);
  } catch (error) {
    reason = `harness error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    for (const child of background) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (!options.keep) rmSync(work, { recursive: true, force: true });
  return { name: integrationCase.name, ok: reason === '', reason, ...(options.keep ? { workDir: work } : {}) };
}

/** Copies the case, plus `lib/` and `stdlib/` of the tests root beside it; returns the copied case dir. */
function copyCase(integrationCase: IntegrationCase, work: string): string {
  for (const shared of ['lib', 'stdlib']) {
    const from = join(integrationCase.root, shared);
    if (integrationCase.dir !== integrationCase.root && existsSync(from)) cpSync(from, join(work, shared), { recursive: true });
  }
  const caseDir = join(work, relative(integrationCase.root, integrationCase.dir) || basename(integrationCase.dir));
  // The corpus is read-only, and cp keeps modes: the copy must be writable (cases write into it).
  cpSync(integrationCase.dir, caseDir, { recursive: true });
  makeWritable(caseDir);
  return caseDir;
}

function makeWritable(path: string): void {
  const stat = statSync(path);
  // Owner write added, the other bits kept (the executable bit of the .sh scripts).
  chmodSync(path, stat.mode | 0o200);
  if (stat.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

async function runCopiedCase(caseDir: string, rootLib: string, background: ChildProcess[], options: IntegrationOptions): Promise<string> {
  const assertSpec = loadAssert(caseDir);
  const inherited = [options.tremorPath, process.env.TREMOR_PATH].filter((entry): entry is string => !!entry).join(':');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    TREMOR_PATH: [inherited, rootLib, join(caseDir, 'lib')].filter((entry) => entry !== '').join(':'),
  };
  const timeoutSecs = options.timeoutSecs ?? 60;
  let beforeError: string | undefined;
  try {
    await runBefore(caseDir, env, background);
  } catch (error) {
    beforeError = error instanceof Error ? error.message : String(error);
  }
  let status: number | 'timeout' | undefined;
  if (beforeError === undefined) {
    const troys = troyFiles(caseDir).map((name) => join(caseDir, name));
    const stdinFile = join(caseDir, 'stdin');
    status = await runProcess(process.execPath, [RILL_BIN, 'server', 'run', '-n', '--debug-connectors', ...troys], {
      cwd: caseDir,
      env,
      stdin: existsSync(stdinFile) ? readFileSync(stdinFile) : 'open',
      stdout: join(caseDir, 'fg.out.log'),
      stderr: join(caseDir, 'fg.err.log'),
      timeoutSecs,
    });
  }
  await runAfter(caseDir, env, timeoutSecs);
  if (beforeError !== undefined) return `before step failed: ${beforeError}`;
  if (status === 'timeout') return `rill server run did not exit within ${timeoutSecs}s (killed)${errorHint(caseDir)}`;
  const failures = checkAsserts(caseDir, assertSpec, status!);
  return failures.length === 0 ? '' : failures.join('; ') + errorHint(caseDir);
}

/** The first lines of fg.err.log that are not status lines: the usual clue to why a case failed. */
function errorHint(caseDir: string): string {
  const file = join(caseDir, 'fg.err.log');
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^rill: (\d+ |stopped$|in |status)/.test(line));
  return lines.length === 0 ? '' : ` | stderr: ${lines.slice(0, 3).join(' / ').slice(0, 400)}`;
}

interface AssertSpec {
  status: number;
  asserts: Array<{ source: string; contains?: string[]; doesnt_contain?: string[]; equals_file?: string }>;
}

/** assert.yaml (INDEX §4.4); none means "status 0". Unknown keys are ignored, as upstream. */
function loadAssert(caseDir: string): AssertSpec {
  const file = join(caseDir, 'assert.yaml');
  if (!existsSync(file)) return { status: 0, asserts: [] };
  const spec = parseYaml(readFileSync(file, 'utf8')) as Partial<AssertSpec> | null;
  if (spec === null || typeof spec !== 'object' || typeof spec.status !== 'number' || !Array.isArray(spec.asserts)) {
    throw new Error(`assert.yaml: expected a mapping with status (an integer), name and asserts (a list)`);
  }
  for (const entry of spec.asserts) {
    if (typeof entry?.source !== 'string') throw new Error('assert.yaml: every asserts entry needs a source');
    if (entry.equals_file !== undefined && resolveAssertPath(caseDir, entry.equals_file) === undefined) {
      throw new Error(`assert.yaml: equals_file ${entry.equals_file} does not exist`);
    }
  }
  return spec as AssertSpec;
}

/** A path tried relative to the cwd (the case) then to assert.yaml's folder: the same folder here. */
function resolveAssertPath(caseDir: string, path: string): string | undefined {
  const full = isAbsolute(path) ? path : join(caseDir, path);
  return existsSync(full) ? full : undefined;
}

function checkAsserts(caseDir: string, spec: AssertSpec, status: number): string[] {
  const failures: string[] = [];
  if (status !== spec.status) failures.push(`status: expected ${spec.status}, got ${status}`);
  for (const entry of spec.asserts) {
    const lower = entry.source.toLowerCase();
    const sourceName = lower === 'stdout' ? 'fg.out.log' : lower === 'stderr' ? 'fg.err.log' : entry.source;
    if (entry.contains === undefined && entry.doesnt_contain === undefined && entry.equals_file === undefined) continue;
    const sourcePath = resolveAssertPath(caseDir, sourceName);
    if (sourcePath === undefined) {
      failures.push(`${sourceName} was not written`);
      continue;
    }
    const text = readFileSync(sourcePath, 'utf8');
    const lines = text.split('\n');
    for (const wanted of entry.contains ?? []) {
      const needle = String(wanted).trim();
      if (!lines.some((line) => line.includes(needle))) failures.push(`${sourceName} does not contain ${JSON.stringify(clip(needle))}`);
    }
    for (const unwanted of entry.doesnt_contain ?? []) {
      const needle = String(unwanted).trim();
      if (lines.some((line) => line.includes(needle))) failures.push(`${sourceName} contains ${JSON.stringify(clip(needle))}`);
    }
    if (entry.equals_file !== undefined) {
      const expected = readFileSync(resolveAssertPath(caseDir, entry.equals_file)!, 'utf8');
      if (text !== expected) failures.push(`${sourceName} differs from ${entry.equals_file}: ${firstDifference(expected, text)}`);
    }
  }
  return failures;
}

function clip(text: string, length = 80): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}

function firstDifference(expected: string, got: string): string {
  const want = expected.split('\n');
  const have = got.split('\n');
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    if (want[i] !== have[i]) {
      const show = (line: string | undefined): string => (line === undefined ? '(no line)' : JSON.stringify(clip(line)));
      return `line ${i + 1}: expected ${show(want[i])}, got ${show(have[i])} (${have.length} lines, ${want.length} expected)`;
    }
  }
  return 'they differ';
}

interface BeforeStep {
  cmd: string;
  args?: unknown[];
  dir?: string;
  env?: Record<string, unknown>;
  await?: Record<string, unknown[]>;
  'max-await-secs'?: number;
  'min-await-secs'?: number;
}

async function runBefore(caseDir: string, env: NodeJS.ProcessEnv, background: ChildProcess[]): Promise<void> {
  const file = join(caseDir, 'before.yaml');
  if (!existsSync(file)) return;
  const steps = parseYaml(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(steps)) throw new Error('before.yaml: expected a list of steps');
  for (const [index, step] of (steps as BeforeStep[]).entries()) {
    if (typeof step?.cmd !== 'string') throw new Error(`before.yaml: step ${index} has no cmd`);
    const cwd = join(caseDir, step.dir ?? '.');
    const [program, args] = command(step.cmd, (step.args ?? []).map(String));
    const out = openSync(join(caseDir, `before.out.${index}.log`), 'w');
    const err = openSync(join(caseDir, `before.err.${index}.log`), 'w');
    const child = spawn(program, args, { cwd, env: { ...env, ...stringValues(step.env) }, stdio: ['pipe', out, err] });
    closeSync(out);
    closeSync(err);
    background.push(child);
    let exit: number | undefined;
    let spawnError: string | undefined;
    child.on('error', (error) => {
      spawnError = error.message;
      exit = 127;
    });
    child.on('exit', (code, signal) => (exit = signal !== null ? 99 : (code ?? 99)));
    const started = Date.now();
    const maxAwaitMs = Number(step['max-await-secs'] ?? 0) * 1000;
    const conditions = step.await ?? {};
    const description = `${step.cmd} ${args.join(' ')}`;
    if (Object.keys(conditions).length === 0) {
      // No await: give a short preparation script time to finish (INDEX §4.3 "Race").
      while (exit === undefined && Date.now() - started < maxAwaitMs) await sleep(100);
    } else {
      for (;;) {
        // A program that cannot start (docker not installed) fulfils nothing: no use waiting.
        if (spawnError !== undefined) throw new Error(`before command: cannot run ${step.cmd}: ${spawnError}`);
        if (await conditionsHold(conditions, started, () => exit)) break;
        // Nor does one that failed (docker with no daemon): upstream waits out max-await-secs.
        if (exit !== undefined && exit !== 0) {
          throw new Error(`before command: ${description} exited with status ${exit} before fulfilling ${JSON.stringify(conditions)} (see before.err.${index}.log)${firstLine(join(caseDir, `before.err.${index}.log`))}`);
        }
        if (Date.now() - started > maxAwaitMs) {
          throw new Error(`before command: ${description} did not fulfil conditions ${JSON.stringify(conditions)} and timed out after ${maxAwaitMs / 1000}s`);
        }
        await sleep(100);
      }
    }
    await sleep(Number(step['min-await-secs'] ?? 0) * 1000);
  }
}

function firstLine(file: string): string {
  const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((text) => text.trim() !== '') : undefined;
  return line === undefined ? '' : `: ${clip(line, 200)}`;
}

async function conditionsHold(conditions: Record<string, unknown[]>, started: number, exit: () => number | undefined): Promise<boolean> {
  for (const [key, values] of Object.entries(conditions)) {
    const list = Array.isArray(values) ? values.map(String) : [String(values)];
    switch (key) {
      case 'port-open':
        for (const port of list) if (!(await portOpen(Number(port)))) return false;
        break;
      case 'wait-for-ms':
        for (const ms of list) if (Date.now() - started < Number(ms)) return false;
        break;
      case 'status':
        for (const code of list) if (exit() !== Number(code)) return false;
        break;
      case 'http-ok':
        for (const url of list) {
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
            if (!response.ok) return false;
          } catch {
            return false;
          }
        }
        break;
      // file-exists never fails upstream (a missing path is ignored); unknown keys are ignored.
      default:
    }
  }
  return true;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

async function runAfter(caseDir: string, env: NodeJS.ProcessEnv, timeoutSecs: number): Promise<void> {
  const file = join(caseDir, 'after.yaml');
  if (!existsSync(file)) return;
  const step = parseYaml(readFileSync(file, 'utf8')) as BeforeStep | null;
  if (typeof step?.cmd !== 'string') return;
  const [program, args] = command(step.cmd, (step.args ?? []).map(String));
  await runProcess(program, args, {
    cwd: join(caseDir, step.dir ?? '.'),
    env: { ...env, ...stringValues(step.env) },
    stdin: 'open',
    stdout: join(caseDir, 'after.out.log'),
    stderr: join(caseDir, 'after.err.log'),
    timeoutSecs,
  });
}

/** `tremor` means the binary under test: rill. */
function command(cmd: string, args: string[]): [string, string[]] {
  return cmd === 'tremor' ? [process.execPath, [RILL_BIN, ...args]] : [cmd, args];
}

function stringValues(record: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, String(value)]));
}

interface ProcessIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Bytes written then EOF, or a pipe left open that never delivers data. */
  stdin: Buffer | 'open';
  stdout: string;
  stderr: string;
  timeoutSecs: number;
}

/** Runs to exit; the exit code (a signal counts as 99, as upstream), or 'timeout' after killing it. */
function runProcess(program: string, args: string[], io: ProcessIo): Promise<number | 'timeout'> {
  const out = openSync(io.stdout, 'w');
  const err = openSync(io.stderr, 'w');
  const child = spawn(program, args, { cwd: io.cwd, env: io.env, stdio: ['pipe', out, err] });
  closeSync(out);
  closeSync(err);
  child.stdin!.on('error', () => {});
  if (io.stdin !== 'open') child.stdin!.end(io.stdin);
  return new Promise((resolveExit) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, io.timeoutSecs * 1000);
    child.once('error', () => {
      clearTimeout(timer);
      resolveExit(127);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      child.stdin!.destroy();
      resolveExit(timedOut ? 'timeout' : signal !== null ? 99 : (code ?? 99));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
