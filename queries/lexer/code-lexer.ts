/**
 * The moo lexer for trickle's main ("code") mode: whitespace, comments, identifiers and keywords,
 * backticked identifiers, numbers and symbols (trickle-spec §1).
 *
 * It only recognises text; `lexer.ts` turns its tokens into parser tokens (number values, i64
 * range, error messages) and takes over at a `"` (strings and heredocs are scanned by hand, see the
 * header there). Rules are tried in the order written: JavaScript alternation takes the first
 * alternative that matches, so numbers come before the `-` symbol (`-1` is one negative literal)
 * and the longer symbols before their prefixes.
 *
 * Every regex carries the `u` flag (moo requires all or none), which `\p{…}` needs.
 */
import moo from 'moo';
import { KEYWORDS, SYMBOLS } from './token.ts';

/** moo token types that are not parser tokens: `lexer.ts` handles each of them itself. */
export const CODE = {
  whitespace: 'whitespace',
  /** Kept apart from other whitespace: a newline ends a `"…"` string's interpolation with an error. */
  newline: 'newline',
  comment: 'comment',
  quote: 'quote',
  quotedIdent: 'quotedIdent',
  unterminatedQuotedIdent: 'unterminatedQuotedIdent',
  hex: 'hex',
  invalidHex: 'invalidHex',
  float: 'float',
  int: 'int',
  unexpected: 'unexpected',
} as const;

/** The reserved words of one language: trickle's (KEYWORDS) or troy's (TROY_KEYWORDS). */
export type Keywords = ReadonlySet<string>;

function rulesFor(keywords: Keywords): moo.Rules {
  // Keyword token type (`SELECT`, `EVENT`, ...) -> keyword, for `moo.keywords`.
  const keywordTypes = Object.fromEntries([...keywords].map((keyword) => [keyword.toUpperCase(), keyword]));
  return {
    [CODE.whitespace]: /[^\S\n]+/u,
    [CODE.newline]: { match: /\n/u, lineBreaks: true },
    // `#`, `##` (doc) and `###` (module doc) comments are all ignored (lenient, see docs/language.md).
    [CODE.comment]: /#[^\n]*/u,
    // A string or heredoc starts here; the hand-written scanner reads it.
    [CODE.quote]: '"',
    [CODE.quotedIdent]: /`[^`\n]*`/u,
    [CODE.unterminatedQuotedIdent]: /`[^`\n]*/u,
    [CODE.hex]: /-?0x[0-9a-fA-F_]+/u,
    [CODE.invalidHex]: /-?0x/u,
    // A fraction needs a digit after the dot (`1.` is an int then a dot); only fractions take exponents.
    [CODE.float]: /-?[0-9][0-9_]*\.[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?/u,
    [CODE.int]: /-?[0-9][0-9_]*/u,
    // An identifier starts with a BMP letter (one outside the BMP, such as `𝑥`, is reported as an
    // unexpected character, as rill always did); later characters may be any identifier character or `-`.
    ident: {
      match: /(?=[\u0000-\uFFFF])\p{ID_Start}[\p{ID_Continue}-]*/u,
      type: moo.keywords(keywordTypes),
    },
    ...Object.fromEntries(SYMBOLS.map(([text, type]) => [type, text])),
    // Anything else: moo returns the rest of the input as one token, `lexer.ts` reports its first character.
    [CODE.unexpected]: moo.error,
  };
}

const rulesByKeywords = new Map<Keywords, moo.Rules>();

/** A fresh lexer (moo lexers are stateful; one per lexed source). */
export function createCodeLexer(keywords: Keywords = KEYWORDS): moo.Lexer {
  let rules = rulesByKeywords.get(keywords);
  if (!rules) rulesByKeywords.set(keywords, (rules = rulesFor(keywords)));
  return moo.compile(rules);
}
