/**
 * `rill run` as a real child process: stdin and --in, err events on stderr, bad JSON lines,
 * compile errors, and a query with a real `qos::wal` that must drain before rill exits.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, type Finished } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-run-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function rill(args: string[], stdin = ''): Promise<Finished> {
  return runNode([RILL, ...args], { cwd: workDir, stdin, killAfterMs: 50_000 });
}

async function queryFile(name: string, text: string): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, text);
  return path;
}

describe('rill run', { timeout: 60_000 }, () => {
  it('runs a query over stdin, writing `out` to stdout and `err` to stderr, keeping ints and floats apart', async () => {
    const file = await queryFile(
      'split.trickle',
      'select event from in where event.n > 1 into out;\nselect {"rejected": event.n} from in where event.n <= 1 into err;\n',
    );
    const result = await rill(['run', file], '{"n":1}\n{"n":2,"f":6.0}\n{"n":3}');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"n":2,"f":6.0}\n{"n":3}\n');
    expect(result.stderr).toContain('{"rejected":1}');
  });

  it('writes an event no node changed as its input text, and one a select only added keys to as that text with the keys', async () => {
    // Spacing, `1.50`, an integer past 2^53 and a `\u` escape: all survive an unchanged pass, and
    // a patch that only inserts keys too (engine/extended-json.ts): only the new key is serialised.
    const input = '{"keep": 1, "price":1.50,"big":12345678901234567890,"name":"caf\\u00e9","f":6.0}';
    const file = await queryFile(
      'unchanged-or-not.trickle',
      [
        'create stream changed;',
        'select event from in where event.keep == 1 into out;',
        'select patch event of insert "seen" => true end from in into changed;',
        'select event from changed into out;',
        '',
      ].join('\n'),
    );
    const result = await rill(['run', file], ` ${input}\r\n`);
    expect(result.code).toBe(0);
    const [unchanged, changed] = result.stdout.split('\n');
    expect(unchanged).toBe(input);
    expect(changed).toBe(`${input.slice(0, -1)},"seen":true}`);
  });

  it('reads --in FILE, reports a bad JSON line with its number and goes on', async () => {
    const file = await queryFile('pass.trickle', 'select event from in into out;\n');
    const input = join(workDir, 'events.jsonl');
    await writeFile(input, '{"a":1}\n{"a":\n\n{"a":3}\r\n');
    const result = await rill(['run', file, '--in', input]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"a":1}\n{"a":3}\n');
    expect(result.stderr).toMatch(/line 2: invalid JSON/);
    expect(result.stderr).not.toMatch(/line [134]/);
  });

  it('exits 1 on a compile error, with file:line:column and the caret rendering', async () => {
    const file = await queryFile('broken.trickle', 'select event from in into out;\nselect event from nowhere into out;\n');
    const result = await rill(['run', file], '{"a":1}\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}:2:19`);
    expect(result.stderr).toMatch(/    2 \| select event from nowhere into out;\n\s+\| {19}\^{7} Stream/);
  });

  it('drains a qos::wal before exiting: every event comes out once the sink restores and acks', async () => {
    const file = await queryFile(
      'wal.trickle',
      [
        'define qos::wal operator on_disk_wal with',
        `  dir = ${JSON.stringify(join(workDir, 'wal-store'))}, read_count = 7, max_elements = 1000`,
        'end;',
        'create operator on_disk_wal;',
        'select patch event of insert "hostname" => "test" end from in into on_disk_wal;',
        'select event from on_disk_wal into out;',
        '',
      ].join('\n'),
    );
    const input = Array.from({ length: 200 }, (_, n) => JSON.stringify({ n })).join('\n');
    const result = await rill(['run', file], input);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { n: number; hostname: string });
    expect(lines.map((l) => l.n)).toEqual([...Array(200).keys()]);
    expect(lines.every((l) => l.hostname === 'test')).toBe(true);
  });

  it('pauses reading while a full WAL has tripped the circuit breaker, and still loses nothing', async () => {
    const file = await queryFile(
      'small-wal.trickle',
      'define qos::wal operator w with read_count = 20, max_elements = 50 end;\ncreate operator w;\nselect event from in into w;\nselect event from w into out;\n',
    );
    const input = Array.from({ length: 3000 }, (_, n) => JSON.stringify({ n })).join('\n');
    const result = await rill(['run', file], input);
    expect(result.code).toBe(0);
    const numbers = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual([...Array(3000).keys()]);
  });

  it("runs the seed's non-standard text as written, warning about each non-standard form", async () => {
    const seed = [
      'use tremor::system;',
      '',
      'define qos::wal operator on_disk_wal',
      'read_count = 20,',
      'max_elements = 1000, # Capacity limit of 1000 stored events',
      'max_bytes = 10485760 # Capacity limit of 1MB of events',
      '',
      'create operator on_disk_wal;',
      '',
      'select patch event of',
      'insert hostname = system::hostname()',
      'from in into on_disk_wal;',
      '',
      'select event from on_disk_wal into out;',
      '',
    ].join('\n');
    const file = await queryFile('persistent.trickle', seed);
    const result = await rill(['run', file], '{"onramp":"metronome","id":0}\n{"onramp":"metronome","id":1}\n');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; hostname: unknown });
    expect(lines.map((l) => l.id)).toEqual([0, 1]);
    expect(typeof lines[0].hostname).toBe('string');
    expect(result.stderr).toContain(`${file}:6:1: warning:`);
    expect(result.stderr).toContain(`${file}:11:1: warning:`);
  });

  it('describes itself in --help', async () => {
    const result = await rill(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--in <file>/);
    expect(result.stdout).toMatch(/Exit status/);
  });
});
