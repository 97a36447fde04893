/**
 * `rill run` (a real child process) and an event it cannot write: a line 100,000 arrays deep parses,
 * but a payload a select built from it cannot be serialised (JSON.stringify overflows the stack).
 * Before the fix the run ended there with a `RangeError` stack trace and exit status 1. Now the
 * event is reported on stderr with its input line number, the run goes on (exit 0, docs/cli.md), and
 * behind a `qos::wal` the event is failed back, re-sent up to `max_attempts` and then dead-lettered.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, type Finished } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-run-unencodable-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function rill(name: string, query: string, stdin: string): Promise<Finished> {
  const path = join(workDir, name);
  await writeFile(path, query);
  return runNode([RILL, 'run', path], { cwd: workDir, stdin, killAfterMs: 50_000 });
}

describe('rill run and an event that cannot be written', { timeout: 60_000 }, () => {
  it('reports it with its line number and goes on', async () => {
    const result = await rill('wrap.trickle', 'select {"x": event} from in into out;\n', `{"n":1}\n\n${DEEP}\n{"n":4}\n`);
    expect(result.stderr).not.toMatch(/RangeError|^\s+at /m);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"x":{"n":1}}\n{"x":{"n":4}}\n');
    expect(result.stderr).toBe('rill run: line 3: cannot write the event on `out` as JSON (Maximum call stack size exceeded); event skipped\n');
  });

  it('behind a qos::wal: fails it back, and the WAL dead-letters it after max_attempts', async () => {
    const query = `define qos::wal operator wal with read_count = 10, max_elements = 1000, max_attempts = 2, dead_letter = "dead.jsonl" end;
create operator wal;
select event from in into wal;
select {"x": event} from wal into out;
select event from wal/err into err;
`;
    const result = await rill('wal-wrap.trickle', query, `{"n":1}\n{"deep":${DEEP}}\n{"n":3}\n`);
    expect(result.stderr).not.toMatch(/RangeError|^\s+at /m);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"x":{"n":1}}\n{"x":{"n":3}}\n');
    const refusals = result.stderr.split('\n').filter((line) => line.startsWith('rill run: line 2: cannot write the event on `out` as JSON'));
    expect(refusals.length, result.stderr.slice(0, 2000)).toBe(2);
    expect(result.stderr).toMatch(/event 1 dead-lettered after 2 failed attempt\(s\): cannot encode event as json: Maximum call stack size exceeded/);
    const letters = (await readFile(join(workDir, 'dead.jsonl'), 'utf8')).split('\n').filter((line) => line !== '');
    expect(letters.length).toBe(1);
    const letter = JSON.parse(letters[0]) as { seq: number; attempts: number; reason: string };
    expect({ seq: letter.seq, attempts: letter.attempts }).toEqual({ seq: 1, attempts: 2 });
    expect(letters[0]).toContain(`"payload":{"deep":${DEEP}}}`);
    // The same dead letter on the err port, which rill run writes to stderr.
    expect(result.stderr).toContain(letters[0]);
  });
});
