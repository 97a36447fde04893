/**
 * `influx||`: one line of the InfluxDB line protocol, as Tremor's `tremor-influx` decodes it:
 * `{"measurement": …, "tags": {…}, "fields": {…}, "timestamp": ns}`.
 *
 * `measurement[,tag=value…] field=value[,field=value…] [timestamp]`; `\,`, `\ ` (and in keys and
 * tag values `\=`) escape separators. Field values: `1.5` / `82` are floats, `82i` an integer,
 * `"…"` a string (`\"`, `\\` escaped), `t`/`true`/`f`/`false` (any case of the first letter, or all
 * upper case) booleans. Without a timestamp the event's ingest time is used. Anything else is no match.
 */
import { FloatValue, makeFloat, type RecordValue, type Value } from '../values/value.ts';
import { setKey } from '../values/ops.ts';
import { integerFromBigInt } from '../values/integer.ts';
import { NO_MATCH, type Extractor } from './extractor.ts';

class InfluxSyntaxError extends Error {}

const BOOLEANS: Record<string, boolean> = {
  t: true,
  T: true,
  true: true,
  True: true,
  TRUE: true,
  f: false,
  F: false,
  false: false,
  False: false,
  FALSE: false,
};

export function decodeInflux(line: string, ingestNs: number): RecordValue | undefined {
  const text = line.trimEnd();
  if (text === '' || text.startsWith('#')) return undefined;
  try {
    return new LineReader(text).read(ingestNs);
  } catch (error) {
    if (error instanceof InfluxSyntaxError) return undefined;
    throw error;
  }
}

class LineReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  read(ingestNs: number): RecordValue {
    const measurement = this.token([',', ' ']);
    if (measurement === '') throw new InfluxSyntaxError();
    const tags: RecordValue = {};
    while (this.text[this.pos] === ',') {
      this.pos++;
      const key = this.token(['=']);
      this.expect('=');
      const value = this.token([',', ' ']);
      if (key === '' || value === '') throw new InfluxSyntaxError();
      setKey(tags, key, value);
    }
    this.expect(' ');
    const fields: RecordValue = {};
    for (;;) {
      const key = this.token(['=']);
      this.expect('=');
      if (key === '') throw new InfluxSyntaxError();
      setKey(fields, key, this.fieldValue());
      if (this.text[this.pos] !== ',') break;
      this.pos++;
    }
    let timestamp: Value = ingestNs;
    if (this.pos < this.text.length) {
      this.expect(' ');
      const digits = this.text.slice(this.pos);
      if (!/^-?[0-9]+$/.test(digits)) throw new InfluxSyntaxError();
      timestamp = integerFromBigInt(BigInt(digits));
    }
    return { measurement, tags, fields, timestamp };
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) throw new InfluxSyntaxError();
    this.pos++;
  }

  /** Text up to an unescaped stop character; `\x` is `x` for any x. */
  private token(stops: string[]): string {
    let out = '';
    for (; this.pos < this.text.length; this.pos++) {
      const ch = this.text[this.pos];
      if (stops.includes(ch)) break;
      if (ch === '\\' && this.pos + 1 < this.text.length) {
        this.pos++;
        out += this.text[this.pos];
      } else out += ch;
    }
    return out;
  }

  private fieldValue(): Value {
    if (this.text[this.pos] === '"') {
      let out = '';
      for (this.pos++; this.pos < this.text.length; this.pos++) {
        const ch = this.text[this.pos];
        if (ch === '"') {
          this.pos++;
          return out;
        }
        if (ch === '\\' && (this.text[this.pos + 1] === '"' || this.text[this.pos + 1] === '\\')) this.pos++;
        out += this.text[this.pos];
      }
      throw new InfluxSyntaxError();
    }
    const raw = this.token([',', ' ']);
    if (Object.hasOwn(BOOLEANS, raw)) return BOOLEANS[raw];
    if (/^-?[0-9]+i$/.test(raw)) return integerFromBigInt(BigInt(raw.slice(0, -1)));
    if (/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(raw)) {
      const n = Number(raw);
      return Number.isInteger(n) ? new FloatValue(n) : makeFloat(n);
    }
    throw new InfluxSyntaxError();
  }
}

export function influxExtractor(): Extractor {
  return { extract: (input, ingestNs) => decodeInflux(input, ingestNs) ?? NO_MATCH };
}
