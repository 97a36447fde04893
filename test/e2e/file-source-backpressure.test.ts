/**
 * `rill server run` with the `file` onramp under backpressure, as real processes:
 * - into a `qos::wal` that fills up (its stdout offramp's reader stops reading): the WAL triggers
 *   the source, which waits until `restore`, so every line arrives once the reader reads again,
 *   in order, none missing or repeated (a refusal's `fail` and re-read are in the unit tests);
 * - into a pipeline that drops a line (a `where`): the pipeline acks it (engine/executor.ts), so
 *   reading goes on past `max_in_flight` and every other line arrives;
 * - into a pipeline whose select fails on a line (a runtime error): the error is reported and the
 *   line acked, reading goes on;
 * - into a sink that never settles one line (the `cb` debug sink, troy): reading stops at
 *   `max_in_flight`, and a warning says which line and why instead of a silent hang.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, startEngine, waitFor } from './processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-file-backpressure-'));
const input = join(dir, 'in.jsonl');
const LINES = 3000;
/** ~500-byte lines: the stdout sink's 16 KB buffer and the pipe fill long before the file ends. */
const PADDING = 'p'.repeat(480);
const MAX_ELEMENTS = 100;

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function artefacts(name: string, query: string[], maxInFlight: number): string[] {
  const trickle = join(dir, `${name}.trickle`);
  writeFileSync(trickle, [...query, ''].join('\n'));
  const yaml = join(dir, `${name}.yaml`);
  writeFileSync(
    yaml,
    [
      'onramp:',
      '  - id: lines',
      '    type: file',
      '    config:',
      `      source: ${JSON.stringify(input)}`,
      `      max_in_flight: ${maxInFlight}`,
      'offramp:',
      '  - id: stdout',
      '    type: stdout',
      'binding:',
      '  - id: default',
      '    links:',
      `      "/onramp/lines/{instance}/out": ["/pipeline/${name}/{instance}/in"]`,
      `      "/pipeline/${name}/{instance}/out": ["/offramp/stdout/{instance}/in"]`,
      'mapping:',
      '  /binding/default/01:',
      '    instance: "01"',
      '',
    ].join('\n'),
  );
  return [trickle, yaml];
}

function numbersOf(stdout: string): number[] {
  const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

describe('file onramp under backpressure', () => {
  it('into a full qos::wal: the source waits while the WAL is full, and every line arrives once, in order', async () => {
    writeFileSync(input, Array.from({ length: LINES }, (_, n) => `{"n":${n},"padding":"${PADDING}"}\n`).join(''));
    const files = artefacts('full', [
      'define qos::wal operator wal with',
      `  read_count = 20, max_elements = ${MAX_ELEMENTS}, max_in_flight = 50`,
      'end;',
      'create operator wal;',
      'select event from in into wal;',
      'select event from wal into out;',
    ], 100);
    const engine = startEngine(['-f', ...files, '--status-interval', '0.3']);
    await waitFor(() => numbersOf(engine.stdout).length > 0 || !engine.running, 'the first line');
    engine.process.stdout!.pause();
    await waitFor(() => /upstream=full/.test(engine.stderr) && /onramp\/lines\/01 emitted=\d+ circuit=triggered/.test(engine.stderr), 'the WAL full and the source triggered', 60_000);
    engine.process.stdout!.resume();
    await waitFor(() => numbersOf(engine.stdout).length >= LINES || !engine.running, 'every line', 120_000);
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
    const numbers = numbersOf(engine.stdout);
    expect(numbers).toEqual(Array.from({ length: LINES }, (_, n) => n));
    // The WAL's trigger reaches the source while it emits the line that fills the WAL, so it stops
    // before the WAL has to refuse one: nothing is sent twice either.
    const emitted = Math.max(...[...engine.stderr.matchAll(/onramp\/lines\/01 emitted=(\d+)/g)].map((m) => Number(m[1])));
    expect(emitted).toBe(LINES);
    console.log(`e2e file source into a full WAL: lines=${LINES} delivered=${numbers.length} emitted=${emitted}`);
  });

  it('into a pipeline that drops a line: the drop acks it, and reading goes on past max_in_flight', async () => {
    writeFileSync(input, Array.from({ length: 100 }, (_, n) => `{"n":${n}}\n`).join(''));
    const files = artefacts('dropping', ['select event from in where event.n != 3 into out;'], 10);
    const engine = startEngine(['-f', ...files, '--status-interval', '1']);
    await waitFor(() => numbersOf(engine.stdout).length === 99 || !engine.running, 'every other line', 60_000);
    expect(numbersOf(engine.stdout)).toEqual(Array.from({ length: 100 }, (_, n) => n).filter((n) => n !== 3));
    expect(engine.stderr).not.toContain('waits: line');
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
  });

  it('into a pipeline whose select fails on a line: the error is reported, the line acked, reading goes on', async () => {
    writeFileSync(input, Array.from({ length: 100 }, (_, n) => (n === 3 ? '{"m":3}\n' : `{"n":${n}}\n`)).join(''));
    const files = artefacts('failing', ['select event from in where event.n >= 0 into out;'], 10);
    const engine = startEngine(['-f', ...files, '--status-interval', '1']);
    await waitFor(() => numbersOf(engine.stdout).length === 99 || !engine.running, 'every other line', 60_000);
    expect(numbersOf(engine.stdout)).toEqual(Array.from({ length: 100 }, (_, n) => n).filter((n) => n !== 3));
    expect(engine.stderr).toContain('Trying to access a non existing event key `n`');
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
  });

  it('into a sink that never settles a line: reading waits at max_in_flight with a warning naming the line', async () => {
    // The cb sink acks what says {"cb": "ack"} and leaves line 4 (n = 3), which says nothing, unsettled.
    writeFileSync(input, Array.from({ length: 100 }, (_, n) => (n === 3 ? '{"n":3}\n' : `{"n":${n},"cb":"ack"}\n`)).join(''));
    const troy = join(dir, 'unsettled.troy');
    writeFileSync(
      troy,
      `define flow main
flow
  use tremor::pipelines;
  define connector lines from file with codec = "json", config = {"path": ${JSON.stringify(input)}, "mode": "read", "max_in_flight": 10} end;
  define connector check from cb with config = {} end;
  create connector lines; create connector check;
  create pipeline main from pipelines::passthrough;
  connect /connector/lines to /pipeline/main;
  connect /pipeline/main to /connector/check;
end;
deploy flow main;
`,
    );
    const engine = startEngine(['--debug-connectors', '-n', '--status-interval', '1', troy]);
    await waitFor(() => /waits: line 4 has been neither acked nor failed/.test(engine.stderr) || !engine.running, 'the stall warning', 60_000);
    expect(engine.running, engine.stderr).toBe(true);
    // max_in_flight (10) lines from the unsettled line 4 on were read: lines 1..13, nothing after.
    expect(engine.stderr).toMatch(/onramp\/lines\/main emitted=13 /);
    expect(engine.stderr).toContain('a sink that never answers');
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
  });
});
