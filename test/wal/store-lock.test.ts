/**
 * One process per WAL dir (store-lock.ts): a dir in use is refused at start with its path and the
 * holder (pid and command line), in another process and in the same one; a lock left by a process
 * killed with SIGKILL, or whose pid now belongs to another process, does not block a restart;
 * `rill wal inspect` (read-only, no lock) works on a store in use. Real `rill server run`
 * processes, killed with SIGKILL.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectWal } from '../../bin/commands/wal.ts';
import { STORE_LOCK_FILE } from '../../operators/qos/wal/store-lock.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { runScript, type ChildRun } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';
import { startRefusal, writeWalServerConfig } from './server-config.ts';

const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
const OPEN_STORE_CHILD = fileURLToPath(new URL('./open-store-child.ts', import.meta.url));
const DEADLINE_MS = 90_000;

const base = temporaryDirectory('rill-wal-lock-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Resolves once the server has its WAL open and has stored at least one metronome event. */
async function untilStoring(run: ChildRun, walDir: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < DEADLINE_MS) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`server exited early: ${(await run.exited).stderr}`);
    if (existsSync(join(walDir, STORE_LOCK_FILE)) && existsSync(join(walDir, 'data.mdb'))) {
      const inspection = await inspectWal(walDir).catch(() => undefined);
      if (inspection !== undefined && inspection.nextSeq > 0) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start storing events');
}

describe('one process per WAL dir', () => {
  it(
    'refuses a second `rill server run` on a dir in use, naming the holder; a SIGKILLed holder does not block a restart',
    async () => {
      const walDir = join(base, 'shared-wal');
      const files = writeWalServerConfig(join(base, 'config'), walDir);
      const holder = runScript(RILL, ['server', 'run', '-f', ...files], { deadlineMs: DEADLINE_MS });
      try {
        await untilStoring(holder, walDir);

        // Read-only inspection takes no lock: it works while the holder writes.
        const inspection = await inspectWal(walDir);
        expect(inspection.path).toBe(walDir);

        const second = await runScript(RILL, ['server', 'run', '-f', ...files], { deadlineMs: DEADLINE_MS }).exited;
        expect(second.timedOut).toBe(false);
        expect(second.code, second.stderr).toBe(1);
        const refusal = startRefusal(second.stderr);
        expect(refusal, second.stderr).toBeDefined();
        expect(refusal).toMatch(new RegExp(`^${escape(walDir)}: WAL in use by process ${holder.child.pid} \\(.*bin/rill\\.mjs server run -f .*\\); one process per WAL dir \\(lock file ${escape(join(walDir, STORE_LOCK_FILE))}\\)$`));
        expect(second.stderr).not.toMatch(/^\s+at /m);
      } finally {
        holder.child.kill('SIGKILL');
      }
      const killed = await holder.exited;
      expect(killed.signal).toBe('SIGKILL');
      // The killed holder's lock file is still there; it must not block the next start.
      expect(existsSync(join(walDir, STORE_LOCK_FILE))).toBe(true);
      const restart = await runScript(OPEN_STORE_CHILD, [walDir], { deadlineMs: DEADLINE_MS }).exited;
      expect(restart.stdout.trim(), restart.stderr).toBe('OPENED');
      // Closed cleanly: the lock file is gone.
      expect(existsSync(join(walDir, STORE_LOCK_FILE))).toBe(false);
    },
    4 * DEADLINE_MS,
  );

  it('refuses a second store on the same dir in the same process, and opens it once the first is closed', async () => {
    const dir = join(base, 'same-process');
    const first = await WalStore.open(dir);
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: WAL in use by this process (pid ${process.pid}`);
    // The refused open changed nothing: the first store goes on working.
    first.append(Buffer.from('still mine'));
    await first.commit();
    await first.close();
    const again = await WalStore.open(dir);
    expect(again.get(0)?.toString()).toBe('still mine');
    await again.close();
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse) or that is unreadable', async () => {
    const dir = join(base, 'reused-pid');
    await (await WalStore.open(dir)).close();
    const lockFile = join(dir, STORE_LOCK_FILE);
    // Our own pid is alive, but it did not start at that time: the holder was another process.
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, startTime: '1', command: 'long gone' }));
    const store = await WalStore.open(dir);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
    // A half-written lock (its writer killed mid-write) names no holder.
    writeFileSync(lockFile, '{"pid":');
    await (await WalStore.open(dir)).close();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a lock held by another live process, and then works once it is gone', async () => {
    const dir = join(base, 'live-holder');
    await (await WalStore.open(dir)).close();
    // A real, live process other than us (pid 1 stays alive), with its real start time: refused.
    const stat = readFileSync('/proc/1/stat', 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(dir, STORE_LOCK_FILE), JSON.stringify({ pid: 1, startTime, command: 'init' }));
    await expect(WalStore.open(dir)).rejects.toThrow(`${dir}: WAL in use by process 1 (init)`);
    rmSync(join(dir, STORE_LOCK_FILE));
    await (await WalStore.open(dir)).close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
