/**
 * `rill validate FILE...`: checks configuration files as `rill server run` would load them (YAML
 * artefacts and `.trickle` pipelines), lists every problem with its file, line and column, and
 * starts nothing: no connector, no store, no socket. Exit status 0 when all is well, 1 otherwise,
 * so it fits a CI step (as `vector validate` does).
 */
import type { Command } from 'commander';

const HELP = `
The files are checked together, as one \`rill server run -f FILE...\` would load them: links in
YAML bindings must name pipelines defined by the .trickle files given. Warnings (non-standard
trickle forms) are printed too but do not fail the check.

Example:
  rill validate examples/persistent-gd/etc/tremor/config/*`;

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Check configuration files (YAML artefacts, .trickle) without running anything; exit 1 if any problem')
    .argument('<files...>', 'the files server run would be given')
    .addHelpText('after', HELP)
    .action(async (files: string[]) => {
      const [{ loadArtefacts }, { LoadErrors }] = await Promise.all([import('../../engine/runtime/load.ts'), import('../../engine/runtime/config-error.ts')]);
      let warnings = 0;
      try {
        loadArtefacts(files, {
          warn: (message) => {
            warnings++;
            process.stderr.write(`${message}\n`);
          },
        });
      } catch (error) {
        if (!(error instanceof LoadErrors)) throw error;
        for (const problem of error.problems) process.stderr.write(`${problem}\n`);
        const count = error.problems.length;
        process.stderr.write(`rill validate: ${count} problem${count === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
        process.exitCode = 1;
        return;
      }
      const note = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : '';
      process.stdout.write(`rill validate: ${files.length} file${files.length === 1 ? '' : 's'} OK${note}\n`);
    });
}
