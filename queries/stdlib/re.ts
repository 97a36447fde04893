/**
 * `std::re`: regular expressions in Rust's syntax (translated as for the `re` extractor,
 * extractors/rust-regex.ts). Replacements use Rust's references: `$1`, `$name`, `${name}`, `$$`.
 * A bad regex is a runtime error of the call (a compile error when folded).
 */
import { ExtractorRuleError } from '../extractors/extractor.ts';
import { rustRegex } from '../extractors/rust-regex.ts';
import { expectString, FunctionError, pure, type StdModule } from './function.ts';

const compiled = new Map<string, RegExp>();

/** Regexes are cached by source: a call site usually passes the same literal for every event. */
function regex(source: string, global: boolean): RegExp {
  const key = `${global ? 'g' : '-'}${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    try {
      re = rustRegex(source, global ? 'g' : '');
    } catch (error) {
      if (error instanceof ExtractorRuleError) throw new FunctionError('runtime', error.message);
      throw error;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Rust's replacement syntax, applied to one match. */
function expand(replacement: string, match: RegExpExecArray | string[], groups: Record<string, string | undefined> | undefined): string {
  return replacement.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    if (/^[0-9]+$/.test(name)) return match[Number(name)] ?? '';
    return groups?.[name] ?? '';
  });
}

function replace(global: boolean): (args: import('../values/value.ts').Value[]) => string {
  return ([re, input, to]) => {
    const pattern = regex(expectString(re), global);
    const replacement = expectString(to);
    return expectString(input).replace(pattern, (...args: unknown[]) => {
      const last = args.at(-1);
      const groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
      const captures = args.slice(0, groups ? -3 : -2) as string[];
      return expand(replacement, captures, groups);
    });
  };
}

export const reModule: StdModule = {
  replace: pure(3, replace(false)),
  replace_all: pure(3, replace(true)),
  is_match: pure(2, ([re, input]) => regex(expectString(re), false).test(expectString(input))),
  split: pure(2, ([re, input]) => expectString(input).split(regex(expectString(re), true))),
};
