/**
 * Command-line entry: one sub-command per module in `bin/commands/`, each registering itself on
 * the commander program.
 */
import { Command } from 'commander';
import { registerRunCommand } from './commands/run.ts';
import { registerConformanceCommand } from './commands/conformance.ts';
import { registerWalCommand } from './commands/wal.ts';
import { registerServerCommand } from './commands/server.ts';

const program = new Command()
  .name('rill')
  .description('Run trickle queries over event streams, with guaranteed delivery through qos::wal')
  .showHelpAfterError();

registerRunCommand(program);
registerConformanceCommand(program);
registerWalCommand(program);
registerServerCommand(program);

await program.parseAsync(process.argv);
