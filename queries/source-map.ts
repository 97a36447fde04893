/**
 * Offsets -> 1-based line/column, and AST locations -> Diagnostic spans.
 */
import type { SourceSpan } from './diagnostic.ts';
import type { Loc } from './ast.ts';

export class SourceMap {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly source: string,
    readonly file = '',
  ) {
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }

  /**
   * The span a Diagnostic carries. A range over several lines is reported the way Tremor's
   * highlighter prints it: on its last line, from column 1, length = end column - 1.
   */
  span(loc: Loc): SourceSpan {
    const start = this.position(loc.start);
    const end = this.position(Math.max(loc.start, loc.end));
    if (start.line === end.line) {
      return { file: this.file, line: start.line, column: start.column, length: Math.max(1, loc.end - loc.start) };
    }
    return { file: this.file, line: end.line, column: 1, length: Math.max(1, end.column - 1) };
  }

  /** First and last line a location covers. */
  lines(loc: Loc): { first: number; last: number } {
    return { first: this.position(loc.start).line, last: this.position(Math.max(loc.start, loc.end - 1)).line };
  }
}
