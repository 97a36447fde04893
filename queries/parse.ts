/**
 * Source text -> AST: lex everything, then run the nearley parser over the tokens. Lexer and parse
 * errors come back as Diagnostics in Tremor's wording ("Found the token `x` but expected …"), with
 * Tremor's expected-token list (diagnostics/expected-tokens.ts), its NOTE hints
 * (diagnostics/parse-error-hint.ts) and the source lines Tremor would show around them.
 */
import nearley from 'nearley';
import compiledGrammar from './grammar/trickle.generated.ts';
import { Diagnostic } from './diagnostic.ts';
import { expectedTerminals, expectedText, TRICKLE_TERMINALS, type EarleyColumn, type TremorTerminals } from './diagnostics/expected-tokens.ts';
import { unexpectedTokenHint } from './diagnostics/parse-error-hint.ts';
import { LocatedDiagnostic } from './diagnostics/located-diagnostic.ts';
import { lex } from './lexer/lexer.ts';
import type { Keywords } from './lexer/code-lexer.ts';
import type { Token } from './lexer/token.ts';
import { TokenStreamLexer } from './lexer/token-stream.ts';
import { SourceMap } from './source-map.ts';
import type { QueryStmt, ScriptItem } from './ast.ts';

/** Lines shown before and after a syntax error's line. */
const CONTEXT_LINES = 2;

const queryGrammar = nearley.Grammar.fromCompiled(compiledGrammar as unknown as nearley.CompiledRules);
const scriptGrammar = nearley.Grammar.fromCompiled({
  ...(compiledGrammar as unknown as nearley.CompiledRules),
  ParserStart: 'Script',
});

/** What differs between the languages parsed here: trickle queries and scripts, troy (queries/troy/parse.ts). */
export interface Language {
  keywords: Keywords;
  tremor: TremorTerminals;
  /** Tremor's query syntax errors also show the empty line after a final newline. */
  showsFinalEmptyLine: boolean;
  /** A NOTE for a syntax error Tremor has no hint for; troy shows the construct's canonical form. */
  fallbackHint?: (column: EarleyColumn | undefined, found: string) => string | undefined;
}

const TRICKLE_QUERY: Language = { keywords: TRICKLE_TERMINALS.keywords, tremor: TRICKLE_TERMINALS, showsFinalEmptyLine: true };
const TRICKLE_SCRIPT: Language = { ...TRICKLE_QUERY, showsFinalEmptyLine: false };

export function parseQuery(source: string, file: string): QueryStmt[] {
  return parseWith(queryGrammar, source, file, TRICKLE_QUERY) as QueryStmt[];
}

export function parseScript(source: string, file: string): ScriptItem[] {
  return parseWith(scriptGrammar, source, file, TRICKLE_SCRIPT) as ScriptItem[];
}

/** Thrown (inside a CompileError) when the grammar yields several trees; a grammar bug, never user error. */
export class AmbiguousParseError extends Error {}

/** Lexes and parses `source` with one of the generated grammars; errors are Diagnostics. */
export function parseWith(grammar: nearley.Grammar, source: string, file: string, language: Language): unknown {
  const tokens = lexShowingLinesUpToTheError(source, file, language.keywords);
  const parser = new nearley.Parser(grammar, { lexer: new TokenStreamLexer(tokens) } as unknown as nearley.ParserOptions);
  try {
    parser.feed(source);
  } catch (error) {
    const token = (error as { token?: Token }).token;
    if (!token) throw error;
    throw unexpectedToken(token, failingColumn(parser), file, language);
  }
  if (parser.results.length === 0) throw unexpectedEnd(source, file, expectedTerminals(failingColumn(parser), language.tremor));
  if (parser.results.length > 1) {
    throw new AmbiguousParseError(`grammar is ambiguous: ${parser.results.length} parses of ${file}`);
  }
  return parser.results[0];
}

/**
 * Tremor renders an error from the tokens its lexer produced; after a lexer error there are none,
 * so its rendering stops at the line the error is on (two lines before it are shown as usual).
 * An error past the end of the source (an unexpected end of stream) has no location in Tremor,
 * which shows no source lines for it.
 */
function lexShowingLinesUpToTheError(source: string, file: string, keywords: Keywords): Token[] {
  try {
    return lex(source, file, keywords);
  } catch (error) {
    if (!(error instanceof Diagnostic) || error instanceof LocatedDiagnostic) throw error;
    const { line } = error.span;
    const first = line > new SourceMap(source).lineCount ? line : line - CONTEXT_LINES;
    throw new LocatedDiagnostic(error.message, error.span, { first, last: line }, error.severity, error.hint);
  }
}

/** The nearley column the parser stopped in (nearley's typings do not expose its table). */
function failingColumn(parser: nearley.Parser): EarleyColumn | undefined {
  const internals = parser as unknown as { table: EarleyColumn[]; current: number };
  return internals.table[internals.current];
}

/**
 * Shown with two lines of context either side; in a query Tremor also shows the empty line after
 * the final newline when it falls in that range.
 */
function unexpectedToken(token: Token, column: EarleyColumn | undefined, file: string, language: Language): Diagnostic {
  const expected = expectedTerminals(column, language.tremor);
  const found = token.type === 'strStart' && token.text === '"""' ? 'heredoc_start' : token.text;
  const isKeyword = language.keywords.has(token.text) && token.type !== 'ident';
  return new LocatedDiagnostic(
    `Found the token \`${found}\` but expected ${expectedText(expected)}`,
    { file, line: token.line, column: token.col, length: Math.max(1, token.text.length) },
    { first: token.line - CONTEXT_LINES, last: token.line + CONTEXT_LINES, includeFinalEmptyLine: language.showsFinalEmptyLine },
    'error',
    unexpectedTokenHint(found, isKeyword, expected) ?? language.fallbackHint?.(column, found),
  );
}

function unexpectedEnd(source: string, file: string, expected: string[]): Diagnostic {
  const end = new SourceMap(source).position(source.length);
  return new Diagnostic(
    `An unexpected end of file was found, expected ${expectedText(expected)}`,
    { file, line: end.line, column: end.column, length: 1 },
  );
}
