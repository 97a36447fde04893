/**
 * bin/compiled-cache.mjs with real child processes, on a tiny fake source tree in a temporary
 * directory (never on the real sources): the first run builds a bundle, the next reuses it, an edit
 * makes the next run build and use the new code, concurrent first runs all succeed on one bundle,
 * unused old bundles go, and every case where no bundle can be used falls back to tsx.
 */
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runNode, type Finished } from '../support/run-node.ts';

const COMPILED_CACHE = join(import.meta.dirname, '../../bin/compiled-cache.mjs');
const RILL = join(import.meta.dirname, '../../bin/rill.mjs');

let workDir: string;
let root: string;
let cacheDir: string;
let runner: string;

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A fresh fake tree: bin/cli.ts prints a greeting it imports, and lazily loads lib/lazy.ts. */
beforeEach(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
  workDir = await mkdtemp(join(tmpdir(), 'rill-compiled-cache-'));
  root = join(workDir, 'tree');
  cacheDir = join(workDir, 'cache');
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'lib'), { recursive: true });
  await writeFile(join(root, 'package.json'), '{"type": "module"}\n');
  await writeFile(
    join(root, 'bin/cli.ts'),
    "import { greeting } from '../lib/greeting.ts';\n" +
      'console.log(greeting);\n' +
      "if (process.argv.includes('--lazy')) console.log((await import('../lib/lazy.ts')).lazyWord);\n" +
      "if (process.argv.includes('--throw')) throw new Error('thrown by the fake cli');\n",
  );
  await writeGreeting('hello 1');
  await writeFile(join(root, 'lib/lazy.ts'), "export const lazyWord: string = 'lazy';\n");
  runner = join(workDir, 'runner.mjs');
  await writeRunner(cacheDir);
});

async function writeGreeting(text: string): Promise<void> {
  await writeFile(join(root, 'lib/greeting.ts'), `export const greeting: string = ${JSON.stringify(text)};\n`);
}

async function writeRunner(cache: string, sourceRoots = ['bin', 'lib'], entries: { workerEntries?: Record<string, string>; earlyEntries?: Record<string, string> } = {}): Promise<void> {
  await writeFile(
    runner,
    `import { startCli } from ${JSON.stringify(pathToFileURL(COMPILED_CACHE).href)};\n` +
      `await startCli(${JSON.stringify({ root, cacheDir: cache, sourceRoots, ...entries })});\n`,
  );
}

function run(script: string, args: string[] = [], env: Record<string, string> = { RILL_DEBUG_STARTUP: '1' }, nodeOptions: string[] = []): Promise<Finished> {
  return runNode([...nodeOptions, script, ...args], {
    cwd: workDir,
    env: { ...process.env, RILL_DEBUG_STARTUP: '', RILL_NO_COMPILED_CACHE: '', ...env },
  });
}

async function bundleDirs(): Promise<string[]> {
  return (await readdir(cacheDir)).sort();
}

