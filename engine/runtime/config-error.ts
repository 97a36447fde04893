/**
 * Problems in Tremor 0.11 artefact files. Every message names the file, the artefact and the key
 * (with a line and column when the YAML text says where), so a user can go straight to it:
 * `config/ws.yaml:4:5: offramp "ws": config: unknown key "urll" (did you mean "url"?)`.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly position?: { line: number; column: number },
  ) {
    super(`${file}${position ? `:${position.line}:${position.column}` : ''}: ${detail}`);
  }
}

/**
 * Thrown when loading found problems; holds all of them, in file order, each already rendered
 * (a ConfigError's message, or a query diagnostic with its source line and caret).
 */
export class LoadErrors extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** ` (did you mean "url"?)` for the closest candidate within a small edit distance, else ``. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerated = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= tolerated ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
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
