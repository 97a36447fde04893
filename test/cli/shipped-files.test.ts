/**
 * Data files rill ships in its sources are found when `rill` runs from its compiled bundle in
 * node_modules/.cache, not only from the sources (queries/shipped-file.ts): here grok's default
 * pattern file through `rill run` (the troy std modules: test/troy/bundled-modules.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rill-shipped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shipped data files from the compiled CLI', () => {
  it('grok finds its default pattern file', async () => {
    const query = join(dir, 'grok.trickle');
    writeFileSync(
      query,
      [
        'define script parse script',
        '  match event of case r = %{ line ~= grok|%{IP:client} %{WORD:method}| } => r.line default => null end',
        'end;',
        'create script parse;',
        'select event from in into parse;',
        'select event from parse into out;',
        '',
      ].join('\n'),
    );
    const run = await runNode([RILL, 'run', query], { cwd: dir, stdin: '{"line":"10.0.0.1 GET"}\n', killAfterMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('{"client":"10.0.0.1","method":"GET"}');
    expect(run.code).toBe(0);
  });
});
