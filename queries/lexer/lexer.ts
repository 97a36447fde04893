/**
 * The trickle lexer (trickle-spec §1), a small hand-written scanner.
 *
 * Why not a plain moo lexer: strings and heredocs contain `#{ … }` interpolations whose content is
 * ordinary trickle (brace-counted, may hold nested strings), and Tremor reports different errors
 * depending on where a string or interpolation breaks off. A recursive scanner says that directly:
 * `scanCode` lexes main-mode tokens until an interpolation's closing brace, `scanString` lexes a
 * string or heredoc and recurses into `scanCode` for each `#{`.
 *
 * A string becomes `strStart (strChunk | interpStart <tokens> interpEnd)* strEnd`, so the parser
 * sees the interpolated expressions as tokens like any other.
 */
import { Diagnostic } from '../diagnostic.ts';
import { SourceMap } from '../source-map.ts';
import { KEYWORDS, SYMBOLS, type Token } from './token.ts';

const IDENT_START = /\p{ID_Start}/u;
const IDENT_CONTINUE = /[\p{ID_Continue}-]/u;
const IDENT_REST = /[\p{ID_Continue}-]*/uy;
const DIGITS = /[0-9][0-9_]*/y;
const HEX_DIGITS = /[0-9a-fA-F_]+/y;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

const INTERPOLATION_HINT = "Did you mean to write a literal '#{'? Escape it as '\\#{'.";

interface OpenInterpolation {
  /** Offset of the `#{`. */
  offset: number;
  /** Whether the string that holds it is a heredoc (heredocs may span lines, strings may not). */
  inHeredoc: boolean;
}

export function lex(source: string, file: string): Token[] {
  return new Scanner(source, file).run();
}

class Scanner {
  private pos = 0;
  private readonly tokens: Token[] = [];
  private readonly sourceMap: SourceMap;
  private readonly interpolations: OpenInterpolation[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    this.sourceMap = new SourceMap(src, file);
  }

  run(): Token[] {
    this.scanCode();
    return this.tokens;
  }

  /** Main-mode tokens until end of input, or until the `}` closing the innermost interpolation. */
  private scanCode(): void {
    const src = this.src;
    const interpolation = this.interpolations.at(-1);
    let braceDepth = 0;
    for (;;) {
      const ch = src[this.pos];
      if (ch === undefined) {
        if (interpolation) throw this.unterminatedInterpolation(interpolation);
        return;
      }
      if (ch === '\n' && interpolation && !interpolation.inHeredoc) throw this.unterminatedInterpolation(interpolation);
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\s/u.test(ch)) {
        this.pos++;
        continue;
      }
      if (ch === '#') {
        // `#`, `##` (doc) and `###` (module doc) comments are all ignored (lenient, see docs/language.md).
        const end = src.indexOf('\n', this.pos);
        this.pos = end === -1 ? src.length : end;
        continue;
      }
      if (ch === '"') {
        this.scanString();
        continue;
      }
      if (ch === '`') {
        this.scanQuotedIdent();
        continue;
      }
      if ((ch >= '0' && ch <= '9') || (ch === '-' && isDigit(src[this.pos + 1]))) {
        this.scanNumber();
        continue;
      }
      if (IDENT_START.test(ch)) {
        this.scanIdent();
        continue;
      }
      if (ch === '{') braceDepth++;
      if (ch === '}') {
        if (interpolation && braceDepth === 0) return;
        braceDepth--;
      }
      this.scanSymbol();
    }
  }

  private scanSymbol(): void {
    const src = this.src;
    for (const [text, type] of SYMBOLS) {
      if (src.startsWith(text, this.pos)) {
        this.push(type, text, text, this.pos);
        this.pos += text.length;
        return;
      }
    }
    const ch = String.fromCodePoint(src.codePointAt(this.pos) ?? 0);
    if (ch === '|') throw this.error('Extractors (`|…|`) are not supported by rill', this.pos, 1);
    throw this.error(`An unexpected character '${ch}' was found`, this.pos, ch.length);
  }

  private scanIdent(): void {
    const start = this.pos;
    IDENT_REST.lastIndex = start + 1;
    IDENT_REST.exec(this.src);
    this.pos = IDENT_REST.lastIndex;
    const text = this.src.slice(start, this.pos);
    this.push(KEYWORDS.has(text) ? text.toUpperCase() : 'ident', text, text, start);
  }

  private scanQuotedIdent(): void {
    const start = this.pos;
    let end = start + 1;
    while (end < this.src.length && this.src[end] !== '`' && this.src[end] !== '\n') end++;
    if (this.src[end] !== '`') {
      throw this.error("It looks like you forgot to terminate an identifier with a closing '`'", start, end - start);
    }
    this.pos = end + 1;
    this.push('ident', this.src.slice(start + 1, end), this.src.slice(start, this.pos), start);
  }

  private scanNumber(): void {
    const src = this.src;
    const start = this.pos;
    const negative = src[start] === '-';
    const digitsStart = negative ? start + 1 : start;
    if (src[digitsStart] === '0' && src[digitsStart + 1] === 'x') {
      HEX_DIGITS.lastIndex = digitsStart + 2;
      const hex = HEX_DIGITS.exec(src);
      if (!hex) throw this.error('An invalid hexadecimal', start, Math.min(digitsStart + 3, src.length) - start);
      this.pos = HEX_DIGITS.lastIndex;
      const magnitude = BigInt(`0x${hex[0].replaceAll('_', '')}`);
      this.pushInteger(negative ? -magnitude : magnitude, start, 'An invalid hexadecimal');
      return;
    }
    DIGITS.lastIndex = digitsStart;
    DIGITS.exec(src);
    this.pos = DIGITS.lastIndex;
    let isFloat = false;
    if (src[this.pos] === '.' && isDigit(src[this.pos + 1])) {
      isFloat = true;
      DIGITS.lastIndex = this.pos + 1;
      DIGITS.exec(src);
      this.pos = DIGITS.lastIndex;
      const exponent = /[eE][+-]?[0-9]+/y;
      exponent.lastIndex = this.pos;
      if (exponent.exec(src)) this.pos = exponent.lastIndex;
    }
    const next = src[this.pos];
    if (next !== undefined && IDENT_CONTINUE.test(next)) {
      throw this.error(`An unexpected character '${next}' was found`, this.pos, 1);
    }
    const text = src.slice(start, this.pos).replaceAll('_', '');
    if (isFloat) {
      this.push('float', Number(text), src.slice(start, this.pos), start).isFloat = true;
      return;
    }
    this.pushInteger(BigInt(text), start, 'An invalid integer literal');
  }

  private pushInteger(value: bigint, start: number, overflowMessage: string): void {
    if (value < I64_MIN || value > I64_MAX) throw this.error(overflowMessage, start, this.pos - start);
    this.push('int', Number(value), this.src.slice(start, this.pos), start);
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

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
