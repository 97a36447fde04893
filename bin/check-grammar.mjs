#!/usr/bin/env node
// Fails when queries/grammar/trickle.generated.ts is not what `npm run grammar` makes from
// queries/grammar/trickle.ne, so the committed parser can never drift from its grammar.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const grammar = join(root, 'queries/grammar/trickle.ne');
const committed = join(root, 'queries/grammar/trickle.generated.ts');
const nearleyc = createRequire(import.meta.url).resolve('nearley/bin/nearleyc.js');

const dir = mkdtempSync(join(tmpdir(), 'rill-grammar-'));
try {
  const fresh = join(dir, 'trickle.generated.ts');
  execFileSync(process.execPath, [nearleyc, grammar, '-o', fresh], { stdio: ['ignore', 'ignore', 'inherit'] });
  let current;
  try {
    current = readFileSync(committed, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== readFileSync(fresh, 'utf8')) {
    console.error(
      `grammar:check: ${committed} is ${current === undefined ? 'missing' : 'stale'}: it does not match ${grammar}.\n` +
        'Run `npm run grammar` and commit the regenerated file.',
    );
    process.exit(1);
  }
  console.log('grammar:check: queries/grammar/trickle.generated.ts is up to date');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
