/**
 * Tokens the lexer hands to the nearley parser. The grammar matches on `type` only (`%ident`,
 * `%select`, `%lparen`, ...), never on `value`, so a string chunk whose text is `select` or a
 * backticked identifier `` `select` `` can never be mistaken for the keyword.
 */
export interface Token {
  type: string;
  /** Decoded value: identifier name, number, string chunk text; the source text otherwise. */
  value: string | number | boolean | null;
  /** Exactly as written in the source. */
  text: string;
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Number kind of an int/float literal; whether it was written as a float. */
  isFloat?: boolean;
}

/** Words that are keywords in v0.11 (trickle-spec §1); backticks turn them into identifiers. */
export const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'intrinsic mod const let match end fn null case of when default patch insert upsert update erase move copy ' +
    'merge for event state present absent true false and or xor not drop emit select from where with group by ' +
    'having into create tumbling sliding window stream operator script set each define args use as recur'
  ).split(' '),
);

/**
 * Troy's reserved words (Tremor 0.12): trickle's plus the deployment keywords. They are reserved in
 * a troy file's pipeline bodies too, as in Tremor 0.12's one lexer for both languages.
 */
export const TROY_KEYWORDS: ReadonlySet<string> = new Set([...KEYWORDS, ...'pipeline connector connect flow to deploy'.split(' ')]);

/** Symbol text -> token type, longest first so the scanner can try them in order. */
export const SYMBOLS: ReadonlyArray<readonly [string, string]> = [
  ['>>>', 'shr3'],
  [':::', 'badcolons'],
  ['...', 'ellipsis'],
  ['::', 'coloncolon'],
  ['=>', 'arrow'],
  ['==', 'eqeq'],
  ['!=', 'neq'],
  ['<=', 'lte'],
  ['>=', 'gte'],
  ['<<', 'shl'],
  ['>>', 'shr'],
  ['%{', 'pctbrace'],
  ['%[', 'pctbracket'],
  ['%(', 'pctparen'],
  ['~=', 'tildeeq'],
  [',', 'comma'],
  ['$', 'dollar'],
  ['.', 'dot'],
  [';', 'semi'],
  ['+', 'plus'],
  ['*', 'star'],
  ['\\', 'backslash'],
  ['(', 'lparen'],
  [')', 'rparen'],
  ['{', 'lbrace'],
  ['}', 'rbrace'],
  ['[', 'lbracket'],
  [']', 'rbracket'],
  ['/', 'slash'],
  ['^', 'caret'],
  ['&', 'amp'],
  [':', 'colon'],
  ['=', 'eq'],
  ['<', 'lt'],
  ['>', 'gt'],
  ['!', 'bang'],
  ['%', 'percent'],
  ['~', 'tilde'],
  ['-', 'minus'],
  ['_', 'underscore'],
];

/** Token types made by the string/heredoc scanner. */
export const STRING_TOKEN_TYPES = ['strStart', 'strEnd', 'strChunk', 'interpStart', 'interpEnd'] as const;

/** How a token is named in "Found the token `x`" messages. */
export function tokenDisplay(token: Token): string {
  switch (token.type) {
    case 'strStart':
      return token.text === '"""' ? 'heredoc_start' : '"';
    case 'strChunk':
      return token.text;
    default:
      return token.text;
  }
}
