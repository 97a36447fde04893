/**
 * Command-line entry: one sub-command per module in `bin/commands/`, each registering itself on
 * the commander program.
 */
import { Command } from 'commander';
// Bundled into the compiled CLI (bin/compiled-cache.mjs), so the version cannot drift from package.json.
import manifest from '../package.json' with { type: 'json' };
import { registerRunCommand } from './commands/run.ts';
import { registerConformanceCommand } from './commands/conformance.ts';
import { registerWalCommand } from './commands/wal.ts';
import { registerServerCommand } from './commands/server.ts';
import { registerReceiveCommand } from './commands/receive.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerTestCommand } from './commands/test.ts';

const program = new Command()
  .name('rill')
  .description('Run trickle queries over event streams, with guaranteed delivery through qos::wal')
  .version(manifest.version, '-V, --version', 'print the rill version and exit')
  // Tremor's `tremor -l logger.yaml ...` (a log4rs file): accepted so Tremor's scripts run; rill's
  // log lines go to stderr as they always do, and the file is not read.
  .option('-l, --logger-config <file>', "accepted for Tremor compatibility (a log4rs file); rill does not read it: its log lines always go to stderr")
  .showHelpAfterError();

registerRunCommand(program);
registerConformanceCommand(program);
registerWalCommand(program);
registerServerCommand(program);
registerReceiveCommand(program);
registerValidateCommand(program);
registerTestCommand(program);

await program.parseAsync(process.argv);

