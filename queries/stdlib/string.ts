/** `std::string` */
import { stringifyJson } from '../values/json.ts';
import type { Value } from '../values/value.ts';
import { badType, expectString, FunctionError, pure, type StdModule } from './function.ts';

const FORMAT_SPECIFIER_ERROR =
  'expected 1st parameter to format to be a format specifier e.g. to print a number use `string::format("{}", 1)`';

function chars(s: string): string[] {
  return Array.from(s);
}

function expectInteger(v: Value): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) badType();
  return v;
}

/** `{}` placeholders filled in order (strings raw, other values as JSON); `{{` and `}}` escape braces. */
function format(args: Value[]): Value {
  const [spec, ...values] = args;
  if (typeof spec !== 'string') throw new FunctionError('runtime', FORMAT_SPECIFIER_ERROR);
  let out = '';
  let next = 0;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i];
    if (ch === '{' && spec[i + 1] === '{') {
      out += '{';
      i++;
    } else if (ch === '}' && spec[i + 1] === '}') {
      out += '}';
      i++;
    } else if (ch === '{' && spec[i + 1] === '}') {
      if (next >= values.length) throw new FunctionError('runtime', 'the arguments passed to the format function are less than the `{}` specifiers');
      const value = values[next++];
      out += typeof value === 'string' ? value : stringifyJson(value);
      i++;
    } else if (ch === '{' || ch === '}') {
      throw new FunctionError('runtime', `the format specifier has an unmatched \`${ch}\``);
    } else out += ch;
  }
  if (next < values.length) throw new FunctionError('runtime', 'too many parameters passed. Ensure that you have the same number of {} in your format string');
  return out;
}

export const stringModule: StdModule = {
  format: pure([1, Infinity], format),
  len: pure(1, ([s]) => chars(expectString(s)).length),
  bytes: pure(1, ([s]) => Buffer.byteLength(expectString(s))),
  is_empty: pure(1, ([s]) => expectString(s).length === 0),
  trim: pure(1, ([s]) => expectString(s).trim()),
  trim_start: pure(1, ([s]) => expectString(s).trimStart()),
  trim_end: pure(1, ([s]) => expectString(s).trimEnd()),
  lowercase: pure(1, ([s]) => expectString(s).toLowerCase()),
  uppercase: pure(1, ([s]) => expectString(s).toUpperCase()),
  capitalize: pure(1, ([s]) => {
    const text = expectString(s);
    return text.charAt(0).toUpperCase() + text.slice(1);
  }),
  contains: pure(2, ([s, sub]) => expectString(s).includes(expectString(sub))),
  replace: pure(3, ([s, from, to]) => expectString(s).replaceAll(expectString(from), expectString(to))),
  split: pure(2, ([s, sep]) => expectString(s).split(expectString(sep))),
  into_binary: pure(1, ([s]) => Uint8Array.from(Buffer.from(expectString(s)))),
  from_utf8_lossy: pure(1, ([b]) => {
    if (!(b instanceof Uint8Array)) badType();
    return Buffer.from(b).toString('utf8');
  }),
  substr: pure(3, ([s, start, end]) => chars(expectString(s)).slice(expectInteger(start), expectInteger(end)).join('')),
};
