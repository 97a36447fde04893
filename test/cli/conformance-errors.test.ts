/**
 * `rill conformance DIR` (npm run conformance) on a folder that is not a corpus: one line on
 * stderr saying why, no stack trace, exit status 1.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rill-not-a-corpus-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const conformance = (target: string) => runNode([RILL, 'conformance', target], { cwd: dir, killAfterMs: 50_000 });

describe('rill conformance on a folder that is not a corpus', { timeout: 60_000 }, () => {
  it('without manifest.json: one line, exit 1', async () => {
    const result = await conformance(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`conformance: cannot read ${join(dir, 'manifest.json')}: ENOENT (not a corpus: one holds manifest.json and <category>/<case>/ folders, as ../shared/trickle-corpus does)\n`);
  });

  it('with a manifest.json that is not a list of cases: one line, exit 1', async () => {
    const other = join(dir, 'other');
    await rm(other, { recursive: true, force: true });
    await mkdir(other);
    await writeFile(join(other, 'manifest.json'), '{"name": "something else"}');
    const result = await conformance(other);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`conformance: ${join(other, 'manifest.json')} is not a corpus manifest (a JSON list of {"category": ..., ...} records)`]);
  });
});
