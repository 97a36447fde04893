/**
 * The shared trickle conformance corpus (../shared/trickle-corpus), one test per case.
 *
 * Cases rill does not pass yet are listed in exclusions.json with a reason. An excluded case still
 * runs and must still fail: when it starts passing, this test fails and asks for the entry to be
 * removed, so the list can only shrink.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseName, loadManifest, runCase } from './run-case.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpusDir = join(here, '..', '..', '..', 'shared', 'trickle-corpus');
const exclusions = JSON.parse(readFileSync(join(here, 'exclusions.json'), 'utf8')) as Record<string, string>;

describe('trickle conformance corpus', () => {
  it('is present beside the repository', () => {
    expect(existsSync(join(corpusDir, 'manifest.json')), `expected the corpus at ${corpusDir}`).toBe(true);
  });

  const manifest = existsSync(join(corpusDir, 'manifest.json')) ? loadManifest(corpusDir) : [];

  it('lists only existing cases in exclusions.json', () => {
    const names = new Set(manifest.map(caseName));
    expect(Object.keys(exclusions).filter((name) => !names.has(name))).toEqual([]);
  });

  for (const corpusCase of manifest) {
    const name = caseName(corpusCase);
    it(name, async () => {
      const result = await runCase(corpusDir, corpusCase);
      const excluded = exclusions[name];
      if (excluded === undefined) {
        expect(result.reason, `${name} failed`).toBe('');
      } else {
        expect(result.ok, `${name} passes now: remove it from test/corpus/exclusions.json (was: ${excluded})`).toBe(false);
      }
    });
  }
});
