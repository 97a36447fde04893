/**
 * `rill run SCRIPT.tremor` as a real child process: a script over JSON lines with `state` kept
 * across events, a module file `use`d from the script's directory, `drop`, a runtime error in the
 * used module (reported in that file, the run goes on), a bad JSON line, and a compile error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, type Finished } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-run-script-'));
  await writeFile(
    join(workDir, 'fib.tremor'),
    'fn fib_(a, b, n) of\n  case (a, b, n) when n > 0 => recur(b, a + b, n - 1)\n  default => a\nend;\nfn fib(n) with fib_(0, 1, n) end;\n',
  );
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function rill(args: string[], stdin = ''): Promise<Finished> {
  return runNode([RILL, ...args], { cwd: workDir, stdin, killAfterMs: 50_000 });
}

describe('rill run SCRIPT.tremor', { timeout: 60_000 }, () => {
  it('runs the script per line, keeps state, drops, reports runtime errors in the used file and goes on', async () => {
    const script = join(workDir, 'count.tremor');
    await writeFile(
      script,
      'use fib as f;\nlet state = match state of case null => 1 default => state + 1 end;\nmatch event of\n  case 3 => drop\n  default => [state, f::fib(event)]\nend\n',
    );
    const result = await rill(['run', script], '5\n3\nnot json\n10\n"x"\n7\n');
    expect(result.stdout).toBe('[1,5]\n[3,55]\n[5,13]\n');
    expect(result.stderr).toContain('rill run: line 3: invalid JSON');
    expect(result.stderr).toContain(`rill run: line 5: Error in ${join(workDir, 'fib.tremor')}:2:23 \n    2 |   case (a, b, n) when n > 0`);
    expect(result.stderr).toContain('The binary operation `>` is not defined for the type `string` and `integer`');
    expect(result.code).toBe(0);
  });

  it('reads --in, and exits 1 with the error in the used file when a module does not compile', async () => {
    await writeFile(join(workDir, 'broken.tremor'), 'const a = 1;\nconst a = 2;\n');
    const script = join(workDir, 'uses-broken.tremor');
    await writeFile(script, 'use broken;\nbroken::a\n');
    const result = await rill(['run', script]);
    expect(result.stderr).toContain(`Error in ${join(workDir, 'broken.tremor')}:2:1 \n    1 | const a = 1;\n    2 | const a = 2;\n      | ^^^^^^^^^^^ Can't declare the constant \`a\` twice`);
    expect(result.code).toBe(1);

    const ok = join(workDir, 'double.tremor');
    await writeFile(ok, 'event * 2');
    const input = join(workDir, 'in.jsonl');
    await writeFile(input, '1\n2.5\n');
    const fromFile = await rill(['run', ok, '--in', input]);
    expect(fromFile.stdout).toBe('2\n5.0\n');
    expect(fromFile.code).toBe(0);
  });
});
