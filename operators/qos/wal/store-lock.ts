/**
 * One process per WAL store. Two processes writing one LMDB environment would each keep their own
 * `nextSeq` and overwrite each other's records, so a store open for writing is marked by
 * `<dir>/rill-wal.lock`, created exclusively (O_CREAT | O_EXCL) before LMDB opens the environment
 * and removed on close. It holds one JSON object naming its holder:
 *
 *   {"pid":n,"startTime":"<field 22 of /proc/<pid>/stat>"|null,"command":"<its command line>"|null}
 *
 * A lock whose holder is gone does not block: a process killed with SIGKILL leaves its lock file,
 * and the next open finds that no live process is its holder and takes it over. "Live" means the pid
 * exists, is not a zombie, and started at the recorded time, so a new process that got the dead
 * holder's pid (pid reuse) is not mistaken for it. The holder may be this very process: a second
 * qos::wal with the same `dir` in one process is refused the same way.
 *
 * A stale lock is removed only if the file still holds what was judged stale (read again just
 * before the unlink), so a process that took it over meanwhile keeps it and the other is refused.
 * Not covered: a takeover that lands between that second read and the unlink (two rills started on
 * one dir within microseconds of each other after a crash).
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalStoreError } from './store-error.ts';

export const STORE_LOCK_FILE = 'rill-wal.lock';

interface LockHolder {
  pid: number;
  startTime: string | null;
  command: string | null;
}

export class StoreLock {
  private released = false;

  private constructor(
    private readonly file: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of the store in `dir`, or refuses naming the process that holds it. */
  static acquire(dir: string): StoreLock {
    const file = join(dir, STORE_LOCK_FILE);
    const content = JSON.stringify(holderInfo(process.pid));
    // A stale lock is removed and creation tried again; a second stale lock in a row is a race.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(file, content, { flag: 'wx' });
        return new StoreLock(file, content);
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        if (code !== 'EEXIST') throw new WalStoreError(`${dir}: cannot create the WAL lock file (${message})`);
      }
      const existing = readIfPresent(file);
      if (existing === undefined) continue;
      const holder = parseHolder(existing);
      if (holder !== undefined && isRunning(holder)) {
        const who = holder.pid === process.pid ? `this process (pid ${holder.pid})` : `process ${holder.pid}`;
        const command = holder.command === null ? '' : ` (${holder.command})`;
        throw new WalStoreError(`${dir}: WAL in use by ${who}${command}; one process per WAL dir (lock file ${file})`);
      }
      // Its holder is gone (or the file is unreadable garbage: written by a process killed mid-write).
      if (readIfPresent(file) === existing) unlinkSync(file);
    }
    throw new WalStoreError(`${dir}: cannot take the WAL lock ${file} (another process keeps replacing it)`);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readIfPresent(this.file) === this.content) unlinkSync(this.file);
  }
}

function holderInfo(pid: number): LockHolder {
  return { pid, startTime: procStat(pid)?.startTime ?? null, command: commandLine(pid) };
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WalStoreError(`${file}: cannot read the WAL lock file (${(error as Error).message})`);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(holder.pid) || (holder.pid as number) <= 0) return undefined;
    return { pid: holder.pid as number, startTime: holder.startTime ?? null, command: holder.command ?? null };
  } catch {
    return undefined;
  }
}

function isRunning(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, owned by another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(holder.pid);
  if (stat === undefined) return true; // no /proc: the pid exists, which is all we can tell
  // A zombie (killed, not yet reaped by its parent) holds no files; another start time is pid reuse.
  return stat.state !== 'Z' && (holder.startTime === null || stat.startTime === holder.startTime);
}

/** State and start time (clock ticks after boot) of `pid` from /proc/<pid>/stat, if there is one. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22.
  return { state: fields[0], startTime: fields[19] };
}

function commandLine(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return text.split('\0').filter((part) => part !== '').join(' ') || null;
  } catch {
    return null;
  }
}
