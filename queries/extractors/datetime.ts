/**
 * `datetime|format|`: a timestamp parsed with a strftime format, as Tremor's extractor does with
 * chrono: the binding is the time in nanoseconds since the Unix epoch (UTC unless the format reads an
 * offset with `%z`/`%:z`/`%#z`). A string that does not fit the format is no match.
 *
 * Supported (chrono's parsing specifiers): %Y %C %y %m %b %h %B %d %e %a %A %j %H %k %I %l %p %P %M
 * %S %f %.f %.3f %.6f %.9f %3f %6f %9f %z %:z %#z %s %T %D %F %R %+ %n %t %%; whitespace in the format
 * matches any run of whitespace. No date library parses chrono's formats (date-fns and luxon use
 * their own tokens), so the format is read here; the calendar arithmetic is Date.UTC's.
 */
import { integerFromBigInt } from '../values/integer.ts';
import type { Value } from '../values/value.ts';
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const SHORTHANDS: Record<string, string> = { T: '%H:%M:%S', D: '%m/%d/%y', F: '%Y-%m-%d', R: '%H:%M', '+': '%Y-%m-%dT%H:%M:%S%.f%:z' };

class NoFit extends Error {}

interface Fields {
  year?: number;
  century?: number;
  yearInCentury?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  nanos?: number;
  offsetSeconds?: number;
  timestamp?: bigint;
}

/** Nanoseconds since the epoch, or undefined when `input` does not fit `format`. */
export function parseDatetime(input: string, format: string): bigint | undefined {
  let expanded = format;
  for (const [letter, full] of Object.entries(SHORTHANDS)) expanded = expanded.replaceAll(`%${letter}`, full);
  const fields: Fields = {};
  let pos = 0;
  const digits = (min: number, max: number, signed = false): number => {
    const match = new RegExp(`^${signed ? '[-+]?' : ''}[0-9]{${min},${max}}`).exec(input.slice(pos));
    if (!match) throw new NoFit();
    pos += match[0].length;
    return Number(match[0]);
  };
  const spacePadded = (max: number): number => {
    while (input[pos] === ' ') pos++;
    return digits(1, max);
  };
  const name = (short: string[], long: string[]): number => {
    const rest = input.slice(pos).toLowerCase();
    for (let i = 0; i < long.length; i++) {
      if (rest.startsWith(long[i])) {
        pos += long[i].length;
        return i;
      }
    }
    for (let i = 0; i < short.length; i++) {
      if (rest.startsWith(short[i])) {
        pos += short[i].length;
        return i;
      }
    }
    throw new NoFit();
  };
  const fraction = (max: number): number => {
    const match = new RegExp(`^[0-9]{1,${max}}`).exec(input.slice(pos));
    if (!match) throw new NoFit();
    pos += match[0].length;
    return Number(match[0].padEnd(9, '0').slice(0, 9));
  };
  const offset = (colon: 'no' | 'yes' | 'maybe'): number => {
    if (input[pos] === 'Z' || input[pos] === 'z') {
      pos++;
      return 0;
    }
    const sign = input[pos] === '-' ? -1 : input[pos] === '+' ? 1 : 0;
    if (sign === 0) throw new NoFit();
    pos++;
    const hours = digits(2, 2);
    if (input[pos] === ':' && colon !== 'no') pos++;
    else if (colon === 'yes') throw new NoFit();
    const minutes = colon === 'maybe' && !/[0-9]/.test(input[pos] ?? '') ? 0 : digits(2, 2);
    return sign * (hours * 3600 + minutes * 60);
  };
  try {
    for (let i = 0; i < expanded.length; i++) {
      const ch = expanded[i];
      if (ch !== '%') {
        if (/\s/.test(ch)) {
          while (/\s/.test(input[pos] ?? '')) pos++;
        } else if (input[pos++] !== ch) throw new NoFit();
        continue;
      }
      let spec = expanded[++i];
      if (spec === '.' || spec === ':' || spec === '#' || /[0-9]/.test(spec ?? '')) {
        spec += expanded[++i];
        if (spec === '.3' || spec === '.6' || spec === '.9') spec += expanded[++i];
      }
      switch (spec) {
        case 'Y':
          fields.year = digits(1, 6, true);
          break;
        case 'C':
          fields.century = digits(1, 2);
          break;
        case 'y':
          fields.yearInCentury = digits(1, 2);
          break;
        case 'm':
          fields.month = digits(1, 2);
          break;
        case 'b':
        case 'h':
        case 'B':
          fields.month = name(MONTHS, MONTH_NAMES) + 1;
          break;
        case 'd':
          fields.day = digits(1, 2);
          break;
        case 'e':
          fields.day = spacePadded(2);
          break;
        case 'a':
        case 'A':
          name(DAYS, DAY_NAMES);
          break;
        case 'j':
          fields.dayOfYear = digits(1, 3);
          break;
        case 'H':
          fields.hour = digits(1, 2);
          break;
        case 'k':
          fields.hour = spacePadded(2);
          break;
        case 'I':
          fields.hour12 = digits(1, 2);
          break;
        case 'l':
          fields.hour12 = spacePadded(2);
          break;
        case 'p':
        case 'P':
          fields.pm = name(['am', 'pm'], []) === 1;
          break;
        case 'M':
          fields.minute = digits(1, 2);
          break;
        case 'S':
          fields.second = digits(1, 2);
          break;
        case 'f':
          fields.nanos = fraction(9);
          break;
        case '.f':
        case '.3f':
        case '.6f':
        case '.9f':
          if (input[pos] === '.') {
            pos++;
            fields.nanos = fraction(spec === '.f' ? 9 : Number(spec[1]));
          }
          break;
        case '3f':
        case '6f':
        case '9f':
          fields.nanos = fraction(Number(spec[0]));
          break;
        case 'z':
          fields.offsetSeconds = offset('no');
          break;
        case ':z':
          fields.offsetSeconds = offset('yes');
          break;
        case '#z':
          fields.offsetSeconds = offset('maybe');
          break;
        case 's': {
          const match = /^-?[0-9]+/.exec(input.slice(pos));
          if (!match) throw new NoFit();
          pos += match[0].length;
          fields.timestamp = BigInt(match[0]);
          break;
        }
        case 'n':
        case 't':
          while (/\s/.test(input[pos] ?? '')) pos++;
          break;
        case '%':
          if (input[pos++] !== '%') throw new NoFit();
          break;
        default:
          throw new ExtractorRuleError(`unsupported datetime format specifier %${spec ?? ''}`);
      }
    }
    if (pos !== input.length) return undefined;
    return toNanos(fields);
  } catch (error) {
    if (error instanceof NoFit) return undefined;
    throw error;
  }
}

