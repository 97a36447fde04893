/**
 * JSON text <-> Value, keeping integers and floats distinct (see value.ts).
 *
 * Fast path: `JSON.parse`/`JSON.stringify` when the text holds no integral float literal
 * (`6.0`, `1e3`) and no integer beyond 2^53, which is what a log line nearly always is. Slow path:
 * a small exact parser.
 */
import { FloatValue, type Value } from './value.ts';
import { inIntegerRange, integerFromBigInt } from './integer.ts';

/**
 * Whether `text` may hold a number literal that JSON.parse would turn into an integral JS number
 * although it is a float: `6.0` (a fraction of zeros) or `1e3`, `1.5e3` (an exponent). Both end
 * where a JSON number ends, before `,`, `}`, `]`, whitespace or the end of the text; matching that
 * end keeps hex ids and GUIDs (`"4f1e2a"`, ending in `"`) off the slow path. A match inside a string
 * only costs speed. `indexOf('.0')` first: it rules out the fraction case for most texts at a
 * fraction of a pattern's cost; the exponent pattern has no such cheap first step.
 */
const ZERO_FRACTION = /[0-9]\.0+(?:[,}\]\s]|$)/;
/**
 * An exponent, or 16 digits in a row: an integer that may be beyond 2^53, which JSON.parse would
 * round (integers are exact to 64 bits, values/integer.ts). Digit runs inside strings (ids) only
 * cost speed. The 16 digits are written out, not as `[0-9]{16}`: V8's regex engine then skips
 * through the text (Boyer-Moore lookahead) and the pattern costs what the exponent test alone did;
 * with `{16}` (or `[0-9](?:…|[0-9]{15})`) the check was 2.5 times slower, ~10% of a parse.
 */
const EXPONENT_OR_LONG_INTEGER = new RegExp(`[0-9][eE][-+]?[0-9]+(?:[,}\\]\\s]|$)|${'[0-9]'.repeat(16)}`);

/** Whether JSON.parse may get `text` wrong: an integral float (`6.0`, `1e3`) or an integer beyond 2^53. */
export function mayNeedExactParse(text: string): boolean {
  return (text.indexOf('.0') !== -1 && ZERO_FRACTION.test(text)) || EXPONENT_OR_LONG_INTEGER.test(text);
}

export function parseJson(text: string): Value {
  if (!mayNeedExactParse(text)) return JSON.parse(text) as Value;
  return new ExactJsonParser(text).parseDocument();
}

/**
 * What plain `JSON.stringify` makes of the values it cannot write as rill does: a `FloatValue` comes
 * out as `{"value":6}`, a `Uint8Array` as `{"0":1,...}` or `{}`, a `Buffer` as `{"type":"Buffer",...}`.
 * Inside a JSON string every `"` is escaped, so these only match where a record (or one of those
 * values) starts; text without a match at any `{` holds none of them. A match may be a user's
 * record (a key `value`, an empty record) and then only costs the walk.
 */
const BOXED_AT = /\{(?:"value":|"0":|\}|"type":"Buffer")/y;

/**
 * One `JSON.stringify`, then a look at its text: cheaper than walking the value first, which every
 * event written by `rill run` would pay.
 */
export function stringifyJson(value: Value): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // JSON.stringify throws on a bigint (an integer beyond 2^53): only then is the exact writer needed.
    return writeExact(value);
  }
  if (!mayHideBoxed(text) || !containsBoxed(value)) return text;
  return writeExact(value);
}

/** Tries BOXED_AT at each `{`: finding the next `{` is far cheaper than running a pattern over the text. */
function mayHideBoxed(text: string): boolean {
  for (let brace = text.indexOf('{'); brace !== -1; brace = text.indexOf('{', brace + 1)) {
    BOXED_AT.lastIndex = brace;
    if (BOXED_AT.test(text)) return true;
  }
  return false;
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

/**
 * Compact JSON with record keys sorted (by UTF-16 code unit, which is UTF-8 byte order for every key
 * without characters beyond U+FFFF), ints and floats kept apart: the `json-sorted` codec.
 */
export function stringifyJsonSorted(value: Value): string {
  return writeExact(value, true);
}

/**
 * The slow path: a value holding an integral float (`6.0`) or bytes (written as an array of
 * numbers); with `sortKeys`, record keys in sorted order.
 */
function writeExact(value: Value, sortKeys = false): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
  }
  if (value instanceof FloatValue) return formatFloat(value.value);
  if (value instanceof Uint8Array) return `[${value.join(',')}]`;
  if (Array.isArray(value)) return `[${value.map((item) => writeExact(item, sortKeys)).join(',')}]`;
  let text = '{';
  const keys = sortKeys ? Object.keys(value).sort() : Object.keys(value);
  for (const key of keys) {
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${writeExact(value[key], sortKeys)}`;
  }
  return `${text}}`;
}

export function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  // Large magnitudes print in exponent form (`1e+21`), which JSON already reads as a float.
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : String(n);
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * The slow path: a small recursive-descent parser that keeps `6.0` a float. Written for speed too
 * (sticky regexes, no substring copies for plain strings) since log lines with integral floats
 * take this path on every event.
 */
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
    const code = this.text.charCodeAt(this.pos);
    if (code === 0x7b /* { */) return this.parseObject();
    if (code === 0x5b /* [ */) return this.parseArray();
    if (code === 0x22 /* " */) return this.parseString();
    if (code === 0x2d /* - */ || (code >= 0x30 && code <= 0x39)) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(this.text[this.pos] ?? 'end of input')}`);
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
      const value = this.parseValue();
      // `__proto__` must become an own key, not the record's prototype.
      if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
      else record[key] = value;
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
    const text = this.text;
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x5c /* \ */) {
        escaped = true;
        i++;
      } else if (code === 0x22 /* " */) {
        this.pos = i + 1;
        return escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      } else if (code < 0x20) {
        this.pos = i;
        this.fail('control character in string');
      }
    }
    return this.fail('unterminated string');
  }

  private parseNumber(): Value {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('invalid number');
    this.pos = NUMBER.lastIndex;
    const n = Number(match[0]);
    const isFloatLiteral = match[1] !== undefined || match[2] !== undefined;
    if (isFloatLiteral) return Number.isInteger(n) ? new FloatValue(n) : n;
    if (Number.isSafeInteger(n)) return n;
    // Beyond 2^53: exact as a bigint within Tremor's range (i64/u64), a float beyond it (as simd-json).
    const exact = BigInt(match[0]);
    return inIntegerRange(exact) ? integerFromBigInt(exact) : new FloatValue(n);
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
      pos++;
    }
    this.pos = pos;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} in JSON at position ${this.pos}`);
  }
}
