/**
 * Store files LMDB would crash on are refused before LMDB maps them, with the path and the reason,
 * in real `rill` processes (a signal exit fails the test):
 * - a truncated data.mdb (`truncate -s 94208` on a store of ~10 MB): LMDB reads the pages its meta
 *   page says are in use, and past the end of the file that is SIGBUS;
 * - a read-only directory (mode 555) with lock.mdb removed: `rill wal inspect` still reads it (LMDB
 *   reads without a lock file when it cannot create one) and leaves it unchanged; `rill server run`
 *   refuses it, naming the lock file it cannot create; a read-only or unreadable data.mdb is refused
 *   with its path (an unreadable one was a stack trace). Permissions do not bind root, so as root
 *   these run the child as `nobody` (setpriv); the test asserts which user they ran as, and that root
 *   itself (for whom the directory is writable) opens the store.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { EventId } from '../../engine/event-id.ts';
import { encodeRecord } from '../../operators/qos/wal/record.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { runScript, type ChildExit } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';
import { startRefusal, writeWalServerConfig } from './server-config.ts';

const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
const OPEN_STORE_CHILD = fileURLToPath(new URL('./open-store-child.ts', import.meta.url));
const DEADLINE_MS = 90_000;
const RECORDS = 5000;
const AS_ROOT = process.getuid?.() === 0;
/** As root, the read-only checks run as `nobody`: root may write anywhere. */
const AS_OTHER_USER = AS_ROOT ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];

const base = temporaryDirectory('rill-wal-unusable-');
// Another user must be able to reach the stores under it.
chmodSync(base, 0o755);
const pristine = join(base, 'pristine');
afterAll(() => {
  // Writable again first: as another user than root, a mode-555 directory's files cannot be removed.
  const readOnly = join(base, 'read-only');
  if (existsSync(readOnly)) chmodSync(readOnly, 0o755);
  rmSync(base, { recursive: true, force: true });
});

beforeAll(async () => {
  const store = await WalStore.open(pristine);
  for (let n = 0; n < RECORDS; n++) {
    store.append(encodeRecord(new EventId(1, 0, n), { ingestNs: n, opMeta: {}, meta: {}, data: null }, JSON.stringify({ n, pad: 'x'.repeat(1000) })));
  }
  await store.commit();
  await store.close();
});

