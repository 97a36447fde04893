/**
 * `glob|pattern|`: whether the whole string matches a glob, as Rust's `glob::Pattern::matches` (the
 * crate Tremor uses) does: `*` any run of characters (also `/`: matching is not path-aware), `?` one
 * character, `[abc]`, `[a-z]`, `[!abc]` classes, `[*]`, `[?]`, `[[]` for the literal characters.
 * picomatch/minimatch are path globs (`*` stops at `/`), so the pattern is translated here.
 * The binding is `true`.
 */
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') source += '[^]*';
    else if (ch === '?') source += '[^]';
    else if (ch === '[') {
      const close = findClassEnd(chars, i);
      if (close === -1) throw new ExtractorRuleError(`invalid range pattern at ${i}`);
      let body = chars.slice(i + 1, close);
      const negated = body[0] === '!';
      if (negated) body = body.slice(1);
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          cls += `${escapeClass(body[j])}-${escapeClass(body[j + 2])}`;
          j += 2;
        } else cls += escapeClass(body[j]);
      }
      source += negated ? `[^${cls}]` : `[${cls}]`;
      i = close;
    } else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

/** The `]` closing the class opened at `open`; a `]` right after `[` or `[!` is a member. */
function findClassEnd(chars: string[], open: number): number {
  let j = open + 1;
  if (chars[j] === '!') j++;
  if (chars[j] === ']') j++;
  for (; j < chars.length; j++) if (chars[j] === ']') return j;
  return -1;
}

function escapeClass(ch: string): string {
  return /[\\\]^-]/.test(ch) ? `\\${ch}` : ch;
}

export function globExtractor(rule: string): Extractor {
  // Tremor's shortcuts for `prefix*` and `*suffix` (same outcome, no pattern run).
  if (/^[^*?[]+\*$/.test(rule)) {
    const prefix = rule.slice(0, -1);
    return { extract: (input) => (input.startsWith(prefix) ? true : NO_MATCH) };
  }
  if (/^\*[^*?[]+$/.test(rule)) {
    const suffix = rule.slice(1);
    return { extract: (input) => (input.endsWith(suffix) ? true : NO_MATCH) };
  }
  const compiled = globToRegExp(rule);
  return { extract: (input) => (compiled.test(input) ? true : NO_MATCH) };
}
