/**
 * Opening a WAL whose `dir` cannot be created fails at once with the path and the reason, instead
 * of hanging: Node 20's `mkdirSync(path, { recursive: true })` spins for ever on a path under /proc
 * (mkdir says ENOENT although the parent exists). Real paths only: under /proc (which takes no new
 * directories, even for root) and under a regular file (ENOTDIR). The /proc cases run in child
 * processes with a deadline, so a regression fails the test rather than hanging the worker.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WalStore, WalStoreError } from '../../operators/qos/wal/store.ts';
import { runScript } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';

const OPEN_STORE_CHILD = fileURLToPath(new URL('./open-store-child.ts', import.meta.url));
const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
/** Generous for a loaded 2-core machine; a fixed open takes well under a second. */
const DEADLINE_MS = 60_000;
/** Not created by the test (/proc refuses it); unique so no other process's name can collide. */
const UNDER_PROC = `/proc/rill-wal-test-${process.pid}/wal`;

const base = temporaryDirectory('rill-wal-dir-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function expectProcRefusal(message: string): void {
  expect(message).toBe(
    `${UNDER_PROC}: cannot create the WAL directory (ENOENT: no such file or directory, mkdir '/proc/rill-wal-test-${process.pid}'; /proc does not accept new directories)`,
  );
}

describe('creating the WAL directory', () => {
  it('refuses a dir under /proc at once, naming the path and the reason', async () => {
    expect(statSync('/proc').isDirectory(), 'this test needs Linux /proc').toBe(true);
    const run = runScript(OPEN_STORE_CHILD, [UNDER_PROC], { deadlineMs: DEADLINE_MS });
    const exit = await run.exited;
    expect(exit.timedOut, `opening ${UNDER_PROC} hung (killed after ${DEADLINE_MS} ms)`).toBe(false);
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expectProcRefusal(exit.stdout.trim().replace(/^REFUSED /, ''));
    expect(exit.stdout).toMatch(/^REFUSED /);
  });

  it('refuses a dir under a regular file, naming the file', async () => {
    const file = join(base, 'not-a-directory');
    writeFileSync(file, 'a file\n');
    for (const dir of [join(file, 'wal'), join(file, 'deeper', 'wal')]) {
      const opening = WalStore.open(dir);
      await expect(opening).rejects.toThrow(WalStoreError);
      await expect(opening).rejects.toThrow(`${dir}: cannot create the WAL directory (${file} is a file, not a directory)`);
    }
  });

  it('creates every missing level of a dir, and the store then opens and reopens', async () => {
    const dir = join(base, 'a', 'b', 'wal');
    const created = await WalStore.open(dir);
    const epoch = created.epoch;
    created.append(Buffer.from('kept'));
    await created.commit();
    await created.close();
    expect(statSync(join(base, 'a', 'b')).isDirectory()).toBe(true);
    const reopened = await WalStore.open(dir);
    expect({ epoch: reopened.epoch, events: reopened.storedEvents, record: reopened.get(0)?.toString() }).toEqual({ epoch, events: 1, record: 'kept' });
    await reopened.close();
  });

  it('uses an existing empty directory as it is', async () => {
    const dir = join(base, 'empty');
    mkdirSync(dir);
    const store = await WalStore.open(dir);
    await store.close();
    expect(existsSync(join(dir, 'data.mdb'))).toBe(true);
  });

  it('`rill server run` exits 1 at start with the WAL path and the reason, no stack trace', async () => {
    const config = join(base, 'config');
    mkdirSync(config);
    writeFileSync(
      join(config, 'pipeline.trickle'),
      `define qos::wal operator wal with dir = ${JSON.stringify(UNDER_PROC)}, read_count = 10, max_elements = 100 end;
create operator wal;
select event from in into wal;
select event from wal into out;
`,
    );
    writeFileSync(join(config, 'metronome.yaml'), 'onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: 1000\n');
    writeFileSync(join(config, 'blackhole.yaml'), 'offramp:\n  - id: blackhole\n    type: blackhole\n');
    writeFileSync(
      join(config, 'binding.yaml'),
      'binding:\n  - id: default\n    links:\n      "/onramp/metronome/{instance}/out": ["/pipeline/pipeline/{instance}/in"]\n      "/pipeline/pipeline/{instance}/out": ["/offramp/blackhole/{instance}/in"]\n',
    );
    writeFileSync(join(config, 'mapping.yaml'), 'mapping:\n  /binding/default/01:\n    instance: "01"\n');
    const files = ['pipeline.trickle', 'metronome.yaml', 'blackhole.yaml', 'binding.yaml', 'mapping.yaml'].map((name) => join(config, name));
    const run = runScript(RILL, ['server', 'run', '-f', ...files], { deadlineMs: DEADLINE_MS });
    const exit = await run.exited;
    expect(exit.timedOut, `rill server run hung (killed after ${DEADLINE_MS} ms)`).toBe(false);
    expect(exit.code).toBe(1);
    const line = exit.stderr.split('\n').find((text) => text.startsWith('rill: cannot start: '));
    expect(line, exit.stderr).toBeDefined();
    const prefix = 'rill: cannot start: pipeline `pipeline`, operator `wal`: ';
    expect(line?.startsWith(prefix), line).toBe(true);
    expectProcRefusal((line as string).slice(prefix.length));
    expect(exit.stderr).not.toMatch(/^\s+at /m);
  });
});