function toNanos(fields: Fields): bigint | undefined {
  const nanos = BigInt(fields.nanos ?? 0);
  if (fields.timestamp !== undefined) return fields.timestamp * 1_000_000_000n + nanos;
  let year = fields.year;
  if (year === undefined && fields.yearInCentury !== undefined) {
    year = fields.century !== undefined ? fields.century * 100 + fields.yearInCentury : fields.yearInCentury + (fields.yearInCentury < 70 ? 2000 : 1900);
  }
  let hour = fields.hour;
  if (hour === undefined && fields.hour12 !== undefined) {
    if (fields.hour12 < 1 || fields.hour12 > 12) return undefined;
    hour = (fields.hour12 % 12) + (fields.pm ? 12 : 0);
  }
  if (year === undefined || hour === undefined || fields.minute === undefined) return undefined;
  let month = fields.month;
  let day = fields.day;
  if (fields.dayOfYear !== undefined && (month === undefined || day === undefined)) {
    const date = new Date(Date.UTC(year, 0, fields.dayOfYear));
    if (date.getUTCFullYear() !== year) return undefined;
    month = date.getUTCMonth() + 1;
    day = date.getUTCDate();
  }
  if (month === undefined || day === undefined) return undefined;
  const second = fields.second ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || fields.minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined;
  date.setUTCHours(hour, fields.minute, second);
  const seconds = BigInt(date.getTime() / 1000) - BigInt(fields.offsetSeconds ?? 0);
  return seconds * 1_000_000_000n + nanos;
}

const SPECIFIER = /%([.:#]?[0-9]?[A-Za-z%+])/g;
const SUPPORTED = new Set('Y C y m b h B d e a A j H k I l p P M S f .f .3f .6f .9f 3f 6f 9f z :z #z s T D F R + n t %'.split(' '));

export function datetimeExtractor(rule: string): Extractor {
  // Unsupported specifiers are an error when the extractor is built, not on the first event.
  for (const [, spec] of rule.matchAll(SPECIFIER)) {
    if (!SUPPORTED.has(spec)) throw new ExtractorRuleError(`unsupported datetime format specifier %${spec}`);
  }
  return {
    extract(input): Value | typeof NO_MATCH {
      const nanos = parseDatetime(input, rule);
      return nanos === undefined ? NO_MATCH : integerFromBigInt(nanos);
    },
  };
}
