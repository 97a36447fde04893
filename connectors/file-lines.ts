/**
 * The lines of a small input file, read whole at start-up: the debug connectors (`cb`, `bench`)
 * replay test files of a few hundred lines, where streaming would only add states. A last line
 * without a newline counts; a trailing newline does not make an empty last line. `\r\n` endings
 * lose their `\r` as Rust's `BufRead::lines` does.
 */
import { readFileSync } from 'node:fs';
import { ConnectorConfigError } from './connector.ts';

export function readLines(path: string, key: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConnectorConfigError(`cannot read ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, key);
  }
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
