/**
 * Text for a runtime error that dropped an event. A Diagnostic (a select's runtime error) is shown
 * the way the language renders every diagnostic (source line and a caret under the span); anything
 * else (an operator failure) is one line naming the pipeline.
 */
import { Diagnostic } from '../queries/diagnostic.ts';
import { renderDiagnostic } from '../queries/index.ts';

export function renderRuntimeError(error: Error, source: string, pipelineId: string): string {
  if (error instanceof Diagnostic) return renderDiagnostic(error, source).trimEnd();
  return `Error: pipeline \`${pipelineId}\`: ${error.message}`;
}
