/**
 * `npm run conformance -- DIR` (the `rill conformance` command, a real child process) tells a troy
 * corpus from a trickle one by its manifest, runs the troy categories it can, lists the others as
 * skipped, and reports a missing manifest as an error instead of a stack trace.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const corpusDir = join(root, '..', 'shared', 'troy-corpus');
const scratch = mkdtempSync(join(tmpdir(), 'rill-troy-conformance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('rill conformance on the troy corpus', () => {
  it('runs flows, flow_errors and the MUST/SHOULD integration cases, skips LATER ones and wal, ends with the summary line', async () => {
    const json = join(scratch, 'results.json');
    const run = await runNode(['bin/rill.mjs', 'conformance', corpusDir, '--json', json], { cwd: root, killAfterMs: 400_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('SKIP integration (LATER: docker, TLS, HTTP, ...): 14 cases');
    expect(run.stdout).toContain('SKIP wal (descriptions, checked by test/wal): 4 cases');
    expect(run.stdout).toContain('  flows: 4 passed, 0 failed\n  flow_errors: 5 passed, 0 failed\n');
    const records = JSON.parse(readFileSync(json, 'utf8')) as Array<{ category: string; ok: boolean }>;
    expect(records.map((record) => record.category).sort()).toEqual([...Array(5).fill('flow_errors'), ...Array(4).fill('flows'), ...Array(21).fill('integration')]);
    const passed = records.filter((record) => record.ok).length;
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(`conformance: ${passed} passed, ${records.length - passed} failed`);
    expect(run.code).toBe(passed === records.length ? 0 : 1);
  }, 450_000);

  it('reports a directory without manifest.json in one line, exit 1', async () => {
    const run = await runNode(['bin/rill.mjs', 'conformance', scratch], { cwd: root, killAfterMs: 120_000 });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^conformance: cannot read .*manifest\.json: ENOENT/);
  }, 150_000);
});
