/**
 * The trickle lexer (trickle-spec §1): a moo lexer for main-mode tokens plus a small hand-written
 * scanner for strings.
 *
 * Main mode (identifiers, keywords, numbers, symbols, comments, backticked identifiers) is moo's job,
 * see `code-lexer.ts`. Strings and heredocs are not: they contain `#{ … }` interpolations whose
 * content is ordinary trickle (brace-counted, may hold nested strings), and Tremor reports different
 * errors depending on where a string or interpolation breaks off. A recursive scanner says that
 * directly: `scanCode` pulls main-mode tokens from moo until an interpolation's closing brace or a
 * `"`, `scanString` reads a string or heredoc by hand and recurses into `scanCode` for each `#{`.
 * After a string, moo is reset on the rest of the source (`reset` always starts at the chunk's
 * beginning), so its token offsets are relative to where it was last reset.
 *
 * A string becomes `strStart (strChunk | interpStart <tokens> interpEnd)* strEnd`, so the parser
 * sees the interpolated expressions as tokens like any other.
 */
import type moo from 'moo';
import { Diagnostic } from '../diagnostic.ts';
import { SourceMap } from '../source-map.ts';
import { CODE, createCodeLexer, type Keywords } from './code-lexer.ts';
import { KEYWORDS, type Token } from './token.ts';
import { scanTestLiteral } from './test-literal.ts';
import { integerFromBigInt } from '../values/integer.ts';

const IDENT_CONTINUE = /[\p{ID_Continue}-]/u;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

const INTERPOLATION_HINT = "Did you mean to write a literal '#{'? Escape it as '\\#{'.";

interface OpenInterpolation {
  /** Offset of the `#{`. */
  offset: number;
  /** Whether the string that holds it is a heredoc (heredocs may span lines, strings may not). */
  inHeredoc: boolean;
}

/** Trickle's tokens by default; troy passes its own reserved words (TROY_KEYWORDS). */
export function lex(source: string, file: string, keywords: Keywords = KEYWORDS): Token[] {
  return new Scanner(source, file, keywords).run();
}

class Scanner {
  private pos = 0;
  private readonly tokens: Token[] = [];
  private readonly sourceMap: SourceMap;
  private readonly interpolations: OpenInterpolation[] = [];
  private readonly codeLexer: moo.Lexer;
  /** Source offset of the chunk moo was last reset on. */
  private codeLexerBase = 0;
  /** Source offset moo reads from next; when `pos` moved elsewhere (a string), moo is reset. */
  private codeLexerNext = -1;

  constructor(
    private readonly src: string,
    private readonly file: string,
    keywords: Keywords,
  ) {
    this.sourceMap = new SourceMap(src, file);
    this.codeLexer = createCodeLexer(keywords);
  }

  run(): Token[] {
    this.scanCode();
    return this.tokens;
  }

  /** Main-mode tokens until end of input, or until the `}` closing the innermost interpolation. */
  private scanCode(): void {
    const interpolation = this.interpolations.at(-1);
    let braceDepth = 0;
    for (;;) {
      const token = this.nextCodeToken();
      if (token === undefined) {
        if (interpolation) throw this.unterminatedInterpolation(interpolation);
        return;
      }
      const start = token.offset;
      switch (token.type) {
        case CODE.newline:
          if (interpolation && !interpolation.inHeredoc) throw this.unterminatedInterpolation(interpolation);
          continue;
        case CODE.whitespace:
        case CODE.comment:
          continue;
        case CODE.quote:
          this.pos = start;
          this.scanString();
          continue;
        case CODE.quotedIdent:
          this.push('ident', token.text.slice(1, -1), token.text, start);
          continue;
        case CODE.unterminatedQuotedIdent:
          throw this.error(
            "It looks like you forgot to terminate an identifier with a closing '`'",
            start,
            token.text.length,
          );
        case CODE.hex:
          this.pushHex(token.text, start);
          continue;
        case CODE.invalidHex: {
          const digitsStart = token.text.startsWith('-') ? start + 1 : start;
          throw this.error('An invalid hexadecimal', start, Math.min(digitsStart + 3, this.src.length) - start);
        }
        case CODE.float:
        case CODE.int:
          this.pushDecimal(token.text, start, token.type === CODE.float);
          continue;
        case CODE.unexpected: {
          const ch = String.fromCodePoint(this.src.codePointAt(start) ?? 0);
          if (ch === '|') {
            this.pushTestLiteral(start);
            continue;
          }
          throw this.error(`An unexpected character '${ch}' was found`, start, ch.length);
        }
        case 'lbrace':
          braceDepth++;
          break;
        case 'rbrace':
          if (interpolation && braceDepth === 0) {
            this.pos = start;
            return;
          }
          braceDepth--;
          break;
      }
      // An identifier (type `ident` or its keyword's upper-cased name) or a symbol.
      this.push(token.type ?? 'ident', token.text, token.text, start);
    }
  }

