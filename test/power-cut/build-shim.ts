/**
 * Compiles undo-shim.c with the machine's C compiler (`cc`, as lmdb-js's own build at install time
 * needs) into the temporary directory, once per version of the source: the file name carries a hash
 * of the source, and a build is renamed into place whole, so concurrent test runs never load a
 * half-written library.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./undo-shim.c', import.meta.url));

/** The path of the compiled shim, for LD_PRELOAD. Throws with the compiler's message if it cannot build. */
export function buildShim(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const library = join(tmpdir(), `rill-power-cut-shim-${hash}.so`);
  if (existsSync(library)) return library;
  const partial = `${library}.${process.pid}.partial`;
  const build = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-o', partial, SOURCE, '-ldl', '-lpthread'], {
    encoding: 'utf8',
  });
  if (build.error || build.status !== 0) {
    rmSync(partial, { force: true });
    const reason = build.error ? `${build.error.message}; install a C compiler, e.g. apt-get install gcc` : build.stderr;
    throw new Error(`cannot compile the power-cut shim ${SOURCE} with cc: ${reason}`);
  }
  renameSync(partial, library);
  return library;
}
