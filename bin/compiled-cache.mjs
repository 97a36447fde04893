/**
 * Why this exists: rill runs its TypeScript sources without a build step, through tsx's loader.
 * Registering that loader and compiling each module on the fly roughly doubles the start-up time of
 * every `rill` command (tests spawn many, and `npm run bench` measures `rill run` end to end). So
 * `bin/rill.mjs` asks this module to run `bin/cli.ts` from an esbuild bundle kept in
 * `node_modules/.cache/rill/<key>/`, building the bundle first when it is missing. Editing a source
 * file still takes effect on the next run: the key changes, and the next start builds a new bundle.
 *
 * Freshness: the key is a hash of the path, mtime and size of every `.ts` and `.mjs` file under
 * SOURCE_ROOTS (plain JavaScript modules there are bundled too: connectors/json-text.mjs),
 * plus the mtimes of package.json, package-lock.json (an upgrade of esbuild or of a dependency) and
 * tsconfig.json (esbuild reads it), this file's own mtime and size (the build options live here)
 * and the Node version. Listing and stat-ing those files costs about 4 ms, much less than compiling
 * them. After each build, esbuild's metafile is checked: every file the bundle includes must be one
 * of the hashed files, otherwise a change to it could go unnoticed, and the bundle is refused.
 *
 * Concurrency: several rill processes often start at once. Each builds into its own temporary
 * directory beside the final one and renames it into place; a process that loses the race uses the
 * winner's directory. A key's directory therefore only ever holds a complete bundle.
 *
 * Old bundles are removed after a build, but only when unused for an hour (each start touches the
 * directory it runs from): a long-running `rill server run` may still lazily import chunks from it.
 *
 * Source maps: the bundle has linked `.map` files, but this module does not turn Node's source map
 * support on, as that costs about 10 ms per start; `node --enable-source-maps bin/rill.mjs` (or
 * RILL_NO_COMPILED_CACHE=1) gives stack traces that point at the `.ts` files.
 *
 * Worker threads: `workerEntries` are bundled as CommonJS files of their own (`<name>.cjs` beside
 * `cli.mjs`, each with everything it imports: no chunks). A worker the CLI starts runs the launcher
 * again, with `workerData.rillWorkerEntry` naming the module it is for (one of those files in the
 * bundle the CLI runs from, or its `.ts` source when the CLI runs through tsx): the worker then runs
 * that module alone, through tsx if it is a source, without checking freshness again (the bundle is
 * the one the main thread chose) and without loading the CLI (`rill server run`'s engine thread,
 * bin/commands/server-thread.ts).
 *
 * Why CommonJS there: Node 20 keeps no compiled code for ES modules, and a worker's start compiles
 * everything it loads again. A CommonJS file can be run as a `vm.Script` with a V8 code cache
 * (`<name>.cjs.v8cache` beside it, runCodeCached): the first start writes it, once the entry says
 * it has done its start-up work (`globalThis.rillWriteCodeCache()`), so that what start-up compiled
 * is in it; later starts reuse it. One file instead of some fifty chunks also spares Node's ES
 * loader its per-module work. `rill server run`'s first event came ~60 ms sooner. Such an entry must
 * not use top-level await, nor `import()` an external package (a vm.Script cannot in Node 20: the
 * build refuses it); `import.meta.url` is the bundle file's URL, and `globalThis.rillEngineBundle`
 * is the constant `true` (connectors/registry.ts drops a top-level await by it, and the WAL's store
 * requires lmdb-js by it).
 *
 * Early entries: `earlyEntries` are entries of the CLI's own build (`<name>.mjs` beside `cli.mjs`,
 * sharing its chunks) and imported before the CLI, so that work
 * which needs none of the CLI can start while the CLI's modules load and its arguments are parsed
 * (`rill server run` starts its engine thread there: bin/commands/server-prestart.ts). Through tsx
 * they are imported from source, also before the CLI.
 *
 * Falling back: if the bundle cannot be built (cache directory not writable, esbuild missing, ...),
 * the CLI runs through tsx as before. RILL_NO_COMPILED_CACHE=1 forces that path (tsx maps stack
 * traces to the sources); RILL_DEBUG_STARTUP=1 says on stderr which path was taken and why.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isMainThread, threadId, workerData } from 'node:worker_threads';

/** Directories (relative to the root) whose `.ts` and `.mjs` files the bundle may include. `test/corpus` and
 *  `test/troy` are there because `rill conformance` imports their case runners. */
