#!/usr/bin/env node
// Fails when a committed generated parser (queries/grammar/<language>.generated.ts) is not what
// `npm run grammar` makes from its grammar (queries/grammar/<language>.ne and the files it
// includes), so neither committed parser can drift from its grammar.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const LANGUAGES = ['trickle', 'troy'];

const root = join(fileURLToPath(import.meta.url), '..', '..');
const nearleyc = createRequire(import.meta.url).resolve('nearley/bin/nearleyc.js');

const dir = mkdtempSync(join(tmpdir(), 'rill-grammar-'));
let stale = false;
try {
  for (const language of LANGUAGES) {
    const grammar = join(root, `queries/grammar/${language}.ne`);
    const committed = join(root, `queries/grammar/${language}.generated.ts`);
    const fresh = join(dir, `${language}.generated.ts`);
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
      stale = true;
    } else {
      console.log(`grammar:check: queries/grammar/${language}.generated.ts is up to date`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (stale) process.exit(1);
