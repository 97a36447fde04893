/**
 * A data file rill ships in its sources (`queries/troy/lib/`, `queries/extractors/grok.patterns`),
 * found from the module that reads it. Run from the sources, it sits beside that module; run from
 * the compiled bundle (`node_modules/.cache/rill/<hash>/`, bin/compiled-cache.mjs) it does not, so
 * the directories above are searched for `<repoPath>` (the repository holds the bundle's cache).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function shippedFile(moduleUrl: string, besideModule: string, repoPath: string): string {
  const moduleFile = fileURLToPath(moduleUrl);
  const beside = join(dirname(moduleFile), besideModule);
  if (existsSync(beside)) return beside;
  for (let dir = dirname(moduleFile); dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, repoPath);
    if (existsSync(candidate)) return candidate;
  }
  return beside;
}
