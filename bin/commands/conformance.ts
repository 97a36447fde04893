/**
 * `rill conformance DIR [--json FILE]`: runs every case of a trickle corpus laid out like
 * `shared/trickle-corpus` (see test/corpus/run-case.ts for what is compared), prints one line per
 * failure and ends with `conformance: N passed, M failed` plus counts per category and tier.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CaseResult } from '../../test/corpus/run-case.ts';

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('run every case of a trickle conformance corpus (manifest.json + <category>/<case>/)')
    .argument('<dir>', 'the corpus directory, e.g. ../shared/trickle-corpus')
    .option('--json <file>', 'also write one {category, case, ok, reason} record per case to FILE')
    .action(async (dir: string, options: { json?: string }) => {
      process.exitCode = await runConformance(dir, options.json);
    });
}

async function runConformance(dir: string, jsonFile: string | undefined): Promise<number> {
  // Loaded here, not at the top, so that other commands do not pay for the corpus runner.
  const { caseName, loadManifest, runCase } = await import('../../test/corpus/run-case.ts');
  const results: CaseResult[] = [];
  for (const corpusCase of loadManifest(dir)) {
    const result = await runCase(dir, corpusCase);
    results.push(result);
    if (!result.ok) console.log(`FAIL ${caseName(corpusCase)} [${corpusCase.tier}]: ${result.reason.replaceAll('\n', '\\n')}`);
  }
  const passed = results.filter((result) => result.ok).length;
  console.log(`conformance: ${passed} passed, ${results.length - passed} failed`);
  for (const [group, counts] of tally(results, (result) => result.category)) console.log(`  ${group}: ${counts}`);
  for (const [group, counts] of tally(results, (result) => result.tier)) console.log(`  tier ${group}: ${counts}`);
  if (jsonFile) {
    const records = results.map(({ category, case: name, ok, reason }) => ({ category, case: name, ok, reason }));
    // A JSON array with one record per line: valid JSON as a whole, and easy to grep.
    await writeFile(jsonFile, `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]\n`);
  }
  return passed === results.length ? 0 : 1;
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
