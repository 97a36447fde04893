#!/usr/bin/env node
// Run by `npm install` / `npm ci` (postinstall). Builds lmdb-js's native addon from source with one
// fix, because the prebuilt binary can corrupt memory when the disk is full:
//
// lmdb-js 3.5.6's copy of LMDB formats some error messages with `sprintf` into a `malloc(100)`
// buffer. The one for a page write that fails outright (ENOSPC on a disk full to the last byte,
// EFBIG past a file-size limit) can run past 100 bytes, and the process then aborts with
// "malloc(): corrupted top size" (9 of 20 runs of test/wal/full-to-the-last-byte.test.ts's scenario
// did). The fix bounds every such message to its buffer: `snprintf(last_error, 100, ...)`.
//
// lmdb-js loads `build/Release/lmdb.node` in preference to its prebuilt package (node-gyp-build's
// search order), so building in place is all it takes. node-gyp comes with npm (npm passes its path
// and settings such as `nodedir` to install scripts in npm_config_* variables). Without the tools a
// build needs (a C++ compiler, make, python3) it does not try: one warning names what is missing and
// what the prebuilt binary loses, and the install goes on with it. If a build fails anyway, the
// same warning says so. Either way the test named above then fails; everything else works.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

const PATCHED_VERSION = '3.5.6';

/** lmdb's package directory (its `exports` do not include package.json, so walk up from its entry). */
function packageDir(name) {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new Error(`cannot find the ${name} package directory`);
    dir = dirname(dir);
  }
  return dir;
}

const lmdbDir = packageDir('lmdb');
const version = JSON.parse(readFileSync(join(lmdbDir, 'package.json'), 'utf8')).version;
const source = join(lmdbDir, 'dependencies/lmdb/libraries/liblmdb/mdb.c');
const addon = join(lmdbDir, 'build/Release/lmdb.node');

/**
 * Each `sprintf(last_error, ...)` becomes `snprintf(last_error, N, ...)`, N the size of the
 * `last_error = malloc(N)` just before it (100 for most, 140 for one). Already bounded calls are
 * left alone, so running this twice changes nothing.
 */
function boundErrorMessages(code) {
  let bufferBytes;
  return code
    .split('\n')
    .map((line) => {
      const allocation = /last_error = malloc\((\d+)\)/.exec(line);
      if (allocation) bufferBytes = Number(allocation[1]);
      if (!/(?<!n)sprintf\(last_error, /.test(line)) return line;
      if (bufferBytes === undefined) fail(`an error message is formatted before any buffer is allocated: ${line.trim()}`);
      return line.replace(/(?<!n)sprintf\(last_error, /, `snprintf(last_error, ${bufferBytes}, `);
    })
    .join('\n');
}

/** What the prebuilt binary lacks, said once whenever it stays in use. */
const LOSS =
  "using lmdb-js's prebuilt binary instead, which works the same except on a disk full to the last byte, where it can abort the process (\"malloc(): corrupted top size\") instead of refusing events (docs/qos-wal.md); to build it, install them and run `node bin/build-patched-lmdb.mjs`";

function fail(message) {
  console.error(`build-patched-lmdb: warning: ${message}; ${LOSS}`);
  process.exit(0);
}

/** `name` on PATH (or an absolute path that exists). */
function onPath(name) {
  if (name.includes('/')) return existsSync(name);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)));
}

/** The tools node-gyp needs to build lmdb-js that are not there (names as a user would install them). */
function missingBuildTools() {
  const missing = [];
  const cxx = process.env.CXX?.split(' ')[0];
  if (!(cxx ? onPath(cxx) : ['c++', 'g++', 'clang++'].some(onPath))) missing.push('a C++ compiler (g++ or clang++)');
  if (!onPath('make')) missing.push('make');
  const python = process.env.npm_config_python ?? process.env.PYTHON;
  if (!(python ? onPath(python) : ['python3', 'python'].some(onPath))) missing.push('python3');
  return missing;
}

if (version !== PATCHED_VERSION) fail(`lmdb ${version} is installed, the fix is for ${PATCHED_VERSION}: check whether it is still needed`);
const text = readFileSync(source, 'utf8');
const patched = boundErrorMessages(text);
if (patched !== text) writeFileSync(source, patched);

if (existsSync(addon) && statSync(addon).mtimeMs > statSync(source).mtimeMs) process.exit(0);
const nodeGyp = process.env.npm_config_node_gyp ?? join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(nodeGyp)) fail(`node-gyp not found (${nodeGyp})`);
const missing = missingBuildTools();
if (missing.length > 0) fail(`cannot build lmdb-js from source: missing ${missing.join(', ')}`);
console.error('build-patched-lmdb: building lmdb-js from source with bounded error messages (about 20 s)');
// Node's own headers (no download: no network at install time) when npm does not name them already.
const nodeDir = dirname(dirname(process.execPath));
const headers = process.env.npm_config_nodedir === undefined && existsSync(join(nodeDir, 'include', 'node', 'common.gypi')) ? [`--nodedir=${nodeDir}`] : [];
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...headers], { cwd: lmdbDir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (build.status !== 0) {
  const errors = build.stderr.split('\n').filter((line) => /error/i.test(line)).slice(0, 10);
  console.error(errors.join('\n'));
  fail('building lmdb-js from source failed (the errors above)');
}
console.error(`build-patched-lmdb: built ${addon}`);
