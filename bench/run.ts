/**
 * `npm run bench -- NAME [--json | --markdown]`: runs `bench/NAME.ts`, which exports
 * `run(reporter: Reporter, args: string[]): Promise<void>`. `--markdown` ends with a table of the
 * figures to paste into the README.
 */
import { createReporter, type Reporter } from './report.ts';

const args = process.argv.slice(2);
const format = args.includes('--json') ? 'json' : args.includes('--markdown') ? 'markdown' : 'text';
const names = args.filter((a) => !a.startsWith('--'));
if (names.length === 0 || args.includes('--help')) {
  console.log('usage: npm run bench -- NAME [--json | --markdown]\n  NAME: select | troy | wal | windows | jetstream | peers | startup');
  process.exit(names.length === 0 && !args.includes('--help') ? 1 : 0);
}
for (const name of names) {
  const module = (await import(`./${name}.ts`)) as { run(reporter: Reporter, args: string[]): Promise<void> };
  const reporter = createReporter(name, format);
  await module.run(reporter, args);
  reporter.finish();
}
