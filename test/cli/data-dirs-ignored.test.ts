/**
 * Every data directory the examples create is git-ignored: the `dir` of each troy `wal` connector
 * in examples/ (relative to the folder it is run from: the example's or the repository root), and
 * each `--data-dir` in package.json's scripts and the examples' READMEs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

function ignored(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
}

describe('.gitignore', () => {
  it('covers every data dir the examples create', () => {
    const created: string[] = [];
    for (const file of filesUnder(join(ROOT, 'examples'))) {
      const text = readFileSync(file, 'utf8');
      const folder = relative(ROOT, join(file, '..'));
      for (const [, dir] of text.matchAll(/"dir":\s*"([^"]+)"/g)) created.push(join(folder, dir, 'data.mdb'), join(dir, 'data.mdb'));
      for (const [, dir] of text.matchAll(/--data-dir\s+(\S+)/g)) created.push(join(dir, 'persistent', 'wal', 'data.mdb'));
    }
    for (const [, dir] of readFileSync(join(ROOT, 'package.json'), 'utf8').matchAll(/--data-dir\s+([^\s"]+)/g)) created.push(join(dir, 'persistent', 'on_disk_wal', 'data.mdb'));
    expect(created.length).toBeGreaterThanOrEqual(6);
    expect(created.filter((path) => !ignored(path))).toEqual([]);
  });
});
