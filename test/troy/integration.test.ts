/**
 * The troy corpus's MUST and SHOULD `integration` cases (../shared/troy-corpus/integration), run
 * as `rill test integration` runs them (bin/commands/integration-runner.ts: a temporary copy of
 * each case, its before/after steps, `rill server run -n --debug-connectors *.troy`, assert.yaml).
 * LATER cases (docker, TLS, HTTP, otel, ...) are not run.
 *
 * A case rill does not pass yet is listed in test/troy/exclusions.json with its reason; it still
 * runs and must still fail, so the list can only shrink. The pass rates per tier are printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { integrationCaseAt, runIntegrationCases, type IntegrationResult } from '../../bin/commands/integration-runner.ts';
import { loadTroyManifest, troyCaseName } from './run-case.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpusDir = join(here, '..', '..', '..', 'shared', 'troy-corpus');
const exclusions = JSON.parse(readFileSync(join(here, 'exclusions.json'), 'utf8')) as Record<string, string>;
const TIERS = ['MUST', 'SHOULD'];

const cases = existsSync(join(corpusDir, 'manifest.json'))
  ? loadTroyManifest(corpusDir).filter((corpusCase) => corpusCase.category === 'integration' && TIERS.includes(corpusCase.tier))
  : [];

describe('troy corpus: integration cases (MUST and SHOULD)', () => {
  const results = new Map<string, IntegrationResult>();

  beforeAll(async () => {
    const toRun = cases.map((corpusCase) => integrationCaseAt(corpusDir, join(corpusDir, 'integration', corpusCase.case)));
    for (const result of await runIntegrationCases(toRun, { timeoutSecs: 60, concurrency: 2 })) results.set(result.name, result);
    for (const tier of TIERS) {
      const ofTier = cases.filter((corpusCase) => corpusCase.tier === tier);
      const passed = ofTier.filter((corpusCase) => results.get(troyCaseName(corpusCase))?.ok).length;
      process.stdout.write(`troy integration ${tier}: ${passed}/${ofTier.length} passed\n`);
    }
  }, 600_000);

  it('has the 15 MUST and 6 SHOULD cases INDEX.md counts', () => {
    expect(cases.filter((corpusCase) => corpusCase.tier === 'MUST')).toHaveLength(15);
    expect(cases.filter((corpusCase) => corpusCase.tier === 'SHOULD')).toHaveLength(6);
  });

  for (const corpusCase of cases) {
    const name = troyCaseName(corpusCase);
    it(`${corpusCase.tier} ${name}`, () => {
      const result = results.get(name);
      expect(result, `${name} did not run`).toBeDefined();
      const excluded = exclusions[name];
      if (excluded === undefined) expect(result!.reason, `${name} failed`).toBe('');
      else expect(result!.ok, `${name} passes now: remove it from test/troy/exclusions.json (was: ${excluded})`).toBe(false);
    });
  }
});
