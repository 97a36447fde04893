/**
 * `rill run QUERY.trickle [--in FILE]`: runs one query over JSON lines (see engine/run-json-lines.ts);
 * `rill run SCRIPT.tremor` runs a tremor-script the same way (run-script.ts), as `tremor run` does.
 * Exit 0 once the input is consumed; 1 on a compile error (rendered with file:line:column and a caret).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../../queries/diagnostic.ts';

const HELP = `
Reads one JSON value per line (stdin, or --in FILE) and sends each to the query's \`in\`.
Events reaching \`out\` (and \`out/<port>\`) are written to stdout as JSON lines; events reaching
\`err\` go to stderr. A line that is not JSON is reported on stderr with its line number and skipped;
so is an output event that cannot be serialised (too deeply nested), with the line it came from.
The output behaves like a guaranteed-delivery sink: it sends \`restore\` when it starts (so a
\`qos::wal\` emits) and acks every transactional event once written; at the end of the input the
pipeline is drained before rill exits.

Exit status: 0 when the input was consumed (runtime errors that dropped an event are reported on
stderr), 1 when the query does not compile (the diagnostic, with file:line:column and a caret, on stderr).

A \`.tremor\` file is run as a script: each line is one event, the script's \`state\` persists from
event to event, what it emits is written to stdout (its \`err\` port to stderr), \`drop\` writes
nothing and a runtime error is reported on stderr before the next line is read.

\`use\` finds module files in the query's or script's directory, then in TREMOR_PATH's directories.

Examples:
  rill run examples/passthrough.trickle --in events.jsonl > out.jsonl
  rill run enrich.tremor --in events.jsonl`;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a trickle query (or a .tremor script) over JSON lines from stdin or a file, writing `out` events to stdout')
    .argument('<query>', 'the .trickle (or .tremor) file to run')
    .option('--in <file>', 'read events from FILE instead of stdin')
    .addHelpText('after', HELP)
    .action(async (queryFile: string, options: { in?: string }) => {
      process.exitCode = await runCommand(queryFile, options.in);
    });
}

async function runCommand(queryFile: string, inputFile: string | undefined): Promise<number> {
  if (extname(queryFile) === '.tremor') return runScriptCommand(queryFile, inputFile);
  // Loaded here, not at the top: every `rill` start would otherwise pay for the compiler and engine.
  const [{ compileQuery, renderDiagnostic }, { CompileError }, { buildPipeline }, { runJsonLines }] = await Promise.all([
    import('../../queries/index.ts'),
    import('../../queries/diagnostic.ts'),
    import('../../engine/build-pipeline.ts'),
    import('../../engine/run-json-lines.ts'),
  ]);
  let source: string;
  try {
    source = await readFile(queryFile, 'utf8');
  } catch (error) {
    process.stderr.write(`rill run: cannot read query file ${queryFile}: ${(error as Error).message}\n`);
    return 1;
  }
  let pipeline;
  try {
    const query = compileQuery(source, queryFile);
    for (const warning of query.warnings) process.stderr.write(describe(warning, source, renderDiagnostic));
    pipeline = buildPipeline(query, {
      id: basename(queryFile, extname(queryFile)),
      onError: (_error, rendered) => process.stderr.write(`${rendered}\n`),
    });
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    // An error in a used module file carries that file's source.
    for (const diagnostic of error.diagnostics) process.stderr.write(describe(diagnostic, error.source, renderDiagnostic));
    return 1;
  }
  const input = inputFile ? createReadStream(inputFile, { highWaterMark: 1 << 20 }) : process.stdin;
  try {
    await runJsonLines(pipeline, { input, stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      // The reader of stdout went away (`rill run q | head`): stop quietly, as a filter does.
      await pipeline.close();
      return 0;
    }
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      process.stderr.write(`rill run: cannot read input file ${inputFile}: ${(error as Error).message}\n`);
      await pipeline.close();
      return 1;
    }
    throw error;
  }
  return 0;
}

async function runScriptCommand(scriptFile: string, inputFile: string | undefined): Promise<number> {
  const [{ compileScript, renderDiagnostic }, { CompileError }, { openInput, runScriptOverJsonLines }] = await Promise.all([
    import('../../queries/index.ts'),
    import('../../queries/diagnostic.ts'),
    import('./run-script.ts'),
  ]);
  let source: string;
  try {
    source = await readFile(scriptFile, 'utf8');
  } catch (error) {
    process.stderr.write(`rill run: cannot read script file ${scriptFile}: ${(error as Error).message}\n`);
    return 1;
  }
  let script;
  try {
    script = compileScript(source, scriptFile);
    for (const warning of script.warnings) process.stderr.write(describe(warning, source, renderDiagnostic));
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    for (const diagnostic of error.diagnostics) process.stderr.write(describe(diagnostic, error.source, renderDiagnostic));
    return 1;
  }
  try {
    await runScriptOverJsonLines(script, { input: openInput(inputFile), stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return 0;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      process.stderr.write(`rill run: cannot read input file ${inputFile}: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
  return 0;
}

/** `file:line:column: severity: message`, then the source line with its caret. */
function describe(diagnostic: Diagnostic, source: string, renderDiagnostic: (diagnostic: Diagnostic, source: string) => string): string {
  const { file, line, column } = diagnostic.span;
  return `${file}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}\n${renderDiagnostic(diagnostic, source).trimEnd()}\n`;
}
