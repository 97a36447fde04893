/**
 * Renders a Diagnostic the way Tremor's "Dumb" highlighter does:
 *
 *     Error: 
 *         3 |   match event.snot of
 *           |               ^^^^ Conflicting types, got integer but expected record
 *
 * Context lines default to two either side of the span; a LocatedDiagnostic names its own.
 * The caret line follows the line the span is on; an optional `NOTE:` hint line follows it.
 * Source lines are shown as Tremor prints them (displayed-source.ts).
 */
import type { Diagnostic } from '../diagnostic.ts';
import { LocatedDiagnostic, type ContextLines } from './located-diagnostic.ts';
import { displayedLines } from './displayed-source.ts';

const DEFAULT_CONTEXT_LINES = 2;

export function renderDiagnostic(diagnostic: Diagnostic, source: string): string {
  const { line, column, length } = diagnostic.span;
  const context: ContextLines =
    diagnostic instanceof LocatedDiagnostic
      ? diagnostic.context
      : { first: line - DEFAULT_CONTEXT_LINES, last: line + DEFAULT_CONTEXT_LINES };
  const lines = displayedLines(diagnostic.moduleSource ?? source);
  if (lines.length > 1 && lines[lines.length - 1] === '' && !context.includeFinalEmptyLine) lines.pop();
  const first = Math.max(1, Math.min(context.first, line));
  const last = Math.min(lines.length, Math.max(context.last, line));
  let text =
    diagnostic.severity === 'warning'
      ? 'Warning: \n'
      : diagnostic.inModuleFile !== undefined
        ? `Error in ${diagnostic.inModuleFile}:${line}:${column} \n`
        : 'Error: \n';
  // No place in the source (a cyclic `use`, a function defined twice): only the caret line.
  if (line === 0) return `${text}      | ${'^'.repeat(Math.max(1, length))} ${diagnostic.message}\n\n`;
  for (let current = first; current <= Math.max(last, line); current++) {
    // A position past the end of the source (end of stream) shows only the caret line.
    if (current <= lines.length) text += `${String(current).padStart(5)} | ${lines[current - 1]}\n`;
    if (current === line) {
      text += `      | ${' '.repeat(Math.max(0, column - 1))}${'^'.repeat(Math.max(1, length))} ${diagnostic.message}\n`;
      if (diagnostic.hint) text += `      | ${' '.repeat(Math.max(0, column - 1) + length + 1)}NOTE: ${diagnostic.hint}\n`;
    }
  }
  return `${text}\n`;
}
