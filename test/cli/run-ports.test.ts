/**
 * `rill run` as a real process: `--in -` reads stdin; an event of a port other than `out` gets a
 * note on stderr the first time (written among `out`'s, or not at all), and `--ports` writes every
 * port's events to stdout labelled `{"port", "event"}`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let dir: string;
let query: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rill-run-ports-'));
  query = join(dir, 'ports.trickle');
  await writeFile(query, 'select event.a from in into out;\nselect event.a * 10 from in into out/tens;\nselect event.a * 100 from in into err;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[], stdin: string) => runNode([RILL, 'run', query, ...args], { cwd: dir, stdin, killAfterMs: 50_000 });

describe('rill run ports', { timeout: 60_000 }, () => {
  it('--in - reads stdin; out/tens goes to stdout with one note on stderr, err to stderr', async () => {
    const result = await run(['--in', '-'], '{"a":1}\n{"a":2}\n');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(['1', '10', '2', '20']);
    const notes = result.stderr.split('\n').filter((line) => line.startsWith('rill run:'));
    expect(notes).toEqual(['rill run: events of port `out/tens` are written to stdout among those of `out`; --ports labels every event with its port']);
    expect(result.stderr.split('\n').filter((line) => /^\d+$/.test(line))).toEqual(['100', '200']);
  });

  it('--ports labels every event with its port, on stdout, with no note', async () => {
    const result = await run(['--ports'], '{"a":1}\n');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual([
      { port: 'out', event: 1 },
      { port: 'out/tens', event: 10 },
      { port: 'err', event: 100 },
    ]);
    expect(result.stderr).toBe('');
  });
});
