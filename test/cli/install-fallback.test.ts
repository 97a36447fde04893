/**
 * bin/build-patched-lmdb.mjs (npm ci's postinstall) on a machine without the tools to build
 * lmdb-js: it patches the source, does not try a build, and leaves the prebuilt binary in use with
 * ONE warning line naming what is missing and what the prebuilt binary loses; the install goes on
 * (exit 0). Run as a real process on a copy of the script beside a small lmdb package tree, with a
 * PATH that holds nothing but node.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'rill-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm ci without a compiler', () => {
  it('keeps the prebuilt lmdb binary with one warning naming what that loses', () => {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin/build-patched-lmdb.mjs'), join(dir, 'bin/build-patched-lmdb.mjs'));
    const lmdb = join(dir, 'node_modules/lmdb');
    mkdirSync(join(lmdb, 'dependencies/lmdb/libraries/liblmdb'), { recursive: true });
    writeFileSync(join(lmdb, 'package.json'), JSON.stringify({ name: 'lmdb', version: '3.5.6', main: 'index.js' }));
    writeFileSync(join(lmdb, 'index.js'), '');
    const source = join(lmdb, 'dependencies/lmdb/libraries/liblmdb/mdb.c');
    writeFileSync(source, 'last_error = malloc(100);\nsprintf(last_error, "MDB_PAGE_WRITE %s", message);\n');
    const onlyNode = join(dir, 'path');
    mkdirSync(onlyNode);
    symlinkSync(process.execPath, join(onlyNode, 'node'));

    const env: NodeJS.ProcessEnv = { PATH: onlyNode, HOME: dir, npm_config_node_gyp: join(dir, 'bin/build-patched-lmdb.mjs') };
    const run = spawnSync(process.execPath, [join(dir, 'bin/build-patched-lmdb.mjs')], { cwd: dir, env, encoding: 'utf8' });

    expect(run.status).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^build-patched-lmdb: warning: cannot build lmdb-js from source: missing a C\+\+ compiler \(g\+\+ or clang\+\+\), make, python3; using lmdb-js's prebuilt binary instead/);
    expect(lines[0]).toContain('disk full to the last byte');
    expect(readFileSync(source, 'utf8')).toContain('snprintf(last_error, 100, "MDB_PAGE_WRITE %s", message);');
    expect(existsSync(join(lmdb, 'build/Release/lmdb.node'))).toBe(false);
  });
});
