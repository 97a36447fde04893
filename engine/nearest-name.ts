/**
 * "Did you mean …?" for configuration keys and names: the candidate closest to a misspelt word.
 */

/**
 * The candidate closest to `word` if it is close enough to be a likely typo: within an edit distance
 * of a third of the word (at least 2), ignoring case. A word that extends or shortens a candidate
 * (`directory` for `dir`, `max` for `max_bytes`) counts as a near miss.
 */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  const lowered = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const loweredCandidate = candidate.toLowerCase();
    const isPrefix = lowered.length > 0 && (lowered.startsWith(loweredCandidate) || loweredCandidate.startsWith(lowered));
    const distance = isPrefix ? 1 : editDistance(lowered, loweredCandidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
