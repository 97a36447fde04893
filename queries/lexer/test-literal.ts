/**
 * The body of an extractor, `name|…|` (Tremor's "test literal"), read by hand like a string.
 *
 * As in Tremor's lexer: `\\` is a backslash, `\|` a pipe, a backslash before a newline continues the
 * literal on the next line; any other escape is an error, and so is a newline or the end of the
 * source before the closing `|`. Continued lines lose their common indentation and are joined
 * without a separator, so
 *
 *     re|\
 *        a multi line \
 *        regular expression|
 *
 * is the rule `a multi line regular expression`.
 */

export type TestLiteralScan =
  | { ok: true; rule: string; end: number }
  | { ok: false; message: string; offset: number; length: number };

export const UNTERMINATED_EXTRACTOR = "It looks like you forgot to terminate an extractor with a closing '|'";

/** Scans from the opening `|` at `start`; `end` is the offset just past the closing `|`. */
export function scanTestLiteral(src: string, start: number): TestLiteralScan {
  const lines: string[] = [];
  let line = '';
  let pos = start + 1;
  for (;;) {
    const ch = src[pos];
    if (ch === undefined || ch === '\n') {
      return { ok: false, message: UNTERMINATED_EXTRACTOR, offset: start, length: pos - start };
    }
    if (ch === '|') {
      lines.push(line);
      return { ok: true, rule: joinLines(lines), end: pos + 1 };
    }
    if (ch === '\\') {
      const code = src[pos + 1];
      if (code === '\\' || code === '|') line += code;
      else if (code === '\n') {
        lines.push(line);
        line = '';
      } else if (code === undefined) {
        return { ok: false, message: UNTERMINATED_EXTRACTOR, offset: start, length: pos + 1 - start };
      } else {
        return { ok: false, message: `An unexpected escape code '${code}' was found`, offset: pos + 1, length: 1 };
      }
      pos += 2;
      continue;
    }
    line += ch;
    pos++;
  }
}

function joinLines(lines: string[]): string {
  if (lines.length === 1) return lines[0];
  let indent = Infinity;
  for (const line of lines) if (line !== '') indent = Math.min(indent, line.length - line.trimStart().length);
  if (indent === Infinity) indent = 0;
  return lines.map((line) => (line === '' ? line : line.slice(indent))).join('');
}
