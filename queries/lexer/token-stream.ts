/**
 * Adapts a lexed token array to the lexer interface nearley drives (`reset`/`next`/`has`/...).
 * The whole source is lexed up front (so lexer errors are reported before parsing starts); nearley
 * then pulls the tokens one by one and matches them by `type`.
 */
import type { Token } from './token.ts';

export class TokenStreamLexer {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** nearley passes the text chunk it was fed; the tokens already hold the whole source. */
  reset(_chunk?: string, _state?: unknown): void {
    this.index = 0;
  }

  next(): Token | undefined {
    return this.tokens[this.index++];
  }

  save(): undefined {
    return undefined;
  }

  formatError(token: Token): string {
    return `unexpected ${token.text} at line ${token.line} col ${token.col}`;
  }

  has(_tokenType: string): boolean {
    return true;
  }
}

/** What the grammar file declares as its lexer: only `has` is used at grammar-build time. */
export const tokenStream = new TokenStreamLexer([]);
