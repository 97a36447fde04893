/**
 * `npm run bench -- NAME [--json]`: runs `bench/NAME.ts`, which exports
 * `run(reporter: Reporter, args: string[]): Promise<void>`.
 */
import { createReporter, type Reporter } from './report.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((a) => !a.startsWith('--'));
if (names.length === 0 || args.includes('--help')) {
  console.log('usage: npm run bench -- NAME [--json]\n  NAME: select | troy | wal | peers');
  process.exit(names.length === 0 && !args.includes('--help') ? 1 : 0);
}
for (const name of names) {
  const module = (await import(`./${name}.ts`)) as { run(reporter: Reporter, args: string[]): Promise<void> };
  await module.run(createReporter(name, json), args);
}