  /** The next moo token from `pos`, its offset made absolute; `pos` moves past it. */
  private nextCodeToken(): moo.Token | undefined {
    if (this.codeLexerNext !== this.pos) {
      this.codeLexer.reset(this.src.slice(this.pos));
      this.codeLexerBase = this.pos;
    }
    const token = this.codeLexer.next();
    if (token === undefined) {
      this.codeLexerNext = this.pos;
      return undefined;
    }
    token.offset += this.codeLexerBase;
    this.pos = token.offset + token.text.length;
    this.codeLexerNext = this.pos;
    return token;
  }

  /** An extractor's `|…|` body (see test-literal.ts): one `testLiteral` token whose value is the rule. */
  private pushTestLiteral(start: number): void {
    const scan = scanTestLiteral(this.src, start);
    if (!scan.ok) throw this.error(scan.message, scan.offset, scan.length);
    this.push('testLiteral', scan.rule, this.src.slice(start, scan.end), start);
    this.pos = scan.end;
  }

  private pushHex(text: string, start: number): void {
    const negative = text.startsWith('-');
    const magnitude = BigInt(`0x${text.slice(negative ? 3 : 2).replaceAll('_', '')}`);
    this.pushInteger(negative ? -magnitude : magnitude, start, 'An invalid hexadecimal');
  }

  /** An int or float literal; like Tremor, an identifier character (letter, digit, `_`, `-`) after it is an error. */
  private pushDecimal(text: string, start: number, isFloat: boolean): void {
    const next = this.src[this.pos];
    if (next !== undefined && IDENT_CONTINUE.test(next)) {
      throw this.error(`An unexpected character '${next}' was found`, this.pos, 1);
    }
    const digits = text.replaceAll('_', '');
    if (isFloat) {
      this.push('float', Number(digits), text, start).isFloat = true;
      return;
    }
    this.pushInteger(BigInt(digits), start, 'An invalid integer literal');
  }

  private pushInteger(value: bigint, start: number, overflowMessage: string): void {
    if (value < I64_MIN || value > I64_MAX) throw this.error(overflowMessage, start, this.pos - start);
    const integer = integerFromBigInt(value);
    // nearley's error report JSON.stringifies a token's value, which a bigint breaks: beyond 2^53 the
    // value is the literal's text and `exact` holds the integer (the grammar reads `exact ?? value`).
    const token = this.push('int', typeof integer === 'bigint' ? String(integer) : integer, this.src.slice(start, this.pos), start);
    if (typeof integer === 'bigint') token.exact = integer;
  }

