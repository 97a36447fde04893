/**
 * `rill --version` / `-V`: prints package.json's version (the one the compiled CLI bundles) and exits 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const ROOT = join(import.meta.dirname, '../..');
const RILL = join(ROOT, 'bin/rill.mjs');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('rill --version', { timeout: 60_000 }, () => {
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the package version and exits 0`, async () => {
      const result = await runNode([RILL, flag], { cwd: ROOT, killAfterMs: 50_000 });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
      expect(result.stderr).toBe('');
    });
  }

  it('is listed in --help', async () => {
    const result = await runNode([RILL, '--help'], { cwd: ROOT, killAfterMs: 50_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/-V, --version\s+print the rill version and exit/);
  });
});
