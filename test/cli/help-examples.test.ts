/**
 * Every `examples/...` path that a command's `--help` shows exists, so a newcomer who copies an
 * example command finds its files (`rill run --help` once named a missing examples/passthrough.trickle).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const ROOT = join(import.meta.dirname, '../..');
const RILL = join(ROOT, 'bin/rill.mjs');
const COMMANDS = [['run'], ['server', 'run'], ['validate'], ['receive', 'ws'], ['wal', 'inspect'], ['test', 'integration'], ['conformance']];

describe('--help examples', { timeout: 120_000 }, () => {
  it('name only files that exist', async () => {
    const named: string[] = [];
    for (const command of COMMANDS) {
      const help = await runNode([RILL, ...command, '--help'], { cwd: ROOT, killAfterMs: 50_000 });
      expect(help.code, `${command.join(' ')} --help`).toBe(0);
      for (const [path] of help.stdout.matchAll(/examples\/[\w./*-]+/g)) named.push(path.replace(/\/\*$/, '').replace(/[.,]$/, ''));
    }
    expect(named).toContain('examples/run/passthrough.trickle');
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });
});
