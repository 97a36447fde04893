/**
 * Problems in Tremor 0.11 artefact files. Every message names the file, the artefact and the key
 * (with a line and column when the YAML text says where), so a user can go straight to it:
 * `config/ws.yaml:4:5: offramp "ws": config: unknown key "urll" (did you mean "url"?)`.
 */
import { nearestName } from '../nearest-name.ts';
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
  const best = nearestName(word, candidates);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}
