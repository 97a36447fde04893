/**
 * `rill test integration DIR...`: runs Tremor-style integration test folders as
 * `tremor test integration` does (the harness is integration-runner.ts), prints one line per case
 * and a summary, and exits 0 only if every case passed.
 */
import type { Command } from 'commander';

const HELP = `
A case is a folder with *.troy files (given directly), or each folder with a tags.yaml below DIR
(a tests root such as ../shared/troy-corpus, or a suite folder such as its integration/). Each case
runs in a temporary copy of its folder, with the tests root's lib/ and stdlib/ copied beside it:
  1. before.yaml steps (cmd, args, dir, env, await: port-open/wait-for-ms/status/http-ok,
     max-await-secs, min-await-secs; cmd "tremor" means rill);
  2. rill server run -n --debug-connectors <the case's *.troy, sorted>, cwd = the case,
     TREMOR_PATH = $TREMOR_PATH:<tests root>/lib:<case>/lib, the case's stdin file on stdin,
     output in fg.out.log / fg.err.log; killed after --timeout seconds;
  3. after.yaml (cmd, args, dir, env);
  4. assert.yaml: status (the exit code), asserts[] with source (stdout, stderr or a file) and
     contains / doesnt_contain (each trimmed string in some line / in no line) / equals_file
     (byte-for-byte equal).
Tags (every tags.yaml from DIR down, plus the folder name) select cases: -i TAG runs the cases
with that tag (include wins), -e TAG skips them.

Example:
  rill test integration ../shared/troy-corpus/integration -i file-connector -i tcp`;

export function registerTestCommand(program: Command): void {
  const test = program.command('test').description('Run test suites (integration: Tremor-style integration test folders)');
  test
    .command('integration')
    .description('Run Tremor-style integration test cases (config.troy + assert.yaml folders); exit 1 if any fails')
    .argument('<dirs...>', 'case folders, or folders holding cases (each case folder has a tags.yaml)')
    .option('-i, --includes <tag...>', 'run only the cases with one of these tags')
    .option('-e, --excludes <tag...>', 'skip the cases with one of these tags')
    .option('-t, --timeout <seconds>', 'seconds a case may run before rill server run is killed', '60')
    .option('-j, --jobs <n>', 'cases run at once (cases naming the same port never overlap)', '1')
    .option('--keep', 'keep each case\'s temporary copy and print where it is')
    .addHelpText('after', HELP)
    .action(async (dirs: string[], options: { includes?: string[]; excludes?: string[]; timeout: string; jobs: string; keep?: boolean }) => {
      process.exitCode = await runIntegrationCommand(dirs, options);
    });
}

async function runIntegrationCommand(
  dirs: string[],
  options: { includes?: string[]; excludes?: string[]; timeout: string; jobs: string; keep?: boolean },
): Promise<number> {
  const { discoverCases, HarnessError, runIntegrationCases, selectedByTags } = await import('./integration-runner.ts');
  const timeoutSecs = Number(options.timeout);
  const jobs = Number(options.jobs);
  if (!(timeoutSecs > 0)) return usage(`--timeout must be a positive number of seconds, not ${options.timeout}`);
  if (!Number.isInteger(jobs) || jobs < 1) return usage(`--jobs must be a positive integer, not ${options.jobs}`);
  const cases = [];
  for (const dir of dirs) {
    try {
      cases.push(...discoverCases(dir));
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      return usage(error.message);
    }
  }
  const selected = cases.filter((integrationCase) => selectedByTags(integrationCase.tags, options.includes ?? [], options.excludes ?? []));
  if (selected.length === 0) return usage(`no case matches the tags given (${cases.length} found)`);
  const results = await runIntegrationCases(selected, {
    timeoutSecs,
    concurrency: jobs,
    keep: options.keep,
    onResult: (result) => {
      const kept = result.workDir === undefined ? '' : ` (in ${result.workDir})`;
      console.log(result.ok ? `PASS ${result.name}${kept}` : `FAIL ${result.name}: ${result.reason.replaceAll('\n', '\\n')}${kept}`);
    },
  });
  const passed = results.filter((result) => result.ok).length;
  const skipped = cases.length - selected.length;
  console.log(`integration: ${passed} passed, ${results.length - passed} failed${skipped > 0 ? `, ${skipped} skipped by tags` : ''}`);
  return passed === results.length ? 0 : 1;
}

function usage(message: string): number {
  process.stderr.write(`rill test integration: ${message}\n`);
  return 1;
}