export const SOURCE_ROOTS = ['bin', 'engine', 'operators', 'queries', 'connectors', 'test/corpus', 'test/troy'];

/**
 * Dependencies left out of the bundle, loaded from node_modules at run time: native code (lmdb and
 * the packages it loads its binary with), the build tools, and the optional native helpers of ws.
 * Every other dependency (yaml, commander, moo, nearley, ws, ...) is bundled: each thread that
 * loads the CLI (`rill server run` loads it twice: the supervisor and the engine thread) then
 * compiles one file per chunk instead of resolving, lexing and wrapping every CommonJS module.
 */
const EXTERNAL_PACKAGES = ['lmdb', 'msgpackr', 'msgpackr-extract', 'node-gyp-build-optional-packages', 'esbuild', 'tsx', 'bufferutil', 'utf-8-validate', 'fast-check', 'vitest'];

/** A directory unused for this long may be removed once a newer bundle has been built. */
const UNUSED_BUNDLE_MAX_AGE_MS = 60 * 60 * 1000;

const TEMPORARY_PREFIX = '.building-';

/** The bundled CLI entry inside a bundle directory. */
const BUNDLE_ENTRY = 'cli.mjs';

/**
 * Runs the CLI entry (default `bin/cli.ts` under `root`): from the compiled cache when possible,
 * through tsx otherwise.
 *
 * @param {object} options
 * @param {string} options.root the repository root
 * @param {string} [options.entry] the CLI module, relative to root
 * @param {Record<string, string>} [options.workerEntries] modules worker threads run (name -> path relative to root), bundled as `<name>.cjs`
 * @param {Record<string, string>} [options.earlyEntries] modules imported before the CLI (name -> path relative to root), bundled as `<name>.mjs`
 * @param {string} [options.cacheDir] where bundles are kept (default `<root>/node_modules/.cache/rill`)
 * @param {string[]} [options.sourceRoots] directories whose `.ts` files make up the freshness key
 */
export async function startCli({
  root,
  entry = 'bin/cli.ts',
  workerEntries = {},
  earlyEntries = {},
  cacheDir = join(root, 'node_modules', '.cache', 'rill'),
  sourceRoots = SOURCE_ROOTS,
}) {
  const workerEntry = isMainThread ? undefined : workerData?.rillWorkerEntry;
  if (typeof workerEntry === 'string') return workerEntry.endsWith('.ts') ? runThroughTsx(workerEntry) : runCodeCached(workerEntry);
  const debug = process.env.RILL_DEBUG_STARTUP === '1';
  const entryPath = resolve(root, entry);
  if (process.env.RILL_NO_COMPILED_CACHE === '1') {
    if (debug) console.error('rill startup: RILL_NO_COMPILED_CACHE=1, running the sources through tsx');
    return runThroughTsx(entryPath, root, earlyEntries);
  }
  let bundle;
  try {
    bundle = await compiledBundle({ root, entryPath, workerEntries, earlyEntries, cacheDir, sourceRoots, debug });
  } catch (error) {
    if (debug) console.error(`rill startup: no compiled bundle (${describe(error)}); running the sources through tsx`);
    return runThroughTsx(entryPath, root, earlyEntries);
  }
  // Outside the try: an error thrown by the CLI itself must not make it run a second time.
  for (const name of Object.keys(earlyEntries)) await import(pathToFileURL(join(dirname(bundle), `${name}.mjs`)).href);
  await import(pathToFileURL(bundle).href);
}

async function runThroughTsx(entryPath, root, earlyEntries = {}) {
  const { register } = await import('tsx/esm/api');
  register();
  for (const path of Object.values(earlyEntries)) await import(pathToFileURL(resolve(root, path)).href);
  await import(pathToFileURL(entryPath).href);
}

