/**
 * The restore step of the power-cut harness: reads the undo log undo-shim.c wrote and throws away,
 * newest first, every write that no completed fsync/fdatasync covers, as a power cut would. With a
 * `keepProbability` above 0 some of those writes survive, page by page (torn writes): for each page
 * the disk holds either its synced content or one of the versions written after it.
 *
 * Log format: see undo-shim.c. Entries are read until the first torn or mismatching one (the cut can
 * only tear the last entry, and its data write never happened).
 */
import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';

const ENTRY_MAGIC = 0x55435052;
const HEADER_BYTES = 64;
const PAGE_BYTES = 4096;
const enum Kind {
  Undo = 1,
  Truncate = 2,
  Durable = 3,
  Sync = 4,
  SyncAll = 5,
}

interface Entry {
  kind: Kind;
  seq: number;
  offset: number;
  length: number;
  oldSize: number;
  coversBefore: number;
  path: string;
  saved: Buffer;
}

export interface UndoLog {
  entries: Entry[];
  /** Bytes at the end of the log that do not form a whole, valid entry (an append cut short). */
  tornTailBytes: number;
}

export interface UndoFigures {
  /** Writes (and truncations) no sync covered: the ones a cut may lose. */
  unsyncedWrites: number;
  /** Bytes of those writes that were thrown away (not kept as a torn page, not overwritten durably). */
  bytesUndone: number;
  /** Pages of unsynced writes kept (torn-write mode). */
  pagesKept: number;
  tornTailBytes: number;
}

function fnv1a(hash: number, bytes: Buffer): number {
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  return hash;
}

export function readUndoLog(file: string): UndoLog {
  const log = readFileSync(file);
  const entries: Entry[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= log.length) {
    const header = Buffer.from(log.subarray(at, at + HEADER_BYTES));
    if (header.readUInt32LE(0) !== ENTRY_MAGIC) break;
    const pathLength = header.readUInt32LE(56);
    const saved = Number(header.readBigUInt64LE(40));
    const end = at + HEADER_BYTES + pathLength + saved;
    if (end > log.length) break;
    const checksum = header.readUInt32LE(60);
    header.writeUInt32LE(0, 60);
    const payload = log.subarray(at + HEADER_BYTES, end);
    if (fnv1a(fnv1a(2166136261, header), payload) !== checksum) break;
    entries.push({
      kind: header.readUInt32LE(4) as Kind,
      seq: Number(header.readBigUInt64LE(8)),
      offset: Number(header.readBigUInt64LE(16)),
      length: Number(header.readBigUInt64LE(24)),
      oldSize: Number(header.readBigUInt64LE(32)),
      coversBefore: Number(header.readBigUInt64LE(48)),
      path: payload.subarray(0, pathLength).toString('utf8'),
      saved: Buffer.from(payload.subarray(pathLength)),
    });
    at = end;
  }
  return { entries, tornTailBytes: log.length - at };
}

/** Byte ranges of one file that must not be undone: durable writes and kept pages seen so far (newer). */
class ProtectedRanges {
  private readonly ranges: Array<[number, number]> = [];
  /** The file must stay at least this long: protected bytes end here. */
  floor = 0;

  add(start: number, end: number): void {
    if (end <= start) return;
    this.ranges.push([start, end]);
    this.floor = Math.max(this.floor, end);
  }

  /** The parts of [start, end) that are not protected. */
  unprotected(start: number, end: number): Array<[number, number]> {
    let parts: Array<[number, number]> = [[start, end]];
    for (const [from, to] of this.ranges) {
      parts = parts.flatMap(([s, e]): Array<[number, number]> => {
        if (to <= s || from >= e) return [[s, e]];
        return [
          [s, Math.min(e, from)],
          [Math.max(s, to), e],
        ].filter(([a, b]) => b > a) as Array<[number, number]>;
      });
    }
    return parts;
  }
}

/**
 * Applies the cut to the files the log names. `random` decides, for each page of each unsynced write
 * (newest first), whether that page's new content survives; keepProbability 0 loses every unsynced write.
 */
