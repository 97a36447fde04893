/**
 * Compile-time and runtime problems, each with the place in the source it is about.
 * The language module renders them the way Tremor's "Dumb" highlighter does (source line and a
 * caret line); every part of rill throws or reports these rather than bare Errors.
 */
export interface SourceSpan {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Characters underlined; at least 1. */
  length: number;
}

export type Severity = 'error' | 'warning';

export class Diagnostic extends Error {
  /**
   * Set on an error found in a module file a `use` brought in: Tremor's highlighter then starts with
   * `Error in <file>:<line>:<col> ` instead of `Error: ` (render.ts).
   */
  inModuleFile?: string;
  /** That module file's source, which the error renders against. */
  moduleSource?: string;

  constructor(
    message: string,
    readonly span: SourceSpan,
    readonly severity: Severity = 'error',
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A span for an error Tremor reports without a place in the source (shown as a lone caret). */
export function nowhere(file: string): SourceSpan {
  return { file, line: 0, column: 1, length: 1 };
}

/** Thrown when compiling fails; holds every error found (at least one). */
export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[], readonly source: string) {
    super(diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column}: ${d.message}`).join('\n'));
  }
}
