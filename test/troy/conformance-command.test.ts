/**
 * `npm run conformance -- DIR` (the `rill conformance` command, a real child process) tells a troy
 * corpus from a trickle one by its manifest, runs the troy categories it can, lists the others as
 * skipped, and reports a missing manifest as an error instead of a stack trace.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // A copy of the corpus with two of its integration cases (one MUST, one LATER) and no port:
    // test/troy/integration.test.ts runs all of them, and two runs of one case at once (the `ws`
    // case's port 4242) would clash.
    const copy = join(scratch, 'corpus');
    cpSync(corpusDir, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as Array<{ category: string; case: string }>;
    const kept = manifest.filter((entry) => entry.category !== 'integration' || ['no-rules', 'elastic'].includes(entry.case));
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(kept));
    const json = join(scratch, 'results.json');
    const run = await runNode(['bin/rill.mjs', 'conformance', copy, '--json', json], { cwd: root, killAfterMs: 400_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('SKIP integration (LATER: docker, TLS, HTTP, ...): 1 cases');
    expect(run.stdout).toContain('SKIP wal (descriptions, checked by test/wal): 4 cases');
    expect(run.stdout).toContain('  flows: 4 passed, 0 failed\n  flow_errors: 5 passed, 0 failed\n  integration: 1 passed, 0 failed\n');
    const records = JSON.parse(readFileSync(json, 'utf8')) as Array<{ category: string; ok: boolean }>;
    expect(records.map((record) => record.category).sort()).toEqual([...Array(5).fill('flow_errors'), ...Array(4).fill('flows'), 'integration']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('conformance: 10 passed, 0 failed');
    expect(run.code).toBe(0);
  }, 450_000);

  it('reports a directory without manifest.json in one line, exit 1', async () => {
    const run = await runNode(['bin/rill.mjs', 'conformance', scratch], { cwd: root, killAfterMs: 120_000 });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^conformance: cannot read .*manifest\.json: ENOENT/);
  }, 150_000);
});