/** The path of the bundled entry for the current sources, building it if needed. */
async function compiledBundle({ root, entryPath, workerEntries, earlyEntries, cacheDir, sourceRoots, debug }) {
  const checkStarted = performance.now();
  const sources = listSources(root, sourceRoots);
  const key = freshnessKey(root, sources, { workerEntries, earlyEntries });
  const bundleDir = join(cacheDir, key);
  const bundle = join(bundleDir, BUNDLE_ENTRY);
  if (isFile(bundle)) {
    markUsed(bundleDir);
    if (debug) console.error(`rill startup: using ${bundleDir} (freshness check ${elapsed(checkStarted)})`);
    return bundle;
  }
  const buildStarted = performance.now();
  mkdirSync(cacheDir, { recursive: true });
  const temporaryDir = mkdtempSync(join(cacheDir, `${TEMPORARY_PREFIX}${key}-`));
  chmodSync(temporaryDir, 0o755); // mkdtemp makes it private; the bundle is not a secret
  try {
    // package.json is bundled too (`rill --version` imports it) and the key covers its mtime.
    const covered = new Set([...sources.map((source) => source.path), join(root, 'package.json')]);
    await build(root, entryPath, { workerEntries, earlyEntries }, temporaryDir, covered);
    if (!moveIntoPlace(temporaryDir, bundleDir)) {
      if (debug) console.error(`rill startup: another process built ${bundleDir} first; using it`);
      return bundle;
    }
  } finally {
    rmSync(temporaryDir, { recursive: true, force: true });
  }
  if (debug) console.error(`rill startup: built ${bundleDir} in ${elapsed(buildStarted)}`);
  removeUnusedBundles(cacheDir, key, debug);
  return bundle;
}