function copyOfStore(name: string): string {
  const dir = join(base, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function expectCleanExit(exit: ChildExit): void {
  expect(exit.timedOut, 'the child hung').toBe(false);
  expect(exit.signal, `killed by a signal; stderr: ${exit.stderr}`).toBeNull();
  expect(exit.code, exit.stderr).toBe(1);
  expect(exit.stderr).not.toMatch(/^\s+at /m);
}

async function inspect(dir: string, commandPrefix: string[] = []): Promise<ChildExit> {
  return runScript(RILL, ['wal', 'inspect', dir], { deadlineMs: DEADLINE_MS, commandPrefix }).exited;
}

async function serverRun(dir: string, configName: string, commandPrefix: string[] = []): Promise<ChildExit> {
  const files = writeWalServerConfig(join(base, configName), dir);
  return runScript(RILL, ['server', 'run', '-f', ...files], { deadlineMs: DEADLINE_MS, commandPrefix }).exited;
}

describe('unusable store files', () => {
  it(
    'a truncated data.mdb is refused by `rill wal inspect` and `rill server run` with the path and the sizes',
    async () => {
      const dir = copyOfStore('truncated');
      truncateSync(join(dir, 'data.mdb'), 94208);
      const reason = `${dir}: damaged or unreadable WAL (data.mdb is truncated: 94208 bytes, its meta page says`;

      const inspected = await inspect(dir);
      expectCleanExit(inspected);
      expect(inspected.stderr).toMatch(new RegExp(`^error: ${escape(reason)} \\d+ pages of 4096 bytes \\(\\d+ bytes\\) are in use\\); refusing to use it\\n$`));

      const served = await serverRun(dir, 'truncated-config');
      expectCleanExit(served);
      expect(startRefusal(served.stderr), served.stderr).toMatch(new RegExp(`^${escape(reason)} `));
    },
    3 * DEADLINE_MS,
  );

  it(
    'a read-only dir without lock.mdb can be inspected, is refused for running with the reason; unwritable or unreadable data.mdb too',
    async () => {
      const dir = copyOfStore('read-only');
      rmSync(join(dir, 'lock.mdb'));
      chmodSync(dir, 0o555);
      // Which user the refusal is checked as: `nobody` when the tests run as root (they do here).
      const [command, ...args] = [...AS_OTHER_USER, 'id', '-u'];
      const who = spawnSync(command, args, { encoding: 'utf8' });
      expect(Number(who.stdout), who.stderr).toBe(AS_ROOT ? 65534 : process.getuid?.());

      const inspected = await inspect(dir, AS_OTHER_USER);
      expect({ code: inspected.code, signal: inspected.signal, stderr: inspected.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(inspected.stdout).toMatch(new RegExp(`^path +${escape(dir)}\n[^]*\nevents +${RECORDS}\n`));
      expect(readdirSync(dir)).toEqual(['data.mdb']);

      const served = await serverRun(dir, 'read-only-config', AS_OTHER_USER);
      expectCleanExit(served);
      expect(startRefusal(served.stderr), served.stderr).toMatch(new RegExp(`^${escape(dir)}: cannot create the WAL lock file \\(EACCES: permission denied`));

      // A writable dir with a read-only data.mdb: refused before LMDB opens it.
      const readOnlyFile = copyOfStore('read-only-file');
      chmodSync(join(readOnlyFile, 'data.mdb'), 0o444);
      chmodSync(readOnlyFile, 0o777);
      const opened = await runScript(OPEN_STORE_CHILD, [readOnlyFile], { deadlineMs: DEADLINE_MS, commandPrefix: AS_OTHER_USER }).exited;
      expect(opened.signal, opened.stderr).toBeNull();
      expect(opened.stdout).toBe(`REFUSED ${readOnlyFile}: cannot open the WAL for writing (${join(readOnlyFile, 'data.mdb')} is not writable)\n`);
      // Unreadable to that user: a clear refusal, for inspecting too.
      chmodSync(join(readOnlyFile, 'data.mdb'), 0o600);
      const unreadable = await inspect(readOnlyFile, AS_OTHER_USER);
      expectCleanExit(unreadable);
      expect(unreadable.stderr).toBe(`error: ${readOnlyFile}: cannot read data.mdb (EACCES: permission denied, open '${join(readOnlyFile, 'data.mdb')}')\n`);

      // Root is not bound by the mode: for root the directory is writable, and the store opens.
      if (AS_ROOT) {
        const asRoot = await runScript(OPEN_STORE_CHILD, [dir], { deadlineMs: DEADLINE_MS }).exited;
        expect(asRoot.stdout, asRoot.stderr).toBe('OPENED\n');
        expect(existsSync(join(dir, 'lock.mdb'))).toBe(true);
      }
    },
    4 * DEADLINE_MS,
  );
});

describe('a healthy store shorter than its last page number', () => {
  it('opens: LMDB counts pages it never wrote (freed in the transaction that allocated them)', async () => {
    const dir = join(base, 'unwritten-tail');
    const store = await WalStore.open(dir);
    const stored = 500;
    for (let i = 0; i < stored; i++) store.append(Buffer.alloc(700, 120));
    await store.commit();
    await store.close();
    // Transactions that write a large value and delete it again (LMDB never writes its pages, yet
    // counts them in its last page), until one leaves data.mdb shorter than its meta page's last
    // page. A root key the store ignores: the disk-full probe's filler key, deleted at open anyway.
    const raw = open({ path: dir, encoding: 'json', maxDbs: 8, overlappingSync: false });
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let short: { size: number; pagesInUse: number } | undefined;
    for (let round = 0; round < 2000 && short === undefined; round++) {
      raw.transactionSync(() => {
        raw.putSync('probe-0', 'x'.repeat(5000 + Math.floor(random() * 40_000)));
        raw.removeSync('probe-0');
      });
      const { size, pagesInUse } = dataFileExtent(dir);
      if (size < pagesInUse * 4096) short = { size, pagesInUse };
    }
    await raw.close();
    expect(short, 'the workload never produced a file shorter than its last page').toBeDefined();
    const reopened = await WalStore.open(dir);
    expect(reopened.storedEvents).toBe(stored);
    await reopened.close();
  }, 300_000);
});

/** data.mdb's size and the pages its newest meta page says are in use (4096-byte pages). */
function dataFileExtent(dir: string): { size: number; pagesInUse: number } {
  const data = readFileSync(join(dir, 'data.mdb'));
  const [first, second] = [0, 4096].map((at) => data.subarray(at, at + 160));
  const newest = second.readBigUInt64LE(152) > first.readBigUInt64LE(152) ? second : first;
  return { size: data.length, pagesInUse: Number(newest.readBigUInt64LE(144)) + 1 };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
