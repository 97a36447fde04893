#!/usr/bin/env node
// Prints, for every error case of a trickle corpus that has an error.txt (compile errors of queries
// and scripts, scripts' runtime errors), whether rill's full rendering (renderDiagnostic) equals
// Tremor's error.txt (both trimmed), with a line diff for those that differ, then the counts per
// category. Cases Tremor's own tests ignore (stale error.txt) are marked "(not asserted upstream)". Usage: node bin/compare-error-renderings.mjs [CORPUS_DIR] [--quiet]
// (CORPUS_DIR defaults to ../shared/trickle-corpus; --quiet prints no diffs).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const corpusDir = args.find((arg) => !arg.startsWith('--')) ?? join(root, '..', 'shared', 'trickle-corpus');

const { compareErrorRenderings } = await tsImport('../test/corpus/error-renderings.ts', import.meta.url);
const comparisons = compareErrorRenderings(corpusDir);
for (const { name, assertedUpstream, expected, actual, matches } of comparisons) {
  console.log(`${matches ? 'SAME' : 'DIFF'} ${name}${assertedUpstream ? '' : ' (not asserted upstream)'}`);
  if (!matches && !quiet) console.log(lineDiff(expected.split('\n'), actual.split('\n')));
}
const categories = new Map();
for (const { name, matches } of comparisons) {
  const category = name.split('/')[0];
  const counts = categories.get(category) ?? { same: 0, all: 0 };
  counts.all++;
  if (matches) counts.same++;
  categories.set(category, counts);
}
for (const [category, { same, all }] of categories) console.log(`  ${category}: ${same} of ${all} identical`);
const same = comparisons.filter((comparison) => comparison.matches).length;
console.log(`error renderings: ${same} of ${comparisons.length} identical to error.txt`);

/** Lines only in error.txt as `- `, only in rill's rendering as `+ ` (an LCS diff; the texts are short). */
function lineDiff(expected, actual) {
  const lengths = Array.from({ length: expected.length + 1 }, () => new Array(actual.length + 1).fill(0));
  for (let i = expected.length - 1; i >= 0; i--) {
    for (let j = actual.length - 1; j >= 0; j--) {
      lengths[i][j] = expected[i] === actual[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < expected.length || j < actual.length) {
    if (i < expected.length && j < actual.length && expected[i] === actual[j]) {
      out.push(`    ${expected[i++]}`);
      j++;
    } else if (j < actual.length && (i === expected.length || lengths[i][j + 1] >= lengths[i + 1][j])) {
      out.push(`  + ${actual[j++]}`);
    } else {
      out.push(`  - ${expected[i++]}`);
    }
  }
  return out.join('\n');
}
