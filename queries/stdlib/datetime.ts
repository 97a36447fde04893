/**
 * `std::datetime` (also reachable as `core::datetime`): timestamps as nanoseconds since the Unix
 * epoch (UTC), as Tremor 0.11's module: parse/format with strftime formats (chrono's specifiers,
 * see extractors/datetime.ts), component getters, rounding, and `with_*` durations.
 */
import { parseDatetime } from '../extractors/datetime.ts';
import { integerFromBigInt } from '../values/integer.ts';
import type { Value } from '../values/value.ts';
import { badType, expectString, FunctionError, pure, type StdModule } from './function.ts';

const NS = 1_000_000_000n;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function nanosArg(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) badType();
  return BigInt(v);
}

function durationArg(v: Value): bigint {
  const n = nanosArg(v);
  if (n < 0n || n > 0xffffffffn) badType();
  return n;
}

interface Parts {
  date: Date;
  subsecond: number;
}

function parts(nanos: bigint): Parts {
  const seconds = nanos / NS - (nanos % NS < 0n ? 1n : 0n);
  const subsecond = Number(nanos - seconds * NS);
  return { date: new Date(Number(seconds) * 1000), subsecond };
}

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

/** strftime formatting with chrono's specifiers (UTC: `%z` is +0000). */
export function formatDatetime(nanos: bigint, format: string): string {
  const { date, subsecond } = parts(nanos);
  const d = date;
  const specifiers: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()),
    C: () => pad(Math.floor(d.getUTCFullYear() / 100)),
    y: () => pad(d.getUTCFullYear() % 100),
    m: () => pad(d.getUTCMonth() + 1),
    b: () => MONTHS[d.getUTCMonth()].slice(0, 3),
    h: () => MONTHS[d.getUTCMonth()].slice(0, 3),
    B: () => MONTHS[d.getUTCMonth()],
    d: () => pad(d.getUTCDate()),
    e: () => pad(d.getUTCDate(), 2, ' '),
    a: () => DAYS[d.getUTCDay()].slice(0, 3),
    A: () => DAYS[d.getUTCDay()],
    w: () => String(d.getUTCDay()),
    u: () => String(d.getUTCDay() === 0 ? 7 : d.getUTCDay()),
    j: () => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
    H: () => pad(d.getUTCHours()),
    k: () => pad(d.getUTCHours(), 2, ' '),
    I: () => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12),
    l: () => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, 2, ' '),
    p: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
    P: () => (d.getUTCHours() < 12 ? 'am' : 'pm'),
    M: () => pad(d.getUTCMinutes()),
    S: () => pad(d.getUTCSeconds()),
    f: () => pad(subsecond, 9),
    '.f': () => (subsecond === 0 ? '' : `.${pad(subsecond, 9).replace(/(?:000){1,2}$/, '')}`),
    '.3f': () => `.${pad(subsecond, 9).slice(0, 3)}`,
    '.6f': () => `.${pad(subsecond, 9).slice(0, 6)}`,
    '.9f': () => `.${pad(subsecond, 9)}`,
    '3f': () => pad(subsecond, 9).slice(0, 3),
    '6f': () => pad(subsecond, 9).slice(0, 6),
    '9f': () => pad(subsecond, 9),
    z: () => '+0000',
    ':z': () => '+00:00',
    Z: () => 'UTC',
    s: () => String(nanos / NS - (nanos % NS < 0n ? 1n : 0n)),
    T: () => formatDatetime(nanos, '%H:%M:%S'),
    D: () => formatDatetime(nanos, '%m/%d/%y'),
    F: () => formatDatetime(nanos, '%Y-%m-%d'),
    R: () => formatDatetime(nanos, '%H:%M'),
    '+': () => formatDatetime(nanos, '%Y-%m-%dT%H:%M:%S%.f+00:00'),
    n: () => '\n',
    t: () => '\t',
    '%': () => '%',
  };
  return format.replace(/%([.:]?[0-9]?[A-Za-z%+])/g, (whole, spec: string) => specifiers[spec]?.() ?? whole);
}

function roundTo(nanos: bigint, unit: bigint): bigint {
  const seconds = nanos / NS;
  const subsecond = nanos % NS;
  const rounded = ((subsecond + unit / 2n) / unit) * unit;
  return seconds * NS + rounded;
}

