/**
 * The NOTE line Tremor v0.11 adds under a "Found the token `x` but expected …" error. The first
 * rule that applies wins:
 * 0. rill's own: a Tremor construct rill does not build (`intrinsic`) says so, instead of a hint
 *    that would send the user the wrong way (quoting it);
 * 1. `default` or `case` where it cannot go: a trailing `,` in the previous match clause;
 * 2. a keyword where an identifier could go: quote it with backquotes;
 * 3. a `-` where `(` could go: wrap the expression in parentheses;
 * 4. otherwise the expected token (as listed, backquotes included) closest to the found token's
 *    text by Damerau-Levenshtein distance, if that distance is at most 3; on a tie the one whose
 *    quoted text sorts first. Tremor measures the distance to the token as listed, backquotes
 *    included, which puts `frm` as far from `` `%` `` as from `` `from` `` (and `%` wins the tie);
 *    so before this rule, rill's own: a word one edit away from an expected keyword (a typo of
 *    it) gets that keyword ("Did you mean to use `from`?"). Tremor's corpus renderings keep their hints.
 */
import { quoteTerminal } from './expected-tokens.ts';

const MAX_SUGGESTION_DISTANCE = 3;

/** Tremor constructs rill's grammar lists (Tremor's parser takes them) but rill does not build. */
const NOT_SUPPORTED_YET: Readonly<Record<string, string>> = {
  intrinsic: '`intrinsic` declarations (how Tremor\'s standard library declares its built-in functions) are not supported yet by rill; its std functions are built in',
};

export function unexpectedTokenHint(found: string, foundIsKeyword: boolean, expected: readonly string[]): string | undefined {
  const options = expected.map(quoteTerminal);
  if (Object.hasOwn(NOT_SUPPORTED_YET, found)) return NOT_SUPPORTED_YET[found];
  if (found === 'default' || found === 'case') return 'You might have a trailing `,` in the prior statement';
  if (foundIsKeyword && options.includes('`<ident>`')) {
    return `It looks like you tried to use the '${found}' as a ident, consider quoting it as \`${found}\` to make it an identifier.`;
  }
  if (found === '-' && options.includes('`(`')) return 'Try wrapping this expression in parentheses `(` ... `)`';
  const typo = keywordTypo(found, expected);
  if (typo !== undefined) return `Did you mean to use ${quoteTerminal(typo)}?`;
  const closest = closestOption(found, options);
  return closest === undefined ? undefined : `Did you mean to use ${closest}?`;
}

/** The expected keyword one edit (Damerau-Levenshtein) away from the found word, the first in code-unit order if several. */
function keywordTypo(found: string, expected: readonly string[]): string | undefined {
  if (!/^[a-z_]+$/i.test(found)) return undefined;
  const typos = expected.filter((option) => /^[a-z_]+$/.test(option) && damerauLevenshtein(found, option) === 1);
  return typos.sort()[0];
}

function closestOption(found: string, options: readonly string[]): string | undefined {
  let best: { distance: number; option: string } | undefined;
  for (const option of options) {
    const distance = damerauLevenshtein(found, option);
    if (distance > MAX_SUGGESTION_DISTANCE) continue;
    if (!best || distance < best.distance || (distance === best.distance && option < best.option)) best = { distance, option };
  }
  return best?.option;
}

/**
 * Edit distance counting insertions, deletions, substitutions and transpositions of adjacent
 * characters (the unrestricted Damerau-Levenshtein distance, Lowrance-Wagner algorithm).
 */
export function damerauLevenshtein(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const never = left.length + right.length;
  /** For each character, the last row (1-based position in `left`) it was seen on. */
  const lastRow = new Map<string, number>();
  // d[i + 1][j + 1] is the distance between the first i characters of a and the first j of b.
  const d = Array.from({ length: left.length + 2 }, () => new Array<number>(right.length + 2).fill(0));
  d[0][0] = never;
  for (let i = 0; i <= left.length; i++) {
    d[i + 1][0] = never;
    d[i + 1][1] = i;
  }
  for (let j = 0; j <= right.length; j++) {
    d[0][j + 1] = never;
    d[1][j + 1] = j;
  }
  for (let i = 1; i <= left.length; i++) {
    let lastMatchingColumn = 0;
    for (let j = 1; j <= right.length; j++) {
      const k = lastRow.get(right[j - 1]) ?? 0;
      const l = lastMatchingColumn;
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchingColumn = j;
      d[i + 1][j + 1] = Math.min(
        d[i][j] + cost,
        d[i + 1][j] + 1,
        d[i][j + 1] + 1,
        d[k][l] + (i - k - 1) + 1 + (j - l - 1),
      );
    }
    lastRow.set(left[i - 1], i);
  }
  return d[left.length + 1][right.length + 1];
}