  /** A `"…"` string or a `"""` heredoc, starting at the current `"`. */
  private scanString(): void {
    const src = this.src;
    const start = this.pos;
    const heredoc = src.startsWith('"""', start);
    if (heredoc) {
      if (this.interpolations.length > 0) throw this.unterminatedInterpolation(this.interpolations.at(-1)!);
      const after = src[start + 3];
      if (after !== '\n' && !(after === '\r' && src[start + 4] === '\n')) {
        throw this.error(
          'It looks like you have characters tailing the here doc opening, it needs to be followed by a newline',
          start,
          3,
        );
      }
      this.push('strStart', '"""', '"""', start);
      this.pos = start + (after === '\n' ? 4 : 5);
    } else {
      this.push('strStart', '"', '"', start);
      this.pos = start + 1;
    }
    let chunk = '';
    let chunkStart = this.pos;
    const flush = (): void => {
      if (chunk !== '') this.push('strChunk', chunk, src.slice(chunkStart, this.pos), chunkStart);
      chunk = '';
    };
    for (;;) {
      const ch = src[this.pos];
      if (ch === undefined || (ch === '\n' && !heredoc)) {
        const enclosing = this.interpolations.at(-1);
        if (enclosing && (ch === undefined || !enclosing.inHeredoc)) throw this.unterminatedInterpolation(enclosing);
        if (heredoc) throw this.error("It looks like you forgot to terminate a here doc with a closing '\"\"\"'", start, 3);
        throw this.error("It looks like you forgot to terminate a string with a closing '\"'", start, this.pos - start);
      }
      if (ch === '"') {
        if (!heredoc || src.startsWith('"""', this.pos)) {
          flush();
          const closing = heredoc ? '"""' : '"';
          this.push('strEnd', closing, closing, this.pos);
          this.pos += closing.length;
          return;
        }
        chunk += ch;
        this.pos++;
        continue;
      }
      if (ch === '\\') {
        chunk += this.scanEscape();
        continue;
      }
      if (ch === '#' && src[this.pos + 1] === '{') {
        flush();
        this.scanInterpolation(heredoc);
        chunkStart = this.pos;
        continue;
      }
      chunk += ch;
      this.pos++;
    }
  }

  private scanInterpolation(inHeredoc: boolean): void {
    const open = this.pos;
    if (this.src[open + 2] === '}') {
      throw this.error('You have an interpolation without content.', open, 3, INTERPOLATION_HINT);
    }
    this.push('interpStart', '#{', '#{', open);
    this.pos = open + 2;
    this.interpolations.push({ offset: open, inHeredoc });
    this.scanCode();
    this.interpolations.pop();
    this.push('interpEnd', '}', '}', this.pos);
    this.pos++;
  }

  /** One escape sequence at the current backslash; returns the character(s) it stands for. */
  private scanEscape(): string {
    const src = this.src;
    const start = this.pos;
    const code = src[start + 1];
    if (code === undefined) {
      // Tremor reports the end of the stream without a source position: past the last line.
      return this.throwEndOfStream();
    }
    this.pos = start + 2;
    switch (code) {
      case '"':
      case "'":
      case '\\':
      case '/':
      case '#':
        return code;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        let end = start + 2;
        while (end < start + 6 && /[0-9a-fA-F]/.test(src[end] ?? '')) end++;
        const hex = src.slice(start + 2, end);
        const codeUnit = Number.parseInt(hex, 16);
        const isLoneSurrogate = codeUnit >= 0xd800 && codeUnit <= 0xdfff;
        if (hex.length < 4 || isLoneSurrogate) {
          const length = hex.length < 4 ? Math.min(end + 1, src.length) - start : 6;
          throw this.error('An invalid UTF8 escape sequence was found', start, length);
        }
        this.pos = end;
        return String.fromCharCode(codeUnit);
      }
      default:
        throw this.error(`An unexpected escape code '${code}' was found`, start, 2);
    }
  }

  private throwEndOfStream(): never {
    const span = { file: this.file, line: this.sourceMap.lineCount + 1, column: 1, length: 1 };
    throw new Diagnostic('An unexpected end of stream was found', span);
  }

  private unterminatedInterpolation(interpolation: OpenInterpolation): Diagnostic {
    let length = 2;
    if (interpolation.inHeredoc) {
      const lineEnd = this.src.indexOf('\n', interpolation.offset);
      length = (lineEnd === -1 ? this.src.length : lineEnd) - interpolation.offset;
    }
    return this.error(
      "It looks like you forgot to terminate a string interpolation with a closing '}'",
      interpolation.offset,
      length,
      INTERPOLATION_HINT,
    );
  }

  private push(type: string, value: Token['value'], text: string, offset: number): Token {
    const { line, col } = this.position(offset);
    const token: Token = { type, value, text, offset, line, col };
    this.tokens.push(token);
    return token;
  }

  private position(offset: number): { line: number; col: number } {
    const { line, column } = this.sourceMap.position(offset);
    return { line, col: column };
  }

  private error(message: string, offset: number, length: number, hint?: string): Diagnostic {
    const { line, col } = this.position(offset);
    return new Diagnostic(message, { file: this.file, line, column: col, length: Math.max(1, length) }, 'error', hint);
  }
}
