/**
 * `kv|pattern|`: key/value pairs, as Tremor's `tremor-kv` reads them. The string is split into
 * fields at any field separator, each field at any key/value separator; a field that splits into
 * exactly a key and a value is kept (later keys win), others are skipped, and a string with no pair
 * is no match. Values stay strings.
 *
 * The pattern names the separators: the text between `%{key}` and `%{val}` is a key/value
 * separator, any other text a field separator (`kv|%{key}=%{val}&|`: `=` and `&`). Without one,
 * fields split at a space and keys at `:`.
 */
import type { RecordValue } from '../values/value.ts';
import { setKey } from '../values/ops.ts';
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

export interface KvPattern {
  fieldSeparators: string[];
  keySeparators: string[];
}

export function compileKvPattern(pattern: string): KvPattern {
  const fieldSeparators = new Set<string>();
  const keySeparators = new Set<string>();
  const parts = pattern.split(/(%\{key\}|%\{val\})/);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '%{key}' || part === '%{val}' || part === '') continue;
    const between = parts[i - 1] === '%{key}' && parts[i + 1] === '%{val}';
    if (between) keySeparators.add(part);
    else if (part.includes('%{')) throw new ExtractorRuleError(`invalid kv pattern: only %{key} and %{val} may be used: ${pattern}`);
    else fieldSeparators.add(part);
  }
  if (parts.filter((part) => part === '%{key}').length !== parts.filter((part) => part === '%{val}').length) {
    throw new ExtractorRuleError(`invalid kv pattern: every %{key} needs a %{val}: ${pattern}`);
  }
  for (const field of fieldSeparators) {
    for (const key of keySeparators) {
      if (field.includes(key) || key.includes(field)) {
        throw new ExtractorRuleError(`field separator '${field}' and key separator '${key}' overlap`);
      }
    }
  }
  return {
    fieldSeparators: fieldSeparators.size > 0 ? [...fieldSeparators] : [' '],
    keySeparators: keySeparators.size > 0 ? [...keySeparators] : [':'],
  };
}

function splitAtAny(text: string, separators: string[]): string[] {
  let pieces = [text];
  for (const separator of separators) pieces = pieces.flatMap((piece) => piece.split(separator));
  return pieces;
}

export function runKv(pattern: KvPattern, input: string): RecordValue | undefined {
  const result: RecordValue = {};
  let empty = true;
  for (const field of splitAtAny(input, pattern.fieldSeparators)) {
    const pair = splitAtAny(field, pattern.keySeparators);
    if (pair.length !== 2) continue;
    setKey(result, pair[0], pair[1]);
    empty = false;
  }
  return empty ? undefined : result;
}

export function kvExtractor(rule: string): Extractor {
  const pattern = compileKvPattern(rule);
  return { extract: (input) => runKv(pattern, input) ?? NO_MATCH };
}
