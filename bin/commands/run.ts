/**
 * `rill run QUERY.trickle [--in FILE]`: runs one query over JSON lines (see engine/run-json-lines.ts);
 * `rill run SCRIPT.tremor` runs a tremor-script the same way (run-script.ts), as `tremor run` does.
 * Exit 0 once the input is consumed; 1 on a compile error (rendered with file:line:column and a caret).
 */
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../../queries/diagnostic.ts';

const HELP = `
Reads one JSON value per line (stdin, or --in FILE; --in - is stdin) and sends each to the query's
\`in\`. Events reaching \`out\` (and \`out/<port>\`) are written to stdout as JSON lines; events
reaching \`err\` go to stderr. The first event of a port other than \`out\` that is written among
\`out\`'s, or not written at all, gets a note on stderr; --ports writes every port's events to
stdout as {"port": "<port>", "event": <event>}. A line that is not JSON is reported on stderr with its line number and skipped;
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
  rill run examples/run/passthrough.trickle --in examples/run/events.jsonl > out.jsonl
  rill run enrich.tremor --in events.jsonl`;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a trickle query (or a .tremor script) over JSON lines from stdin or a file, writing `out` events to stdout')
    .argument('<query>', 'the .trickle (or .tremor) file to run')
    .option('--in <file>', 'read events from FILE instead of stdin (- is stdin)')
    .option('--ports', 'write the events of every output port to stdout, each as {"port": P, "event": E}')
    .addHelpText('after', HELP)
    .action(async (queryFile: string, options: { in?: string; ports?: boolean }) => {
      process.exitCode = await runCommand(queryFile, options.in === '-' ? undefined : options.in, options.ports === true);
    });
}

async function runCommand(queryFile: string, inputFile: string | undefined, labelPorts: boolean): Promise<number> {
  if (extname(queryFile) === '.tremor') return runScriptCommand(queryFile, inputFile);
  // Loaded here, not at the top: every `rill` start would otherwise pay for the compiler and engine.
  const [{ compileQuery }, { buildPipeline }, { runJsonLines }, lineReader] = await Promise.all([
    import('../../queries/index.ts'),
    import('../../engine/build-pipeline.ts'),
    import('../../engine/run-json-lines.ts'),
    import('../../connectors/line-reader.ts'),
  ]);
  // The reader's thread of a file input (a new V8 isolate, ~60 ms) starts while the query compiles.
  if (inputFile !== undefined) lineReader.prestartLineReaderThread();
  const compiled = await compileFile(queryFile, 'query', (source) => {
    const query = compileQuery(source, queryFile);
    const pipeline = buildPipeline(query, {
      id: basename(queryFile, extname(queryFile)),
      onError: (_error, rendered) => process.stderr.write(`${rendered}\n`),
    });
    return { warnings: query.warnings, pipeline };
  });
  if (!compiled) return 1;
  const { pipeline } = compiled;
  let fd: number | undefined;
  try {
    fd = regularFile(inputFile);
    await runJsonLines(pipeline, { input: fd === undefined ? openInput(inputFile) : { regularFileFd: fd }, stdout: process.stdout, stderr: process.stderr, labelPorts });
  } catch (error) {
    // The reader of stdout went away (`rill run q | head`): stop quietly, as a filter does.
    const status = inputFailure(error, inputFile);
    await pipeline.close();
    return status;
  } finally {
    if (fd !== undefined) closeSync(fd);
    // Not taken when the input is not a regular file (or could not be opened).
    lineReader.releaseUnclaimedLineReaderThread();
  }
  return 0;
}

/**
 * The open descriptor of `inputFile` when it is a regular file (read on the line reader's thread);
 * undefined for stdin, a pipe, a device or a directory (read as a stream, which reports a directory).
 */
function regularFile(inputFile: string | undefined): number | undefined {
  if (inputFile === undefined) return undefined;
  const fd = openSync(inputFile, 'r');
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  return undefined;
}

async function runScriptCommand(scriptFile: string, inputFile: string | undefined): Promise<number> {
  const [{ compileScript }, { runScriptOverJsonLines }] = await Promise.all([import('../../queries/index.ts'), import('./run-script.ts')]);
  const script = await compileFile(scriptFile, 'script', (source) => compileScript(source, scriptFile));
  if (!script) return 1;
  try {
    await runScriptOverJsonLines(script, { input: openInput(inputFile), stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    return inputFailure(error, inputFile);
  }
  return 0;
}

/**
 * Reads and compiles a query or script file, printing its warnings; on a read or compile error it
 * prints the error (an error in a used module file against that file's source) and returns undefined.
 */
async function compileFile<T extends { warnings: Diagnostic[] }>(file: string, what: string, compile: (source: string) => T): Promise<T | undefined> {
  const [{ renderDiagnostic }, { CompileError }] = await Promise.all([import('../../queries/index.ts'), import('../../queries/diagnostic.ts')]);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(`rill run: cannot read ${what} file ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
  try {
    const compiled = compile(source);
    for (const warning of compiled.warnings) process.stderr.write(describe(warning, source, renderDiagnostic));
    return compiled;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    for (const diagnostic of error.diagnostics) process.stderr.write(describe(diagnostic, error.source, renderDiagnostic));
    return undefined;
  }
}

function openInput(inputFile: string | undefined): Readable {
  return inputFile ? createReadStream(inputFile, { highWaterMark: 1 << 20 }) : process.stdin;
}

/** The exit status for an error while reading the input: 0 when stdout's reader went away, 1 when the input cannot be read. */
function inputFailure(error: unknown, inputFile: string | undefined): number {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPIPE') return 0;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    process.stderr.write(`rill run: cannot read input file ${inputFile}: ${(error as Error).message}\n`);
    return 1;
  }
  throw error;
}

/** `file:line:column: severity: message`, then the source line with its caret. */
function describe(diagnostic: Diagnostic, source: string, renderDiagnostic: (diagnostic: Diagnostic, source: string) => string): string {
  const { file, line, column } = diagnostic.span;
  return `${file}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}\n${renderDiagnostic(diagnostic, source).trimEnd()}\n`;
}
