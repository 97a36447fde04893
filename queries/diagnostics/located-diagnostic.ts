/**
 * A Diagnostic that also says which source lines to show around it. Tremor chooses the context per
 * error kind: most runtime errors show only the erroring lines, function, match and assignment
 * errors show two lines either side; compile errors default to two lines either side.
 */
import { Diagnostic, type Severity, type SourceSpan } from '../diagnostic.ts';
import type { Loc } from '../ast.ts';
import type { SourceMap } from '../source-map.ts';

export interface ContextLines {
  first: number;
  last: number;
  /**
   * Whether the empty "line" after a source's final newline counts as a line that can be shown.
   * Tremor's query syntax errors show it (as `    N |`), its other errors do not.
   */
  includeFinalEmptyLine?: boolean;
}

export class LocatedDiagnostic extends Diagnostic {
  constructor(
    message: string,
    span: SourceSpan,
    readonly context: ContextLines,
    severity: Severity = 'error',
    hint?: string,
  ) {
    super(message, span, severity, hint);
  }
}

export interface DiagnosticOptions {
  /** Lines of context either side of the location (default 0: only the location's own lines). */
  expandLines?: number;
  hint?: string;
  severity?: Severity;
}

export function diagnosticAt(sourceMap: SourceMap, loc: Loc, message: string, options: DiagnosticOptions = {}): LocatedDiagnostic {
  const lines = sourceMap.lines(loc);
  const expand = options.expandLines ?? 0;
  return new LocatedDiagnostic(
    message,
    sourceMap.span(loc),
    { first: lines.first - expand, last: lines.last + expand },
    options.severity ?? 'error',
    options.hint,
  );
}