export function applyPowerCut(log: UndoLog, keepProbability: number, random: () => number): UndoFigures {
  const figures: UndoFigures = { unsyncedWrites: 0, bytesUndone: 0, pagesKept: 0, tornTailBytes: log.tornTailBytes };
  let allSyncedBefore = 0;
  const syncedBefore = new Map<string, number>();
  for (const entry of log.entries) {
    if (entry.kind === Kind.SyncAll) allSyncedBefore = Math.max(allSyncedBefore, entry.coversBefore);
    if (entry.kind === Kind.Sync) syncedBefore.set(entry.path, Math.max(syncedBefore.get(entry.path) ?? 0, entry.coversBefore));
  }
  const unsynced = log.entries.filter(
    (entry) =>
      (entry.kind === Kind.Undo || entry.kind === Kind.Truncate || entry.kind === Kind.Durable) &&
      entry.seq >= Math.max(allSyncedBefore, syncedBefore.get(entry.path) ?? 0),
  );
  const protectedRanges = new Map<string, ProtectedRanges>();
  const descriptors = new Map<string, number>();
  try {
    for (const entry of unsynced.reverse()) {
      const ranges = protectedRanges.get(entry.path) ?? new ProtectedRanges();
      protectedRanges.set(entry.path, ranges);
      if (entry.kind === Kind.Durable) {
        ranges.add(entry.offset, entry.offset + entry.length);
        continue;
      }
      let fd = descriptors.get(entry.path);
      if (fd === undefined) {
        // A file written and then deleted before the cut (the store's lock file, removed when a
        // run closes or a stale one is taken over): unlinks are directory operations the harness
        // does not model, so there is nothing left to undo.
        if (!existsSync(entry.path)) continue;
        fd = openSync(entry.path, 'r+');
        descriptors.set(entry.path, fd);
      }
      figures.unsyncedWrites++;
      const restore = (start: number, end: number) => {
        for (const [s, e] of ranges.unprotected(start, end)) {
          // Old bytes where the file had them, zeros past its old end (a hole when a newer kept page
          // keeps the file longer).
          const bytes = Buffer.alloc(e - s);
          if (s - entry.offset < entry.saved.length) entry.saved.copy(bytes, 0, s - entry.offset, Math.min(entry.saved.length, e - entry.offset));
          writeSync(fd as number, bytes, 0, bytes.length, s);
          figures.bytesUndone += bytes.length;
        }
      };
      if (entry.kind === Kind.Undo) {
        const end = entry.offset + entry.length;
        const undone: Array<[number, number]> = [];
        for (let page = Math.floor(entry.offset / PAGE_BYTES) * PAGE_BYTES; page < end; page += PAGE_BYTES) {
          const start = Math.max(page, entry.offset);
          const stop = Math.min(page + PAGE_BYTES, end);
          if (keepProbability > 0 && random() < keepProbability) {
            ranges.add(start, stop);
            figures.pagesKept++;
          } else undone.push([start, stop]);
        }
        // Bytes past the size the file ends up with are cut off below, not rewritten.
        const size = Math.max(entry.oldSize, ranges.floor);
        for (const [start, stop] of undone) if (start < size) restore(start, Math.min(stop, size));
      } else if (keepProbability > 0 && random() < keepProbability) {
        // The new size survives (a truncation is one metadata change: all or nothing).
        ranges.add(entry.oldSize, entry.offset);
        continue;
      } else if (entry.oldSize > entry.offset) {
        // A shrink: the file grows back and gets the bytes it cut off.
        if (fstatSync(fd).size < entry.oldSize) ftruncateSync(fd, entry.oldSize);
        restore(entry.offset, entry.oldSize);
      }
      const size = Math.max(entry.oldSize, ranges.floor);
      const current = fstatSync(fd).size;
      if (current > size) {
        figures.bytesUndone += current - size;
        ftruncateSync(fd, size);
      }
    }
  } finally {
    for (const fd of descriptors.values()) closeSync(fd);
  }
  return figures;
}
