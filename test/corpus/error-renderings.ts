/**
 * rill's full Dumb-highlighter rendering of each corpus compile error, next to Tremor's `error.txt`.
 *
 * The corpus runner (run-case.ts) compares compile errors by position and message only; this module
 * compares the whole text, expected-token lists and NOTE lines included. It is used by
 * `bin/compare-error-renderings.mjs` (prints a diff per differing case) and by
 * `test/corpus/error-renderings.test.ts` (locks in the cases that render exactly).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileQuery, compileScript, renderDiagnostic } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import { caseName, loadManifest } from './run-case.ts';

/** The categories whose error.txt is the rendering of a compile error (of a query or of a script). */
const SOURCE_FILE: Record<string, { file: string; compile: (source: string, file: string) => unknown }> = {
  query_errors: { file: 'query.trickle', compile: compileQuery },
  script_errors: { file: 'script.tremor', compile: compileScript },
};

export interface RenderingComparison {
  /** `<category>/<case>`. */
  name: string;
  /** Tremor's error.txt, trimmed. */
  expected: string;
  /** rill's rendering of its first compile error, trimmed (or a description of why there is none). */
  actual: string;
  matches: boolean;
}

export function compareErrorRenderings(corpusDir: string): RenderingComparison[] {
  const comparisons: RenderingComparison[] = [];
  for (const corpusCase of loadManifest(corpusDir)) {
    const language = SOURCE_FILE[corpusCase.category];
    const dir = join(corpusDir, corpusCase.category, corpusCase.case);
    if (!language || !existsSync(join(dir, 'error.txt'))) continue;
    const expected = readFileSync(join(dir, 'error.txt'), 'utf8').trim();
    const actual = renderFirstError(readFileSync(join(dir, language.file), 'utf8'), language.file, language.compile).trim();
    comparisons.push({ name: caseName(corpusCase), expected, actual, matches: actual === expected });
  }
  return comparisons;
}

function renderFirstError(source: string, file: string, compile: (source: string, file: string) => unknown): string {
  try {
    compile(source, file);
  } catch (error) {
    if (error instanceof CompileError) return renderDiagnostic(error.diagnostics[0], source);
    return `<threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}>`;
  }
  return '<compiled without error>';
}
