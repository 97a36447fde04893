/**
 * `rill validate FILE...` as a real process: the seed's files pass (exit 0); problems in several
 * files are all listed with file:line:column (exit 1); nothing is started (a WAL `dir` named by a
 * valid query is not created).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const ROOT = join(import.meta.dirname, '../..');
const RILL = join(ROOT, 'bin/rill.mjs');
const SEED = join(ROOT, 'examples/persistent-gd/etc/tremor/config');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-validate-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const validate = (files: string[]) => runNode([RILL, 'validate', ...files], { cwd: workDir, killAfterMs: 50_000 });

describe('rill validate', { timeout: 60_000 }, () => {
  it('accepts the seed example (exit 0), printing its non-standard-form warnings', async () => {
    const files = (await readdir(SEED)).map((name) => join(SEED, name));
    const result = await validate(files);
    expect(result.stderr).toContain('Non-standard');
    expect(result.stdout).toMatch(/^rill validate: 5 files OK \(3 warnings\)\n$/);
    expect(result.code).toBe(0);
  });

  it('lists every problem of every file with its position, starts nothing, and exits 1', async () => {
    const walDir = join(workDir, 'never-created');
    const good = join(workDir, 'good.trickle');
    await writeFile(good, `define qos::wal operator w with dir = ${JSON.stringify(walDir)}, read_count = 1, max_elements = 10 end;\ncreate operator w;\nselect event from in into w;\nselect event from w into out;\n`);
    const bad = join(workDir, 'bad.trickle');
    await writeFile(bad, 'select event\nfrm in into out;\n');
    const yaml = join(workDir, 'ramps.yaml');
    await writeFile(yaml, 'onramp:\n  - id: tick\n    type: metronome\n    config:\n      intervall: 10\n');
    const result = await validate([good, bad, yaml]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:2:1:`);
    expect(result.stderr).toMatch(new RegExp(`${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: .*intervall`));
    expect(result.stderr).toContain("missing required key \"interval\"");
    expect(result.stderr).toContain('rill validate: 3 problems in 3 files');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(walDir)).toBe(false);
  });

  it('checks a troy deployment without touching what it would write (a truncating file sink, a wal dir)', async () => {
    const out = join(workDir, 'kept.log');
    await writeFile(out, 'keep me\n');
    const walDir = join(workDir, 'troy-wal');
    const troy = join(workDir, 'flow.troy');
    await writeFile(
      troy,
      `define flow f\nflow\n  define connector ticks from metronome with config = {"interval": 1000000} end;\n  define connector w from wal with config = {"dir": ${JSON.stringify(walDir)}, "chunk_size": 1024, "max_chunks": 10} end;\n  define connector out from file with codec = "json", config = {"path": ${JSON.stringify(out)}, "mode": "truncate"} end;\n  define pipeline p pipeline select event from in into out; end;\n  create connector ticks; create connector w; create connector out; create pipeline p;\n  connect /connector/ticks to /pipeline/p;\n  connect /pipeline/p to /connector/w;\n  connect /connector/w to /connector/out;\nend;\ndeploy flow f;\n`,
    );
    const bad = await validate([troy]);
    // A connector cannot feed a connector: the last connect is refused with its position.
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/flow\.troy:\d+:\d+/);
    await writeFile(troy, readFileSync(troy, 'utf8').replace('connect /connector/w to /connector/out;', 'connect /connector/w to /pipeline/p2;\n  create pipeline p2 from p;\n  connect /pipeline/p2 to /connector/out;'));
    const good = await validate([troy]);
    expect(good.stderr).toBe('');
    expect(good.stdout).toBe('rill validate: 1 file OK\n');
    expect(good.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect(existsSync(walDir)).toBe(false);
  });

  it('names a file that cannot be read', async () => {
    const result = await validate([join(workDir, 'missing.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing.yaml: cannot read the file');
  });
});