const SECOND = NS;
const DAY = 86_400n * SECOND;
const withYears = (n: bigint): bigint => n * 365n * DAY + (n / 4n) * DAY;

const HUMAN_UNITS: Record<string, bigint> = {
  years: -1n,
  weeks: 7n * DAY,
  days: DAY,
  minutes: 60n * SECOND,
  seconds: SECOND,
  milliseconds: 1_000_000n,
  microseconds: 1_000n,
  nanoseconds: 1n,
};
/** Tremor 0.11 maps "1 minute" to a day (a bug kept for compatibility); "hours" is not a unit there. */
const HUMAN_SINGULAR: Record<string, bigint> = {
  year: -1n,
  week: 7n * DAY,
  day: DAY,
  minute: DAY,
  second: SECOND,
  millisecond: 1_000_000n,
  microsecond: 1_000n,
  nanosecond: 1n,
};

function fromHumanFormat(text: string): bigint | undefined {
  const tokens = text.split(' ');
  let total = 0n;
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    if (!/^[0-9]+$/.test(tokens[i])) continue;
    const n = BigInt(tokens[i]);
    const unit = Object.hasOwn(HUMAN_UNITS, tokens[i + 1]) ? HUMAN_UNITS[tokens[i + 1]] : n === 1n && Object.hasOwn(HUMAN_SINGULAR, tokens[i + 1]) ? HUMAN_SINGULAR[tokens[i + 1]] : undefined;
    if (unit !== undefined) total += unit === -1n ? withYears(n) : n * unit;
  }
  return total > 0n ? total : undefined;
}

const component = (read: (p: Parts) => number) => pure(1, ([v]) => read(parts(nanosArg(v))));
const duration = (unit: bigint) => pure(1, ([n]) => integerFromBigInt(durationArg(n) * unit));

export const datetimeModule: StdModule = {
  parse: pure(2, ([input, format]) => {
    const text = expectString(input);
    const fmt = expectString(format);
    const nanos = parseDatetime(text, fmt);
    if (nanos === undefined) throw new FunctionError('runtime', `Cannot Parse ${text} to valid timestamp`);
    return integerFromBigInt(nanos);
  }),
  iso8601: pure(1, ([v]) => formatDatetime(nanosArg(v), '%Y-%m-%dT%H:%M:%S%.9f+00:00')),
  format: pure(2, ([v, format]) => formatDatetime(nanosArg(v), expectString(format))),
  second: component((p) => p.date.getUTCSeconds()),
  minute: component((p) => p.date.getUTCMinutes()),
  hour: component((p) => p.date.getUTCHours()),
  day: component((p) => p.date.getUTCDate()),
  month: component((p) => p.date.getUTCMonth() + 1),
  year: component((p) => p.date.getUTCFullYear()),
  millisecond: component((p) => Math.floor(p.subsecond / 1_000_000)),
  microsecond: component((p) => Math.floor(p.subsecond / 1_000) % 1_000),
  nanosecond: component((p) => p.subsecond % 1_000),
  subsecond: component((p) => p.subsecond),
  today: {
    arity: 0,
    pure: false,
    call: () => {
      const now = new Date();
      return integerFromBigInt(BigInt(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) * 1_000_000n);
    },
  },
  to_nearest_millisecond: pure(1, ([v]) => integerFromBigInt(roundTo(nanosArg(v), 1_000_000n))),
  to_nearest_microsecond: pure(1, ([v]) => integerFromBigInt(roundTo(nanosArg(v), 1_000n))),
  to_nearest_second: pure(1, ([v]) => integerFromBigInt(roundTo(nanosArg(v), NS))),
  without_subseconds: pure(1, ([v]) => integerFromBigInt(nanosArg(v) / NS)),
  from_human_format: pure(1, ([v]) => {
    const text = expectString(v);
    const nanos = fromHumanFormat(text);
    if (nanos === undefined) throw new FunctionError('runtime', `The human format ${text} is invalid`);
    return integerFromBigInt(nanos);
  }),
  with_nanoseconds: duration(1n),
  with_microseconds: duration(1_000n),
  with_milliseconds: duration(1_000_000n),
  with_seconds: duration(SECOND),
  with_minutes: duration(60n * SECOND),
  with_hours: duration(3_600n * SECOND),
  with_days: duration(DAY),
  with_weeks: duration(7n * DAY),
  with_years: pure(1, ([n]) => integerFromBigInt(withYears(durationArg(n)))),
};
