/**
 * The shared troy conformance corpus (../shared/troy-corpus): one test per `flows` and
 * `flow_errors` case, run by the same runner as `npm run conformance` (run-case.ts says what each
 * category checks, and what a `flows` case does not check yet).
 *
 * Cases rill does not pass yet are listed in exclusions.json with a reason (none of these
 * categories today; the file also holds the integration cases', see integration.test.ts).
 * An excluded case still runs and must still fail: when it starts passing, this test fails and
 * asks for the entry to be removed, so the list can only shrink.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTroyManifest, runTroyCase, TROY_RUN_CATEGORIES, troyCaseName } from './run-case.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpusDir = join(here, '..', '..', '..', 'shared', 'troy-corpus');
const exclusions = JSON.parse(readFileSync(join(here, 'exclusions.json'), 'utf8')) as Record<string, string>;

describe('troy conformance corpus', () => {
  it('is present beside the repository', () => {
    expect(existsSync(join(corpusDir, 'manifest.json')), `expected the corpus at ${corpusDir}`).toBe(true);
  });

  const manifest = existsSync(join(corpusDir, 'manifest.json'))
    ? loadTroyManifest(corpusDir).filter((corpusCase) => TROY_RUN_CATEGORIES.includes(corpusCase.category))
    : [];

  it('has the 4 flows and 5 flow_errors cases, and exclusions.json names only existing ones', () => {
    expect(manifest.filter((corpusCase) => corpusCase.category === 'flows')).toHaveLength(4);
    expect(manifest.filter((corpusCase) => corpusCase.category === 'flow_errors')).toHaveLength(5);
    const names = new Set(loadTroyManifest(corpusDir).map(troyCaseName));
    expect(Object.keys(exclusions).filter((name) => !names.has(name))).toEqual([]);
  });

  for (const corpusCase of manifest) {
    const name = troyCaseName(corpusCase);
    it(name, () => {
      const result = runTroyCase(corpusDir, corpusCase);
      const excluded = exclusions[name];
      if (excluded === undefined) {
        expect(result.reason, `${name} failed`).toBe('');
      } else {
        expect(result.ok, `${name} passes now: remove it from test/troy/exclusions.json (was: ${excluded})`).toBe(false);
      }
    });
  }
});
