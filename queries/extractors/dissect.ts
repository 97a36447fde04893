/**
 * `dissect|pattern|`: splits a string at the literal delimiters between `%{…}` fields (Tremor's
 * tremor-dissect). The binding is a record of the named fields.
 * - `%{name}` takes the text up to the next delimiter (the last field takes the rest);
 * - `%{}` and `%{?name}` take text without keeping it;
 * - `%{+name}` appends to `name`, joined with a space;
 * - `%{&name}`: the value of the `%{?name}` field is the key, this field's text the value;
 * - `%{name->}` also skips repeats of the delimiter that follows (padding);
 * - `%{_}` skips a run of spaces, `%{_(x)}` a run of `x`;
 * - `%{name:int}` / `%{name:float}` convert the text (no match if it is not a number).
 * A string that does not fit the pattern is no match.
 */
import { FloatValue, type RecordValue, type Value } from '../values/value.ts';
import { setKey } from '../values/ops.ts';
import { integerFromBigInt } from '../values/integer.ts';
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

type Item =
  | { kind: 'literal'; text: string }
  | { kind: 'padding'; text: string }
  | { kind: 'field'; name: string; mode: 'keep' | 'skip' | 'append' | 'indirect'; padded: boolean; type?: 'int' | 'float' };

export function compileDissect(pattern: string): Item[] {
  const items: Item[] = [];
  let rest = pattern;
  while (rest.length > 0) {
    const open = rest.indexOf('%{');
    if (open === -1) {
      items.push({ kind: 'literal', text: rest });
      break;
    }
    if (open > 0) items.push({ kind: 'literal', text: rest.slice(0, open) });
    const close = rest.indexOf('}', open);
    if (close === -1) throw new ExtractorRuleError(`The pattern \`${pattern}\` has an unterminated field`);
    const body = rest.slice(open + 2, close);
    rest = rest.slice(close + 1);
    const padding = /^_(?:\((.+)\))?$/.exec(body);
    if (padding) {
      items.push({ kind: 'padding', text: padding[1] ?? ' ' });
      continue;
    }
    const field = /^([?+&]?)([^:>-]*)(->)?(?::(int|float))?$/.exec(body);
    if (!field) throw new ExtractorRuleError(`The pattern \`${pattern}\` has an invalid field \`%{${body}}\``);
    const [, sigil, name, arrow, type] = field;
    const mode = sigil === '?' || name === '' ? 'skip' : sigil === '+' ? 'append' : sigil === '&' ? 'indirect' : 'keep';
    const previous = items.at(-1);
    if (previous?.kind === 'field') throw new ExtractorRuleError(`The pattern \`${pattern}\` has two fields without a delimiter between them`);
    items.push({ kind: 'field', name, mode, padded: arrow !== undefined, type: type as 'int' | 'float' | undefined });
  }
  return items;
}

function convert(text: string, type: 'int' | 'float' | undefined): Value | undefined {
  if (type === undefined) return text;
  if (type === 'int') return /^[-+]?[0-9]+$/.test(text) ? integerFromBigInt(BigInt(text)) : undefined;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) return undefined;
  return Number.isInteger(n) ? new FloatValue(n) : n;
}

export function runDissect(items: Item[], input: string): RecordValue | undefined {
  const result: RecordValue = {};
  const skipped = new Map<string, string>();
  let pos = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.kind === 'literal') {
      if (!input.startsWith(item.text, pos)) return undefined;
      pos += item.text.length;
      continue;
    }
    if (item.kind === 'padding') {
      while (input.startsWith(item.text, pos)) pos += item.text.length;
      continue;
    }
    const next = items[i + 1];
    const delimiter = next?.kind === 'literal' || next?.kind === 'padding' ? next.text : undefined;
    let end = delimiter === undefined ? input.length : input.indexOf(delimiter, pos);
    if (end === -1) return undefined;
    const text = input.slice(pos, end);
    if (item.padded && delimiter !== undefined) while (input.startsWith(delimiter, end + delimiter.length)) end += delimiter.length;
    pos = end;
    const value = convert(text, item.type);
    if (value === undefined) return undefined;
    switch (item.mode) {
      case 'keep':
        setKey(result, item.name, value);
        break;
      case 'skip':
        if (item.name !== '') skipped.set(item.name, text);
        break;
      case 'append': {
        const before = result[item.name];
        setKey(result, item.name, typeof before === 'string' ? `${before} ${text}` : value);
        break;
      }
      case 'indirect': {
        const key = skipped.get(item.name);
        if (key === undefined) return undefined;
        setKey(result, key, value);
        break;
      }
    }
  }
  return pos === input.length ? result : undefined;
}

export function dissectExtractor(rule: string): Extractor {
  const items = compileDissect(rule);
  return { extract: (input) => runDissect(items, input) ?? NO_MATCH };
}
