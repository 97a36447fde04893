/**
 * Source text -> AST: lex everything, then run the nearley parser over the tokens. Lexer and parse
 * errors come back as Diagnostics in Tremor's wording ("Found the token `x` but expected …").
 */
import nearley from 'nearley';
import compiledGrammar from './grammar/trickle.generated.ts';
import { Diagnostic } from './diagnostic.ts';
import { lex } from './lexer/lexer.ts';
import { KEYWORDS, SYMBOLS, type Token } from './lexer/token.ts';
import { TokenStreamLexer } from './lexer/token-stream.ts';
import { SourceMap } from './source-map.ts';
import type { QueryStmt, ScriptItem } from './ast.ts';

const queryGrammar = nearley.Grammar.fromCompiled(compiledGrammar as unknown as nearley.CompiledRules);
const scriptGrammar = nearley.Grammar.fromCompiled({
  ...(compiledGrammar as unknown as nearley.CompiledRules),
  ParserStart: 'Script',
});

export function parseQuery(source: string, file: string): QueryStmt[] {
  return parse(queryGrammar, source, file) as QueryStmt[];
}

export function parseScript(source: string, file: string): ScriptItem[] {
  return parse(scriptGrammar, source, file) as ScriptItem[];
}

/** Thrown (inside a CompileError) when the grammar yields several trees; a grammar bug, never user error. */
export class AmbiguousParseError extends Error {}

function parse(grammar: nearley.Grammar, source: string, file: string): unknown {
  const tokens = lex(source, file);
  const parser = new nearley.Parser(grammar, { lexer: new TokenStreamLexer(tokens) } as unknown as nearley.ParserOptions);
  try {
    parser.feed(source);
  } catch (error) {
    const token = (error as { token?: Token }).token;
    if (!token) throw error;
    throw unexpectedToken(token, expectedAt(parser), file);
  }
  if (parser.results.length === 0) throw unexpectedEnd(source, file, expectedAt(parser));
  if (parser.results.length > 1) {
    throw new AmbiguousParseError(`grammar is ambiguous: ${parser.results.length} parses of ${file}`);
  }
  return parser.results[0];
}

interface ParserInternals {
  table: Array<{ states: Array<{ rule: { symbols: unknown[] }; dot: number }> }>;
  current: number;
}

/** The token types the parser could have accepted at the point it stopped. */
function expectedAt(parser: nearley.Parser): string[] {
  const internals = parser as unknown as ParserInternals;
  const column = internals.table[internals.current];
  const expected = new Set<string>();
  for (const state of column?.states ?? []) {
    const symbol = state.rule.symbols[state.dot];
    if (typeof symbol === 'object' && symbol !== null && 'type' in symbol) expected.add(displayType(String(symbol.type)));
  }
  return [...expected].sort();
}

/** How Tremor names token types in its expected-token lists. */
const TYPE_TEXT: Record<string, string> = {
  ...Object.fromEntries(SYMBOLS.map(([text, type]) => [type, text])),
  strStart: '"', strEnd: '"', strChunk: '<string>', interpStart: '#{', interpEnd: '}', ident: '<ident>',
  int: 'int', float: 'float', TRUE: 'bool', FALSE: 'bool', NULL: 'nil',
};

function displayType(type: string): string {
  if (TYPE_TEXT[type] !== undefined) return TYPE_TEXT[type];
  return KEYWORDS.has(type.toLowerCase()) ? type.toLowerCase() : type;
}

function expectedText(expected: string[]): string {
  const quoted = expected.map((e) => `\`${e}\``);
  return quoted.length === 1 ? quoted[0] : `one of ${quoted.join(', ')}`;
}

function unexpectedToken(token: Token, expected: string[], file: string): Diagnostic {
  const found = token.type === 'strStart' && token.text === '"""' ? 'heredoc_start' : token.text;
  const isKeyword = KEYWORDS.has(token.text) && token.type !== 'ident';
  const hint =
    isKeyword && expected.includes('<ident>')
      ? `It looks like you tried to use the '${token.text}' as a ident, consider quoting it as \`${token.text}\` to make it an identifier.`
      : undefined;
  return new Diagnostic(
    `Found the token \`${found}\` but expected ${expectedText(expected)}`,
    { file, line: token.line, column: token.col, length: Math.max(1, token.text.length) },
    'error',
    hint,
  );
}

function unexpectedEnd(source: string, file: string, expected: string[]): Diagnostic {
  const end = new SourceMap(source).position(source.length);
  return new Diagnostic(
    `An unexpected end of file was found, expected ${expectedText(expected)}`,
    { file, line: end.line, column: end.column, length: 1 },
  );
}