describe('compiled cache', () => {
  it('builds on the first run, reuses the bundle on the next, and rebuilds after an edit', async () => {
    const first = await run(runner, ['--lazy']);
    expect(first).toMatchObject({ code: 0, stdout: 'hello 1\nlazy\n' });
    expect(first.stderr).toMatch(/rill startup: built .* in /);
    const [key] = await bundleDirs();
    expect(await bundleDirs()).toEqual([key]);
    const bundleFiles = await readdir(join(cacheDir, key));
    // The lazy import stays a chunk of its own, loaded only when asked for.
    expect(bundleFiles.some((name) => name.startsWith('lazy-') && name.endsWith('.mjs'))).toBe(true);
    expect(bundleFiles).toContain('cli.mjs.map');
    const builtAt = (await stat(join(cacheDir, key, 'cli.mjs'))).mtimeMs;

    const second = await run(runner);
    expect(second).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    expect(second.stderr).toMatch(/rill startup: using .*freshness check/);
    expect(second.stderr).not.toMatch(/built/);
    expect(await bundleDirs()).toEqual([key]);
    expect((await stat(join(cacheDir, key, 'cli.mjs'))).mtimeMs).toBe(builtAt);

    await writeGreeting('hello, edited');
    const afterEdit = await run(runner);
    expect(afterEdit).toMatchObject({ code: 0, stdout: 'hello, edited\n' });
    expect(afterEdit.stderr).toMatch(/rill startup: built/);
    const dirs = await bundleDirs();
    // The previous bundle was used a moment ago, so it stays (a running server may still need it).
    expect(dirs).toHaveLength(2);
    expect(dirs).toContain(key);
  });

  it('removes bundles unused for over an hour after the next build, and keeps recent ones', async () => {
    expect((await run(runner)).code).toBe(0);
    const [oldKey] = await bundleDirs();
    await writeGreeting('hello, second');
    expect((await run(runner)).code).toBe(0);
    const recentKey = (await bundleDirs()).find((name) => name !== oldKey);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(cacheDir, oldKey), twoHoursAgo, twoHoursAgo);

    await writeGreeting('hello, third!');
    const third = await run(runner);
    expect(third).toMatchObject({ code: 0, stdout: 'hello, third!\n' });
    const dirs = await bundleDirs();
    expect(dirs).not.toContain(oldKey);
    expect(dirs).toContain(recentKey);
    expect(dirs).toHaveLength(2);
  });

  it('lets concurrent first runs all succeed on one complete bundle', async () => {
    const runs = await Promise.all([run(runner), run(runner), run(runner), run(runner)]);
    for (const finished of runs) {
      expect(finished.stderr).not.toMatch(/through tsx/);
      expect(finished).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    }
    // One final directory; the losers' temporary directories are gone.
    const dirs = await bundleDirs();
    expect(dirs).toHaveLength(1);
    expect(await readdir(join(cacheDir, dirs[0]))).toContain('cli.mjs');
  });

  it('falls back to tsx when the cache directory cannot be created, silently unless asked', async () => {
    const aFile = join(workDir, 'a-file');
    await writeFile(aFile, 'not a directory\n');
    await writeRunner(join(aFile, 'cache'));

    const quiet = await run(runner, [], {});
    expect(quiet).toEqual({ code: 0, stdout: 'hello 1\n', stderr: '' });
    const explained = await run(runner);
    expect(explained).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    expect(explained.stderr).toMatch(/rill startup: no compiled bundle \(.*ENOTDIR.*\); running the sources through tsx/);
  });

  it('uses tsx without touching the cache when RILL_NO_COMPILED_CACHE=1', async () => {
    const forced = await run(runner, [], { RILL_NO_COMPILED_CACHE: '1', RILL_DEBUG_STARTUP: '1' });
    expect(forced).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    expect(forced.stderr).toMatch(/RILL_NO_COMPILED_CACHE=1/);
    await expect(stat(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('bundles a plain JavaScript module of the sources, and rebuilds after an edit to it', async () => {
    await writeFile(join(root, 'lib/plain.mjs'), "export const plainWord = 'plain 1';\n");
    await writeFile(join(root, 'lib/greeting.ts'), "import { plainWord } from './plain.mjs';\nexport const greeting: string = plainWord;\n");
    const first = await run(runner);
    expect(first).toMatchObject({ code: 0, stdout: 'plain 1\n' });
    expect(first.stderr).toMatch(/rill startup: built/);
    await writeFile(join(root, 'lib/plain.mjs'), "export const plainWord = 'plain, edited';\n");
    const afterEdit = await run(runner);
    expect(afterEdit).toMatchObject({ code: 0, stdout: 'plain, edited\n' });
    expect(afterEdit.stderr).toMatch(/rill startup: built/);
  });

  it('refuses a bundle that includes a file the freshness key does not cover', async () => {
    await writeRunner(cacheDir, ['bin']);
    const uncovered = await run(runner);
    expect(uncovered).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    expect(uncovered.stderr).toMatch(/includes .*greeting\.ts, which the freshness key does not cover/);
    expect(await bundleDirs()).toEqual([]);
  });

  it('imports early entries before the CLI, and runs a worker entry as one CommonJS file with a V8 code cache the next start reuses', async () => {
    await writeFile(join(root, 'bin/early.ts'), "console.log('early');\n");
    // As bin/commands/server-thread.ts finds the engine thread's entry: beside the bundled module, or the source.
    await writeFile(
      join(root, 'bin/cli.ts'),
      "import { fileURLToPath } from 'node:url';\n" +
        "import { Worker } from 'node:worker_threads';\n" +
        "import { greeting } from '../lib/greeting.ts';\n" +
        'console.log(greeting);\n' +
        "const entry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.cjs', import.meta.url));\n" +
        'const worker = new Worker(process.argv[1], { workerData: { rillWorkerEntry: entry } });\n' +
        "await new Promise((resolve) => worker.on('exit', resolve));\n",
    );
    await writeFile(
      join(root, 'bin/worker.ts'),
      "import { isMainThread } from 'node:worker_threads';\n" +
        "import { greeting } from '../lib/greeting.ts';\n" +
        "const where = isMainThread ? 'main thread' : 'worker thread';\n" +
        "console.log(`worker: ${greeting} in a ${where}, from ${import.meta.url.split('/').pop()}, engine bundle ${globalThis.rillEngineBundle === true}`);\n" +
        '(globalThis as { rillWriteCodeCache?: () => void }).rillWriteCodeCache?.();\n',
    );
    await writeRunner(cacheDir, ['bin', 'lib'], { workerEntries: { worker: 'bin/worker.ts' }, earlyEntries: { early: 'bin/early.ts' } });

    const first = await run(runner);
    expect(first).toMatchObject({ code: 0, stdout: 'early\nhello 1\nworker: hello 1 in a worker thread, from worker.cjs, engine bundle true\n' });
    expect(first.stderr).toMatch(/worker\.cjs compiled with no code cache yet/);
    const [key] = await bundleDirs();
    expect((await stat(join(cacheDir, key, 'worker.cjs.v8cache'))).size).toBeGreaterThan(0);

    const second = await run(runner);
    expect(second).toMatchObject({ code: 0, stdout: first.stdout });
    expect(second.stderr).toMatch(/worker\.cjs compiled with its code cache\n/);

    // A cache V8 refuses (here: not a cache at all) is only slower: the module runs, and a new cache replaces it.
    await writeFile(join(cacheDir, key, 'worker.cjs.v8cache'), 'not a code cache');
    const refused = await run(runner);
    expect(refused).toMatchObject({ code: 0, stdout: first.stdout });
    expect(refused.stderr).toMatch(/worker\.cjs compiled with its code cache refused by V8/);
    expect(await run(runner)).toMatchObject({ code: 0, stderr: expect.stringMatching(/worker\.cjs compiled with its code cache\n/) });

    const fromSource = await run(runner, [], { RILL_NO_COMPILED_CACHE: '1' });
    expect(fromSource).toMatchObject({ code: 0, stdout: 'early\nhello 1\nworker: hello 1 in a worker thread, from worker.ts, engine bundle false\n' });
  });

  it('refuses a worker entry that import()s an external package (a vm.Script cannot), and runs through tsx', async () => {
    await writeFile(join(root, 'bin/worker.ts'), "void import('esbuild');\n");
    await writeRunner(cacheDir, ['bin', 'lib'], { workerEntries: { worker: 'bin/worker.ts' } });
    const refused = await run(runner);
    expect(refused).toMatchObject({ code: 0, stdout: 'hello 1\n' });
    expect(refused.stderr).toMatch(/no compiled bundle \(a worker entry imports esbuild with import\(\), which its CommonJS bundle cannot do\); running the sources through tsx/);
  });

  it('runs a failing CLI once, and maps its stack trace to the .ts source under --enable-source-maps', async () => {
    const failed = await run(runner, ['--throw'], { RILL_DEBUG_STARTUP: '1' }, ['--enable-source-maps']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('hello 1\n');
    expect(failed.stderr).toMatch(/rill startup: built/);
    expect(failed.stderr).toMatch(/thrown by the fake cli/);
    expect(failed.stderr).toMatch(/bin[/\\]cli\.ts:4:/);
  });
});

describe('the real rill command', () => {
  it('starts from the compiled cache: every file its bundle includes is covered by the freshness key', async () => {
    const help = await run(RILL, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: rill/);
    expect(help.stderr).toMatch(/rill startup: (using|built|another process built)/);
    expect(help.stderr).not.toMatch(/through tsx/);
  });
});
