/**
 * `rill conformance DIR [--json FILE]`: runs every case of a trickle corpus laid out like
 * `shared/trickle-corpus` (see test/corpus/run-case.ts for what is compared) or of a troy corpus
 * laid out like `shared/troy-corpus` (test/troy/run-case.ts), told apart by the categories in its
 * manifest; prints one line per failure, counts per category and tier, and ends with
 * `conformance: N passed, M failed` (the last line, which scripts read).
 *
 * In a troy corpus, the MUST and SHOULD `integration` cases run as `rill test integration` runs
 * them (a temporary copy each, two at a time); LATER ones (docker, TLS, HTTP, ...) and the `wal`
 * descriptions are listed as skipped.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';

/** What both corpus runners report per case. */
interface CaseResult {
  category: string;
  case: string;
  tier: string;
  ok: boolean;
  reason: string;
}

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('run every case of a trickle or troy conformance corpus (manifest.json + <category>/<case>/)')
    .argument('<dir>', 'the corpus directory, e.g. ../shared/trickle-corpus or ../shared/troy-corpus')
    .option('--json <file>', 'also write one {category, case, ok, reason} record per case to FILE')
    .action(async (dir: string, options: { json?: string }) => {
      process.exitCode = await runConformance(dir, options.json);
    });
}

async function runConformance(dir: string, jsonFile: string | undefined): Promise<number> {
  let manifest: Array<{ category: string }>;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ category: string }>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${code} (not a corpus: one holds manifest.json and <category>/<case>/ folders, as ../shared/trickle-corpus does)`
        : error instanceof Error
          ? error.message
          : String(error);
    console.error(`conformance: cannot read ${join(dir, 'manifest.json')}: ${why}`);
    return 1;
  }
  if (!Array.isArray(manifest) || manifest.some((entry) => typeof entry?.category !== 'string')) {
    console.error(`conformance: ${join(dir, 'manifest.json')} is not a corpus manifest (a JSON list of {"category": ..., ...} records)`);
    return 1;
  }
  // Loaded here, not at the top, so that other commands do not pay for the corpus runners.
  const troy = await import('../../test/troy/run-case.ts');
  const results = troy.isTroyManifest(manifest) ? await runTroyCorpus(dir, troy) : await runTrickleCorpus(dir);
  const passed = results.filter((result) => result.ok).length;
  for (const [group, counts] of tally(results, (result) => result.category)) console.log(`  ${group}: ${counts}`);
  for (const [group, counts] of tally(results, (result) => result.tier)) console.log(`  tier ${group}: ${counts}`);
  console.log(`conformance: ${passed} passed, ${results.length - passed} failed`);
  if (jsonFile) {
    const records = results.map(({ category, case: name, ok, reason }) => ({ category, case: name, ok, reason }));
    // A JSON array with one record per line: valid JSON as a whole, and easy to grep.
    await writeFile(jsonFile, `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]\n`);
  }
  return passed === results.length ? 0 : 1;
}

async function runTrickleCorpus(dir: string): Promise<CaseResult[]> {
  const { caseName, loadManifest, runCase } = await import('../../test/corpus/run-case.ts');
  const results: CaseResult[] = [];
  for (const corpusCase of loadManifest(dir)) {
    const result = await runCase(dir, corpusCase);
    results.push(result);
    if (!result.ok) reportFailure(caseName(corpusCase), result);
  }
  return results;
}

/** What is not run (LATER integration cases, wal descriptions) is listed as skipped, not counted. */
async function runTroyCorpus(dir: string, troy: typeof import('../../test/troy/run-case.ts')): Promise<CaseResult[]> {
  const { integrationCaseAt, runIntegrationCases } = await import('./integration-runner.ts');
  const results: CaseResult[] = [];
  const skipped = new Map<string, number>();
  const integration: Array<ReturnType<typeof troy.loadTroyManifest>[number]> = [];
  for (const corpusCase of troy.loadTroyManifest(dir)) {
    if (corpusCase.category === 'integration' && corpusCase.tier !== 'LATER') {
      integration.push(corpusCase);
      continue;
    }
    if (!troy.TROY_RUN_CATEGORIES.includes(corpusCase.category)) {
      const group = corpusCase.category === 'integration' ? 'integration (LATER: docker, TLS, HTTP, ...)' : `${corpusCase.category} (descriptions, checked by test/wal)`;
      skipped.set(group, (skipped.get(group) ?? 0) + 1);
      continue;
    }
    const result = troy.runTroyCase(dir, corpusCase);
    results.push(result);
    if (!result.ok) reportFailure(troy.troyCaseName(corpusCase), result);
  }
  const integrationResults = await runIntegrationCases(
    integration.map((corpusCase) => integrationCaseAt(dir, join(dir, corpusCase.category, corpusCase.case))),
    { concurrency: 2, timeoutSecs: 60 },
  );
  integration.forEach((corpusCase, index) => {
    const { ok, reason } = integrationResults[index]!;
    const result = { category: corpusCase.category, case: corpusCase.case, tier: corpusCase.tier, ok, reason };
    results.push(result);
    if (!ok) reportFailure(troy.troyCaseName(corpusCase), result);
  });
  for (const [group, count] of skipped) console.log(`SKIP ${group}: ${count} cases`);
  return results;
}

function reportFailure(name: string, result: CaseResult): void {
  console.log(`FAIL ${name} [${result.tier}]: ${result.reason.replaceAll('\n', '\\n')}`);
}

function tally(results: CaseResult[], groupOf: (result: CaseResult) => string): Array<[string, string]> {
  const groups = new Map<string, { passed: number; failed: number }>();
  for (const result of results) {
    const counts = groups.get(groupOf(result)) ?? { passed: 0, failed: 0 };
    if (result.ok) counts.passed++;
    else counts.failed++;
    groups.set(groupOf(result), counts);
  }
  return [...groups].map(([group, counts]) => [group, `${counts.passed} passed, ${counts.failed} failed`]);
}
