/**
 * Text for a runtime error that dropped an event. A Diagnostic (a select's runtime error) is shown
 * the way Tremor's Dumb highlighter shows runtime errors: the source line and a caret under the span.
 * Anything else (an operator failure) is one line naming the pipeline.
 */
import { Diagnostic } from '../queries/diagnostic.ts';

export function renderRuntimeError(error: Error, source: string, pipelineId: string): string {
  if (!(error instanceof Diagnostic)) return `Error: pipeline \`${pipelineId}\`: ${error.message}`;
  const { line, column, length } = error.span;
  const sourceLine = source.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
  const caret = `${' '.repeat(Math.max(0, column - 1))}${'^'.repeat(Math.max(1, length))}`;
  return `Error: \n${String(line).padStart(5)} | ${sourceLine}\n      | ${caret} ${error.message}`;
}
