/**
 * Source lines the way Tremor's highlighter prints them. It does not print the source text: it
 * prints the tokens its lexer made from it, and a `#` comment token prints as `#`, a space, then the
 * comment's text. So `#  Bad to the bone` is shown as `#   Bad to the bone`. Everything else rill
 * shows verbatim; doc comments (`##`, `###`) are left alone too, since their printed form is not
 * known from the corpus.
 *
 * Comments are found between the tokens of rill's lexer (a `#` there cannot be inside a string).
 * A source rill cannot lex is shown verbatim.
 */
import { lex } from '../lexer/lexer.ts';

/** Error renderings of one source often come in bursts (an error per event): keep the last one. */
let cached: { source: string; lines: string[] } | undefined;

export function displayedLines(source: string): string[] {
  if (cached?.source !== source) cached = { source, lines: withCommentsAsTremorPrintsThem(source).split('\n') };
  return [...cached.lines];
}

function withCommentsAsTremorPrintsThem(source: string): string {
  if (!source.includes('#')) return source;
  let tokens;
  try {
    tokens = lex(source, '');
  } catch {
    return source;
  }
  let text = '';
  let copiedUpTo = 0;
  const copyGap = (end: number) => {
    text += source.slice(copiedUpTo, end).replace(/#[^\n]*/g, (comment) => (comment.startsWith('##') ? comment : `# ${comment.slice(1)}`));
    copiedUpTo = end;
  };
  for (const token of tokens) {
    if (token.offset < copiedUpTo) continue;
    copyGap(token.offset);
    copiedUpTo = token.offset + token.text.length;
    text += source.slice(token.offset, copiedUpTo);
  }
  copyGap(source.length);
  return text;
}