/** Every `.ts` and `.mjs` file under the source roots, sorted, with what the key needs from its stat. */
function listSources(root, sourceRoots) {
  const sources = [];
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const dirent of entries) {
      // Not join(): `dir` is normalized and a name has no separator, so this is the same path, and
      // join's normalizing was a third of the check's time (every start of every command pays it).
      const path = `${dir}${sep}${dirent.name}`;
      if (dirent.isDirectory()) {
        if (dirent.name !== 'node_modules') visit(path);
      } else if (dirent.name.endsWith('.ts') || dirent.name.endsWith('.mjs')) {
        const { mtimeMs, size } = statSync(path);
        sources.push({ path, mtimeMs, size });
      }
    }
  };
  for (const sourceRoot of sourceRoots) visit(join(root, sourceRoot));
  return sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function freshnessKey(root, sources, entries) {
  const hash = createHash('sha256');
  hash.update(`node ${process.version}\n`);
  hash.update(`entries ${JSON.stringify(entries)}\n`);
  const thisFile = statSync(fileURLToPath(import.meta.url));
  hash.update(`compiled-cache.mjs ${thisFile.mtimeMs} ${thisFile.size}\n`);
  for (const manifest of ['package.json', 'package-lock.json', 'tsconfig.json']) {
    hash.update(`${manifest} ${statSync(join(root, manifest), { throwIfNoEntry: false })?.mtimeMs}\n`);
  }
  // Every path is `<root>/<source root>/...` (listSources): cutting the root off is relative(), without its cost.
  const rootLength = resolve(root).length + 1;
  for (const { path, mtimeMs, size } of sources) hash.update(`${path.slice(rootLength)} ${mtimeMs} ${size}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles the CLI and the early entries into `outdir` (ES modules, code split: the CLI's `import()`
 * of each sub-command's modules stays lazy), and each worker entry as one CommonJS file. Most
 * dependencies are bundled (see EXTERNAL_PACKAGES).
 */
async function build(root, entryPath, { workerEntries, earlyEntries }, outdir, hashedSources) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(`cannot load esbuild: ${describe(error)}`);
  }
  const common = {
    bundle: true,
    platform: 'node',
    external: EXTERNAL_PACKAGES,
    target: `node${process.versions.node}`, // as tsx does: only syntax this Node lacks is lowered
    sourcemap: 'linked',
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  };
  const [cliResult, ...workerResults] = await Promise.all([
    esbuild.build({
      ...common,
      // cli is written as BUNDLE_ENTRY (given outExtension), each early entry as <name>.mjs beside it.
      entryPoints: { ...entryPointsOf(root, earlyEntries), cli: entryPath },
      format: 'esm',
      // Bundled CommonJS modules call `require` (of Node's own modules), which ESM lacks.
      banner: { js: "import { createRequire as __rillCreateRequire } from 'node:module'; const require = __rillCreateRequire(import.meta.url);" },
      splitting: true,
      outdir,
      outExtension: { '.js': '.mjs' },
    }),
    ...Object.entries(entryPointsOf(root, workerEntries)).map(([name, path]) =>
      esbuild.build({
        ...common,
        entryPoints: [path],
        format: 'cjs',
        outfile: join(outdir, `${name}.cjs`),
        define: { 'import.meta.url': '__rillModuleUrl', 'globalThis.rillEngineBundle': 'true' },
        banner: { js: "const __rillModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
      }),
    ),
  ]);
  // A vm.Script cannot import() in Node 20 (not without --experimental-vm-modules), so a CommonJS
  // entry must load its external packages with require (a static import becomes one).
  for (const output of workerResults.flatMap((result) => Object.values(result.metafile.outputs))) {
    const dynamic = output.imports.find((imported) => imported.external && imported.kind === 'dynamic-import');
    if (dynamic !== undefined) throw new Error(`a worker entry imports ${dynamic.path} with import(), which its CommonJS bundle cannot do`);
  }
  for (const result of [cliResult, ...workerResults]) {
    for (const input of Object.keys(result.metafile.inputs)) {
      const inputPath = resolve(root, input);
      // A dependency's files change only with package-lock.json, which is in the key.
      if (relative(root, inputPath).startsWith(`node_modules${sep}`)) continue;
      if (!hashedSources.has(inputPath)) {
        throw new Error(
          `the bundle includes ${inputPath}, which the freshness key does not cover ` +
            `(add its directory to SOURCE_ROOTS in ${fileURLToPath(import.meta.url)})`,
        );
      }
    }
  }
}

function entryPointsOf(root, entries) {
  return Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, resolve(root, path)]));
}

/**
 * Runs a CommonJS bundle file as Node would require it, compiled with the V8 code cache beside it
 * when there is one that fits. Without one (the first start after a build, or a cache V8 refused),
 * `globalThis.rillWriteCodeCache()` writes it: the entry calls that once its start-up is done, so
 * that the functions start-up compiled are in the cache too. Written to a temporary file and
 * renamed, so a concurrent start reads a whole cache or none; a cache that cannot be written is
 * only slower starts.
 */
function runCodeCached(file) {
  const cacheFile = `${file}.v8cache`;
  const source = readFileSync(file, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The wrapper Node's CommonJS loader puts around a module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  if (process.env.RILL_DEBUG_STARTUP === '1') {
    const how = cachedData === undefined ? 'no code cache yet' : script.cachedDataRejected ? 'its code cache refused by V8' : 'its code cache';
    console.error(`rill startup: ${file} compiled with ${how}`);
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    let written = false;
    globalThis.rillWriteCodeCache = () => {
      if (written) return;
      written = true;
      const temporary = `${cacheFile}.${process.pid}.${threadId}`;
      try {
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        rmSync(temporary, { force: true });
      }
    };
  } else globalThis.rillWriteCodeCache = () => {};
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

/** Renames the finished build to its final name; false when another process got there first. */
function moveIntoPlace(temporaryDir, bundleDir) {
  try {
    renameSync(temporaryDir, bundleDir);
    return true;
  } catch (error) {
    if ((error.code === 'ENOTEMPTY' || error.code === 'EEXIST') && isFile(join(bundleDir, BUNDLE_ENTRY))) return false;
    throw error;
  }
}

/** Records that a bundle directory is in use, so that cleaning up after a later build spares it. */
function markUsed(bundleDir) {
  const now = new Date();
  try {
    utimesSync(bundleDir, now, now);
  } catch {
    // A read-only cache can still be used; it just will not be cleaned up.
  }
}

/** Best effort: failing to clean up must not stop the command from running. */
function removeUnusedBundles(cacheDir, currentKey, debug) {
  const cutoff = Date.now() - UNUSED_BUNDLE_MAX_AGE_MS;
  try {
    for (const name of readdirSync(cacheDir)) {
      if (name === currentKey) continue;
      const dir = join(cacheDir, name);
      const stat = statSync(dir, { throwIfNoEntry: false });
      if (stat?.isDirectory() && stat.mtimeMs < cutoff) rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    if (debug) console.error(`rill startup: could not remove old bundles from ${cacheDir}: ${describe(error)}`);
  }
}

function isFile(path) {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function elapsed(since) {
  return `${(performance.now() - since).toFixed(1)} ms`;
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
