/**
 * `re|regex|`: whether the regex (Rust syntax, see rust-regex.ts) matches anywhere in the string;
 * the binding is a record of the named groups that took part in the match (`{}` when there are none).
 */
import { NO_MATCH, type Extractor } from './extractor.ts';
import type { RecordValue } from '../values/value.ts';
import { setKey } from '../values/ops.ts';
import { rustRegex } from './rust-regex.ts';

export function reExtractor(rule: string): Extractor {
  const compiled = rustRegex(rule);
  return {
    extract(input) {
      const match = compiled.exec(input);
      if (match === null) return NO_MATCH;
      const groups: RecordValue = {};
      if (match.groups) for (const [name, text] of Object.entries(match.groups)) if (text !== undefined) setKey(groups, name, text);
      return groups;
    },
  };
}
