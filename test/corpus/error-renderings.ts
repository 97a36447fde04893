/**
 * rill's full Dumb-highlighter rendering of each corpus error, next to Tremor's `error.txt`: compile
 * errors of queries and scripts, and scripts' runtime errors.
 *
 * The corpus runner (run-case.ts) compares compile errors by position and message only; this module
 * compares the whole text, expected-token lists and NOTE lines included. It is used by
 * `bin/compare-error-renderings.mjs` (prints a diff per differing case) and by
 * `test/corpus/error-renderings.test.ts` (locks in the cases that render exactly).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileQuery, compileScript, renderDiagnostic, type CompileOptions } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import { parseJson } from '../../queries/values/json.ts';
import { caseName, loadManifest, moduleOptions } from './run-case.ts';

/** The categories whose error.txt is a rendering of one error, and how rill renders that error. */
const RENDERERS: Record<string, { file: string; render: (source: string, file: string, options: CompileOptions, dir: string) => string }> = {
  query_errors: { file: 'query.trickle', render: (source, file, options) => renderFirstCompileError(source, file, options, compileQuery) },
  script_errors: { file: 'script.tremor', render: (source, file, options) => renderFirstCompileError(source, file, options, compileScript) },
  script_runtime_errors: { file: 'script.tremor', render: renderRuntimeError },
};

export interface RenderingComparison {
  /** `<category>/<case>`. */
  name: string;
  /** False for the cases Tremor's own test suite ignores (their error.txt may be stale). */
  assertedUpstream: boolean;
  /** Tremor's error.txt, trimmed. */
  expected: string;
  /** rill's rendering of its first compile error, trimmed (or a description of why there is none). */
  actual: string;
  matches: boolean;
}

export function compareErrorRenderings(corpusDir: string): RenderingComparison[] {
  const comparisons: RenderingComparison[] = [];
  for (const corpusCase of loadManifest(corpusDir)) {
    const renderer = RENDERERS[corpusCase.category];
    const dir = join(corpusDir, corpusCase.category, corpusCase.case);
    if (!renderer || !existsSync(join(dir, 'error.txt'))) continue;
    const expected = readFileSync(join(dir, 'error.txt'), 'utf8').trim();
    const options = moduleOptions(dir, corpusCase, renderer.file);
    const actual = renderer.render(readFileSync(join(dir, renderer.file), 'utf8'), renderer.file, options, dir).trim();
    comparisons.push({
      name: caseName(corpusCase),
      assertedUpstream: corpusCase.error_text_asserted_upstream !== false,
      expected,
      actual,
      matches: actual === expected,
    });
  }
  return comparisons;
}

function renderFirstCompileError(
  source: string,
  file: string,
  options: CompileOptions,
  compile: (source: string, file: string, options: CompileOptions) => unknown,
): string {
  try {
    compile(source, file, options);
  } catch (error) {
    // An error in a used module file renders against that file's source.
    if (error instanceof CompileError) return renderDiagnostic(error.diagnostics[0], error.source);
    return `<threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}>`;
  }
  return '<compiled without error>';
}

/** Runs the script over the case's one input event, as Tremor's runtime-error harness does. */
function renderRuntimeError(source: string, file: string, options: CompileOptions, dir: string): string {
  const [line] = readFileSync(join(dir, 'in'), 'utf8').split(/\r?\n/);
  let script: ReturnType<typeof compileScript>;
  try {
    script = compileScript(source, file, options);
  } catch (error) {
    // A case whose script rill cannot compile yet (a LATER feature): no runtime error to compare.
    if (error instanceof CompileError) return `<compile error: ${renderDiagnostic(error.diagnostics[0], source)}>`;
    throw error;
  }
  const outcome = script.instantiate().run({ data: parseJson(line), meta: {}, ingestNs: 0 });
  return outcome.kind === 'error' ? outcome.rendered : `<no runtime error: ${outcome.kind}>`;
}
