/**
 * `rill run` end to end (a real child process, a real LMDB WAL in a temp dir): integers beyond 2^53
 * come out exactly, unchanged, changed by a query, and after a round trip through a live qos::wal.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
const INPUT = '{"big":12345678901234567890,"neg":-9223372036854775808}\n{"big":9007199254740993,"neg":-1}\n';
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-exact-integers-'));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function run(query: string): Promise<string[]> {
  const file = join(workDir, `q-${Math.random().toString(36).slice(2)}.trickle`);
  await writeFile(file, query);
  const finished = await runNode([RILL, 'run', file], { cwd: workDir, stdin: INPUT, killAfterMs: 60_000 });
  expect(finished.stderr).toBe('');
  expect(finished.code).toBe(0);
  return finished.stdout.trim().split('\n');
}

describe('integers beyond 2^53 through rill run', () => {
  it('are written back exactly when a query changes the event', async () => {
    expect(await run('select {"big": event.big, "next": event.big + 1, "top": event.big >>> 60, "neg": event.neg} from in into out;\n')).toEqual([
      '{"big":12345678901234567890,"next":12345678901234567891,"top":10,"neg":-9223372036854775808}',
      '{"big":9007199254740993,"next":9007199254740994,"top":0,"neg":-1}',
    ]);
  }, 90_000);

  it('come out of a live qos::wal as they went in', async () => {
    const dir = join(workDir, 'wal');
    const lines = await run(
      `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, max_bytes = 10000000, read_count = 10 end;\n` +
        'create operator wal;\nselect event from in into wal;\nselect {"copy": event} from wal into out;\n',
    );
    expect(lines).toEqual(['{"copy":{"big":12345678901234567890,"neg":-9223372036854775808}}', '{"copy":{"big":9007199254740993,"neg":-1}}']);
  }, 90_000);
});
