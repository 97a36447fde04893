/**
 * `rill server run` runs its pipelines in a worker thread with ENGINE_RESOURCE_LIMITS (bin/commands/
 * server-thread.ts), driven as real processes: the limit really applies to the thread that runs the
 * pipelines, SIGTERM still shuts down cleanly (the WAL closed, so a restart works), everything the
 * worker wrote reaches stdout/stderr before the process exits, a `stdin` onramp reads the process's
 * stdin to its end, an uncaught error in the worker exits 1, and RILL_ENGINE_THREAD=0 still works.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Child, freePort, waitFor } from '../e2e/processes.ts';
import { runNode } from '../support/run-node.ts';
import { ENGINE_RESOURCE_LIMITS } from '../../engine/runtime/engine-heap.ts';

const root = join(import.meta.dirname, '..', '..');
const RILL = join(root, 'bin', 'rill.mjs');
const dir = mkdtempSync(join(tmpdir(), 'rill-server-thread-'));
const children = new Set<Child>();

afterEach(async () => {
  for (const child of children) await child.kill('SIGKILL');
  children.clear();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `rill server run ARGS` with stdin as a pipe (`child.process.stdin`) and the given environment. */
function startServer(args: string[], env: Record<string, string> = {}, nodeOptions: string[] = []): Child {
  const child = new Child(
    spawn(process.execPath, [...nodeOptions, RILL, 'server', 'run', ...args], {
      cwd: root,
      env: { ...process.env, RILL_DEBUG_STARTUP: '', RILL_ENGINE_THREAD: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  children.add(child);
  return child;
}

/** What the RILL_DEBUG_STARTUP=1 line of the thread running the pipelines says about its heap. */
function reportedHeap(stderr: string): { thread: string; limits: string; heapSizeLimitMb: number } {
  const match = /rill startup: the pipelines run in (an engine thread|the main thread): (.*), heap_size_limit=(\d+) MB/.exec(stderr);
  if (!match) throw new Error(`no heap line in stderr:\n${stderr}`);
  return { thread: match[1], limits: match[2], heapSizeLimitMb: Number(match[3]) };
}

/** heap_size_limit of a plain Node main thread on this machine, in MB. */
async function defaultHeapSizeLimitMb(): Promise<number> {
  const probe = await runNode(['-p', 'Math.round(require("v8").getHeapStatistics().heap_size_limit / 1048576)'], { cwd: root });
  return Number(probe.stdout.trim());
}

/** A stdin onramp through a pass-through pipeline into the stdout offramp, each line prefixed. */
function stdinToStdoutConfig(): string[] {
  const config = mkdtempSync(join(dir, 'stdin-'));
  writeFileSync(
    join(config, 'connectors.yaml'),
    [
      'onramp:',
      '  - id: in',
      '    type: stdin',
      'offramp:',
      '  - id: out',
      '    type: stdout',
      '    config:',
      '      prefix: "out: "',
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/in/{instance}/out": ["/pipeline/pass/{instance}/in"]',
      '      "/pipeline/pass/{instance}/out": ["/offramp/out/{instance}/in"]',
      'mapping:',
      '  /binding/default/01:',
      '    instance: "01"',
      '',
    ].join('\n'),
  );
  writeFileSync(join(config, 'pass.trickle'), 'select event from in into out;\n');
  return readdirSync(config).map((file) => join(config, file));
}

function outputLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('out: '));
}

describe('rill server run in an engine thread', () => {
  it('stops cleanly on SIGTERM with all its output written, and a restart in the same --data-dir works', async () => {
    const example = join(root, 'examples/persistent-gd/etc/tremor/config');
    const config = join(dir, 'seed');
    mkdirSync(config);
    for (const file of readdirSync(example)) copyFileSync(join(example, file), join(config, file));
    const port = await freePort();
    writeFileSync(join(config, 'ws.yaml'), `offramp:\n  - id: ws\n    type: ws\n    config:\n      url: ws://127.0.0.1:${port}/\n`);
    writeFileSync(join(config, 'metronome.yaml'), 'onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: 20\n');
    const files = readdirSync(config).map((file) => join(config, file));
    const args = ['-f', ...files, '--embedded-receiver', '--data-dir', join(dir, 'seed-data')];
    const printed = (child: Child) => child.stdout.split('\n').filter((line) => line.startsWith('{'));

    for (const run of [1, 2]) {
      const engine = startServer(args, { RILL_DEBUG_STARTUP: '1' });
      await waitFor(() => printed(engine).length >= 10 || !engine.running, `run ${run}: ten events printed by the embedded receiver`);
      await engine.kill('SIGTERM');
      expect(engine.exitCode, engine.stderr).toBe(0);
      // The supervisor's log, then the engine thread's last status line and its last words.
      expect(engine.stderr).toMatch(/rill: SIGTERM: shutting down\n(.*\n)*rill: status: onramp\/metronome\/01 .*\nrill: stopped\n$/);
      expect(reportedHeap(engine.stderr).thread).toBe('an engine thread');
      // Every line the engine thread wrote arrived whole: nothing cut off at exit.
      expect(engine.stdout.endsWith('\n')).toBe(true);
      for (const line of printed(engine)) expect(JSON.parse(line)).toMatchObject({ onramp: 'metronome' });
    }
  });

  it('runs the pipelines in a thread whose young generation is ENGINE_RESOURCE_LIMITS, the main thread with RILL_ENGINE_THREAD=0', async () => {
    const files = stdinToStdoutConfig();
    const heapLine = async (engineThread: string) => {
      const server = startServer(['-f', ...files, '--quiet'], { RILL_DEBUG_STARTUP: '1', RILL_ENGINE_THREAD: engineThread });
      await waitFor(() => server.stderr.includes('heap_size_limit') || !server.running, 'the heap line');
      await server.kill('SIGTERM');
      expect(server.exitCode, server.stderr).toBe(0);
      stderrs.push(server.stderr);
      return reportedHeap(server.stderr);
    };
    const stderrs: string[] = [];
    const [worker, main] = [await heapLine(''), await heapLine('0')];
    const workerStderr = stderrs[0];
    const defaultLimitMb = await defaultHeapSizeLimitMb();

    expect(worker.thread).toBe('an engine thread');
    // From its CommonJS bundle, with or without a code cache yet (bin/compiled-cache.mjs), not through tsx.
    expect(workerStderr).toMatch(/server-engine\.cjs compiled with (no code cache yet|its code cache)/);
    expect(worker.limits).toBe(`maxYoungGenerationSizeMb=${ENGINE_RESOURCE_LIMITS.maxYoungGenerationSizeMb}`);
    // V8's own figure: a young generation above the default 48 MB (three 16 MB semi-spaces) raises
    // the heap limit (64 MB: by 48 MB on Node 20). Checked loosely, as V8 versions round differently.
    expect(worker.heapSizeLimitMb - defaultLimitMb).toBeGreaterThan(20);

    expect(main.thread).toBe('the main thread');
    expect(main.limits).toBe('default V8 limits');
    expect(Math.abs(main.heapSizeLimitMb - defaultLimitMb)).toBeLessThan(10);
  });

  it('a `server run` that ends before any server starts (no files, a bad option, --help) exits at once: the engine thread started ahead of the CLI keeps nothing alive', async () => {
    const run = (args: string[]) => runNode([RILL, 'server', 'run', ...args], { cwd: root, env: { ...process.env, RILL_ENGINE_THREAD: '' } });
    const [noFiles, badOption, help] = await Promise.all([run([]), run(['--no-such-option', 'x.troy']), run(['--help'])]);
    expect(noFiles).toMatchObject({ code: 1, stderr: expect.stringContaining('no files given') });
    expect(badOption).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown option '--no-such-option'") });
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: rill server run') });
  });

  it('a configuration error: every problem, the summary, exit 1 (more stderr than a pipe holds)', async () => {
    const problems = 1500;
    const lines = ['onramp:'];
    for (let i = 0; i < problems; i++) lines.push(`  - id: source_${i}`, '    type: metronome', '    config:', `      intervall_${i}: 10`);
    const file = join(dir, 'many-problems.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = (engineThread: string) => runNode([RILL, 'server', 'run', '-f', file], { cwd: root, env: { ...process.env, RILL_ENGINE_THREAD: engineThread } });
    const [result, inMainThread] = [await run(''), await run('0')];
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    expect(result.stderr.length).toBeGreaterThan(128 * 1024);
    for (const i of [0, 749, problems - 1]) expect(result.stderr).toContain(`onramp "source_${i}": config: unknown key "intervall_${i}"`);
    expect(result.stderr.match(/unknown key "intervall_\d+"/g)).toHaveLength(problems);
    // Each entry also lacks its required `interval`: two problems per entry.
    expect(result.stderr.endsWith(`rill: ${2 * problems} problems in the configuration; nothing was started\n`)).toBe(true);
    // Exactly what the same server run in the main thread prints.
    expect(inMainThread.code).toBe(1);
    expect(result.stderr).toBe(inMainThread.stderr);
  });

  for (const engineThread of ['', '0']) {
    it(`a stdin onramp reads the process's stdin as it comes and to its end${engineThread === '0' ? ' (RILL_ENGINE_THREAD=0)' : ''}`, async () => {
      const server = startServer(['-f', ...stdinToStdoutConfig(), '--quiet'], { RILL_ENGINE_THREAD: engineThread });
      const stdin = server.process.stdin!;
      // Streamed, not read only at the end: the first line comes out while stdin is still open.
      stdin.write('{"n":0}\n');
      await waitFor(() => outputLines(server.stdout).length === 1 || !server.running, 'the first stdin line on stdout');
      const count = 3000;
      for (let n = 1; n < count; n++) stdin.write(`{"n":${n}}\n`);
      // The last line has no newline: only the end of stdin delivers it.
      stdin.end(`{"n":${count}}`);
      await waitFor(() => outputLines(server.stdout).length === count + 1 || !server.running, `${count + 1} lines on stdout`);
      expect(server.running, server.stderr).toBe(true); // the end of stdin ends the source, not the server
      await server.kill('SIGTERM');
      expect(server.exitCode, server.stderr).toBe(0);
      expect(server.stderr).toContain('rill: stopped\n');
      const numbers = outputLines(server.stdout).map((line) => (JSON.parse(line.slice('out: '.length)) as { n: number }).n);
      expect(numbers).toEqual(Array.from({ length: count + 1 }, (_, n) => n));
    });
  }

  it('an uncaught error in the engine thread is printed and exits 1', async () => {
    // Preloaded into every thread through --import (workers inherit the execArgv); throws only in the worker.
    const inject = join(dir, 'throw-in-worker.mjs');
    writeFileSync(
      inject,
      "import { isMainThread } from 'node:worker_threads';\n" +
        "if (!isMainThread) setTimeout(() => { throw new Error('injected failure in the engine thread'); }, 300);\n",
    );
    const result = await runNode(['--import', inject, RILL, 'server', 'run', '-f', ...stdinToStdoutConfig(), '--quiet'], {
      cwd: root,
      env: { ...process.env, RILL_ENGINE_THREAD: '' },
      stdin: '',
      killAfterMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^rill: the engine thread failed: Error: injected failure in the engine thread$/m);
  });
});
