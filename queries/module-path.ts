/**
 * The module path `use a::b::c` searches (trickle and troy alike): an ordered list of directories
 * ("mounts"), each searched for `a/b/c` plus one of the language's file extensions; the first file
 * found wins. `TREMOR_PATH` (colon-separated; entries that are not directories are skipped) comes
 * after whatever directory the caller puts first (a query's or script's own directory), and rill's
 * bundled modules (queries/troy/lib) come last.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { shippedFile } from './shipped-file.ts';

export interface ModuleMount {
  dir: string;
  /** How the mount is named in messages; the directory unless a harness says otherwise. */
  label: string;
}

/** The modules rill ships (queries/troy/lib). */
// Beside this file in the sources; found above the compiled bundle (shipped-file.ts).
export const BUNDLED_MODULES_DIR = shippedFile(import.meta.url, join('troy', 'lib'), join('queries', 'troy', 'lib'));

/** `TREMOR_PATH`'s directories, then the bundled modules. */
export function defaultModulePath(tremorPath = process.env.TREMOR_PATH ?? ''): ModuleMount[] {
  const user = tremorPath
    .split(':')
    .filter((dir) => dir !== '' && isDirectory(dir))
    .map((dir) => ({ dir, label: dir }));
  return [...user, { dir: BUNDLED_MODULES_DIR, label: BUNDLED_MODULES_DIR }];
}

/**
 * Where a query's or script's `use` looks for module files: the file's own directory, then
 * `TREMOR_PATH`'s directories. (Tremor 0.11's std lib is built into rill, queries/stdlib, and is
 * found before any file; the bundled modules are Tremor 0.12 troy modules, not searched here.)
 */
export function trickleModulePath(file: string, tremorPath = process.env.TREMOR_PATH ?? ''): ModuleMount[] {
  const own = isDirectory(dirname(file)) && isFile(file) ? [{ dir: dirname(file), label: dirname(file) }] : [];
  return [...own, ...defaultModulePath(tremorPath).filter((mount) => mount.dir !== BUNDLED_MODULES_DIR)];
}

/** The first `mount/a/b/c<extension>` that is a file, trying the extensions in order per mount. */
export function findModuleFile(mounts: readonly ModuleMount[], path: readonly string[], extensions: readonly string[]): string | undefined {
  for (const mount of mounts) {
    for (const extension of extensions) {
      const candidate = `${join(mount.dir, ...path)}${extension}`;
      if (isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** A file as messages name it: under the first mount that holds it, by the mount's label. */
export function displayName(mounts: readonly ModuleMount[], file: string): string {
  for (const mount of mounts) {
    const inside = relative(mount.dir, file);
    if (inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep)) return join(mount.label, inside);
  }
  return file;
}

/**
 * Beside the troy loader when it runs from source; when it runs from the compiled CLI's esbuild
 * bundle (`node_modules/.cache/rill/<key>/`, see bin/compiled-cache.mjs), in the repository above it.
 */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
