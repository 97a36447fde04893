import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerWalCommand } from '../../bin/commands/wal.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { temporaryDirectory } from './harness.ts';

async function runInspect(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  registerWalCommand(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'rill', 'wal', 'inspect', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

afterEach(() => vi.restoreAllMocks());

describe('rill wal inspect', () => {
  it('prints counts, acked prefix, sequence range, epoch and limits without changing the store', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    const store = await WalStore.open(dir, { readCount: 20, maxElements: 1000, maxBytes: 4096 });
    for (let i = 0; i < 5; i++) store.append(Buffer.from(`record ${i}`));
    await store.commit();
    store.remove(0, 8);
    store.remove(1, 8);
    const epoch = store.epoch;
    await store.close();
    const before = readFileSync(join(dir, 'data.mdb'));

    const json = await runInspect(dir, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      path: dir,
      epoch,
      storedEvents: 3,
      storedBytes: 3 * (8 + 8),
      ackedBelow: 2,
      oldestSeq: 2,
      newestSeq: 4,
      nextSeq: 5,
      limits: { readCount: 20, maxElements: 1000, maxBytes: 4096 },
    });
    const text = await runInspect(dir);
    expect(text.stdout).toContain(`epoch            ${epoch}`);
    expect(text.stdout).toMatch(/events\s+3\n/);
    expect(text.stdout).toMatch(/max_in_flight\s+-/);
    expect(readFileSync(join(dir, 'data.mdb')).equals(before)).toBe(true);
  });

  it('reports an empty WAL with no sequence range', async () => {
    const dir = join(temporaryDirectory(), 'wal');
    await (await WalStore.open(dir)).close();
    const result = JSON.parse((await runInspect(dir, '--json')).stdout);
    expect(result).toMatchObject({ storedEvents: 0, oldestSeq: null, newestSeq: null, ackedBelow: 0, limits: null });
  });

  it('fails clearly on a directory that is not a WAL', async () => {
    const dir = temporaryDirectory();
    writeFileSync(join(dir, 'config.yaml'), 'x: 1');
    const result = await runInspect(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: ${dir}: not a rill WAL (unexpected file config.yaml); refusing to use it\n`);
    const missing = await runInspect(join(dir, 'nope'));
    expect(missing.stderr).toContain('not a rill WAL (no such directory or it is empty)');
  });
});
