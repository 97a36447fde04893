/**
 * JSON text <-> Value, keeping integers and floats distinct (see value.ts).
 *
 * Fast path: `JSON.parse`/`JSON.stringify` when the text holds no integral float literal
 * (`6.0`, `1e3`), which is what a log line nearly always is. Slow path: a small exact parser.
 */
import { FloatValue, type Value } from './value.ts';

/** Matches a number literal that JSON.parse would turn into an integral JS number but is a float. */
const INTEGRAL_FLOAT_HINT = /[0-9](?:\.[0-9]*[eE]|\.0+(?![0-9])|[eE])/;

export function parseJson(text: string): Value {
  if (!INTEGRAL_FLOAT_HINT.test(text)) return JSON.parse(text) as Value;
  return new ExactJsonParser(text).parseDocument();
}

export function stringifyJson(value: Value): string {
  if (!containsBoxed(value)) return JSON.stringify(value);
  return JSON.stringify(value, boxedReplacer).replace(FLOAT_MARKER_QUOTED, (_match, literal: string) => literal);
}

function containsBoxed(value: Value): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof FloatValue || value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (containsBoxed(item)) return true;
    return false;
  }
  for (const key in value) if (containsBoxed(value[key])) return true;
  return false;
}

// A FloatValue cannot be written as a bare `6.0` by JSON.stringify, so it becomes a marker string
// that is then rewritten in the output text. The marker contains a NUL, which JSON.stringify always
// escapes inside real strings, so it can never collide with user data.
const FLOAT_MARKER = '\u0000rill-float:';
const FLOAT_MARKER_QUOTED = /"\\u0000rill-float:([^"]*)"/g;

function boxedReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof FloatValue) return FLOAT_MARKER + formatFloat(value.value);
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}

export function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

class ExactJsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): Value {
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected trailing characters');
    return value;
  }

  private parseValue(): Value {
    const ch = this.text[this.pos];
    if (ch === '{') return this.parseObject();
    if (ch === '[') return this.parseArray();
    if (ch === '"') return this.parseString();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(ch ?? 'end of input')}`);
  }

  private parseObject(): Value {
    const record: Record<string, Value> = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return record;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      Object.defineProperty(record, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return record;
      if (next !== ',') this.fail("expected ',' or '}'");
    }
  }

  private parseArray(): Value {
    const items: Value[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.parseValue());
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return items;
      if (next !== ',') this.fail("expected ',' or ']'");
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '\\') this.pos += 2;
      else if (ch === '"') {
        this.pos++;
        return JSON.parse(this.text.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private parseNumber(): Value {
    const match = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) return this.fail('invalid number');
    this.pos += match[0].length;
    const n = Number(match[0]);
    const isFloatLiteral = match[1] !== undefined || match[2] !== undefined;
    return isFloatLiteral && Number.isInteger(n) ? new FloatValue(n) : n;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} in JSON at position ${this.pos}`);
  }
}
