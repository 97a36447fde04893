/**
 * The benches' events: the 100 log-style lines of the trickle corpus's `passthrough` case
 * (~630 bytes each with the newline), as the texts a JSON source reads. bench/wal.ts cycles them
 * in the engine, bench/troy.ts sends them over TCP.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS_PATH = fileURLToPath(new URL('../../shared/trickle-corpus/queries/passthrough/in', import.meta.url));

/** The corpus's event lines, without their newlines. */
export function corpusTexts(): string[] {
  return readFileSync(CORPUS_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
