/**
 * Rust `regex` crate syntax (what Tremor's `re|…|`, `std::re` and grok patterns are written in) to a
 * JavaScript RegExp. The two are close; what differs and is translated:
 * - `(?P<name>…)` named groups are `(?<name>…)`;
 * - flags set at the very start, `(?i)`, `(?m)`, `(?s)`, `(?ims)`, become RegExp flags (JavaScript
 *   on Node 20 has no inline flags; a flag group elsewhere is reported as unsupported);
 * - `\A` and `\z` (start/end of text) are `^`/`$` when multi-line mode is off;
 * - POSIX classes `[[:alpha:]]` inside brackets.
 * The `u` flag is used when the pattern allows it (Rust is Unicode-aware by default); a pattern with
 * escapes that Unicode mode rejects (`\-` outside a class, say) is compiled without it.
 */
import { ExtractorRuleError } from './extractor.ts';

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: 'A-Za-z0-9_',
  xdigit: '0-9A-Fa-f',
};

export function rustRegex(pattern: string, extraFlags = ''): RegExp {
  let source = pattern;
  let flags = extraFlags;
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading) {
    for (const flag of leading[1]) {
      if (flag === 'U') throw new ExtractorRuleError('the swap-greed flag (?U) is not supported by rill');
      if (!flags.includes(flag)) flags += flag;
    }
    source = source.slice(leading[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => {
      const members = POSIX_CLASSES[name];
      // A negated class cannot be spliced into an enclosing bracket; it is left for RegExp to reject.
      return members === undefined || negate ? whole : members;
    });
  if (!flags.includes('m')) source = source.replace(/\\A/g, '^').replace(/\\z/g, '$');
  if (/\(\?[a-zA-Z-]+[:)]/.test(source)) throw new ExtractorRuleError('inline flag groups other than at the start are not supported by rill');
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (error) {
      throw new ExtractorRuleError((error as Error).message);
    }
  }
}
