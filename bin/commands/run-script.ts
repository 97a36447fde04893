/**
 * `rill run SCRIPT.tremor [--in FILE]`: runs a tremor-script over JSON lines, as `tremor run` does
 * with a `.tremor` file. Each line is one event; the script's `state` starts null and persists
 * from event to event; `$` is a fresh empty record per event. What the script emits is written to
 * stdout as one JSON line (to stderr when it emits to the `err` port); `drop` writes nothing; a
 * runtime error is rendered on stderr and the next line is read. A line that is not JSON is
 * reported with its line number and skipped.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CompiledScript } from '../../queries/index.ts';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import type { Value } from '../../queries/values/value.ts';

export interface ScriptRun {
  input: Readable;
  stdout: Writable;
  stderr: Writable;
}

export async function runScriptOverJsonLines(script: CompiledScript, run: ScriptRun): Promise<void> {
  const instance = script.instantiate();
  const lines = createInterface({ input: run.input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let data: Value;
    try {
      data = parseJson(line);
    } catch (error) {
      await write(run.stderr, `rill run: line ${lineNumber}: invalid JSON (${(error as Error).message}); line skipped\n`);
      continue;
    }
    const outcome = instance.run({ data, meta: {}, ingestNs: lineNumber - 1 });
    if (outcome.kind === 'emit') {
      const target = outcome.port === 'err' ? run.stderr : run.stdout;
      await write(target, `${stringifyJson(outcome.data)}\n`);
    } else if (outcome.kind === 'error') {
      await write(run.stderr, `rill run: line ${lineNumber}: ${outcome.rendered}`);
    }
  }
}

/** Writes, waiting when the stream's buffer is full (so a big input does not pile up in memory). */
function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve();
    else {
      stream.once('drain', resolve);
      stream.once('error', reject);
    }
  });
}
