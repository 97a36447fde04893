/**
 * The durable checkpoint of a `file` source: how far into which file every line has been
 * delivered, so a restart resumes after the last confirmed line instead of from the beginning.
 *
 * The file is identified by device and inode plus a SHA-256 of its first bytes (at most
 * FINGERPRINT_BYTES, never more than the checkpoint covers). A checkpoint only applies to the
 * same file, grown or not: a replaced file (another inode), a truncated one (shorter than the
 * checkpoint) or one rewritten in place (other first bytes) is read from the beginning, with a
 * warning that says which, so no line is skipped.
 *
 * The checkpoint file holds two slots of SLOT_BYTES each (format 2, as LMDB keeps two meta pages):
 * each one line of text, `<JSON>\t<CRC-32 of the JSON, 8 hex digits>`, padded with spaces. A save
 * overwrites the slot that does not hold the newest checkpoint, in place, and fdatasyncs: a crash
 * or power cut in the middle tears at most that slot, whose CRC then fails, and the other one, the
 * checkpoint saved before, is read. Why not a temporary file renamed over the old one, as before:
 * that took a write, two fsyncs, a rename and seven trips through libuv's thread pool, 20-40 ms
 * (up to 270) while a `rill server run` file -> qos::wal -> file flow kept that pool busy, and the
 * source waited for it at its max_in_flight bound a fifth of the time. An overwrite in place of a
 * file whose size does not change is a data write for fdatasync, with no metadata to journal.
 * The rename is still how the file is created, and how it is replaced when a checkpoint does not
 * fit its slots (a path of thousands of bytes: the slots double). Format 1 (one JSON text, written
 * by earlier versions) is still read.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Position } from './acked-prefix.ts';

export const FINGERPRINT_BYTES = 1024;
const FIRST_FORMAT = 'rill-file-checkpoint/1';
const FORMAT = 'rill-file-checkpoint/2';
/** A slot is a page: a torn write of one cannot reach into the other. */
const SLOT_BYTES = 4096;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/** What identifies the file being read (device and inode as decimal strings: they may exceed 2^53). */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: number;
}

export interface Checkpoint {
  /** The file's path as configured, for whoever reads the checkpoint; not used to match. */
  path: string;
  dev: string;
  ino: string;
  /** Hex SHA-256 of the file's first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
  offset: number;
  line: number;
}

export async function identify(handle: FileHandle): Promise<FileIdentity> {
  const stats = await handle.stat({ bigint: true });
  return { dev: stats.dev.toString(), ino: stats.ino.toString(), size: Number(stats.size) };
}

/** The fingerprint a checkpoint at `offset` records: of the first bytes it covers. */
export async function fingerprint(handle: FileHandle, offset: number): Promise<{ fingerprint: string; fingerprintBytes: number }> {
  const length = Math.min(offset, FINGERPRINT_BYTES);
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(buffer, read, length - read, read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return { fingerprint: createHash('sha256').update(buffer.subarray(0, read)).digest('hex'), fingerprintBytes: read };
}

export type Resumption = { position: Position; warning?: string };

const START: Position = { offset: 0, line: 0 };

/**
 * Where reading the open file starts: after the checkpoint if it is this file's, else at the
 * beginning (with a warning when a checkpoint existed but does not apply).
 */
export async function resumeFrom(checkpointPath: string, sourcePath: string, handle: FileHandle): Promise<Resumption> {
  let bytes: Buffer;
  try {
    bytes = await readFile(checkpointPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { position: START };
    return { position: START, warning: `cannot read the checkpoint ${checkpointPath} (${(error as Error).message}); reading ${sourcePath} from the beginning` };
  }
  const checkpoint = parseCheckpointFile(bytes);
  if (typeof checkpoint === 'string') {
    return { position: START, warning: `the checkpoint ${checkpointPath} is not usable (${checkpoint}); reading ${sourcePath} from the beginning` };
  }
  const file = await identify(handle);
  const restart = (why: string): Resumption => ({
    position: START,
    warning: `${sourcePath} ${why} since the checkpoint ${checkpointPath} (line ${checkpoint.line}, byte ${checkpoint.offset}); reading it from the beginning`,
  });
  if (file.dev !== checkpoint.dev || file.ino !== checkpoint.ino) return restart('was replaced (another file now has its name)');
  if (file.size < checkpoint.offset) return restart(`was truncated (${file.size} bytes now)`);
  const now = await fingerprint(handle, checkpoint.fingerprintBytes);
  if (now.fingerprint !== checkpoint.fingerprint) return restart(`was rewritten (its first ${checkpoint.fingerprintBytes} bytes changed)`);
  return { position: { offset: checkpoint.offset, line: checkpoint.line } };
}

/**
 * The checkpoint a checkpoint file holds (the newest of its two slots whose CRC holds, or a format 1
 * file's one), or why there is none.
 */
export function parseCheckpointFile(bytes: Buffer): Checkpoint | string {
  const text = bytes.toString('utf8');
  // JSON.stringify never writes a raw tab: a file without one is format 1.
  if (!text.includes('\t')) return parseFirstFormat(text);
  if (bytes.length === 0 || bytes.length % 2 !== 0) return `${bytes.length} bytes, not two slots of equal size`;
  const slotBytes = bytes.length / 2;
  const slots = [0, 1].map((slot) => parseSlot(bytes.toString('utf8', slot * slotBytes, (slot + 1) * slotBytes)));
  const valid = slots.filter((slot): slot is SlotCheckpoint => typeof slot !== 'string');
  if (valid.length === 0) return `neither slot holds a checkpoint (${slots.join('; ')})`;
  const { serial: _serial, ...checkpoint } = valid.reduce((newest, slot) => (slot.serial > newest.serial ? slot : newest));
  return checkpoint;
}

type SlotCheckpoint = Checkpoint & { serial: number };

function parseFirstFormat(text: string): Checkpoint | string {
  const record = parseJsonObject(text);
  if (typeof record === 'string') return record;
  if (record.format !== FIRST_FORMAT) return 'not a rill checkpoint file';
  return checkpointFields(record);
}

/** One slot's text: `<JSON>\t<CRC-32 of the JSON's UTF-8 bytes, 8 hex digits>`, padded. */
function parseSlot(slot: string): SlotCheckpoint | string {
  const text = slot.trimEnd();
  if (text === '') return 'empty';
  const tab = text.lastIndexOf('\t');
  const json = text.slice(0, tab);
  if (tab < 0 || text.slice(tab + 1) !== crcHex(json)) return 'its checksum does not match (a write torn by a crash, or damage)';
  const record = parseJsonObject(json);
  if (typeof record === 'string') return record;
  if (record.format !== FORMAT) return `not a ${FORMAT} slot`;
  if (!isCount(record.serial)) return 'its serial is missing or out of range';
  const checkpoint = checkpointFields(record);
  return typeof checkpoint === 'string' ? checkpoint : { ...checkpoint, serial: record.serial };
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a rill checkpoint file';
  return value as Record<string, unknown>;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function checkpointFields(record: Record<string, unknown>): Checkpoint | string {
  const { path, dev, ino, fingerprint, fingerprintBytes, offset, line } = record;
  if (typeof path !== 'string' || typeof dev !== 'string' || typeof ino !== 'string' || typeof fingerprint !== 'string') return 'a field is missing or not a string';
  if (!isCount(fingerprintBytes) || !isCount(offset) || !isCount(line) || fingerprintBytes > offset) return 'a count is missing or out of range';
  return { path, dev, ino, fingerprint, fingerprintBytes, offset, line };
}

function crcHex(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/** A slot of `slotBytes` holding `checkpoint`, or undefined if it does not fit. */
function slotOf(checkpoint: Checkpoint, serial: number, slotBytes: number): Buffer | undefined {
  const { path, dev, ino, fingerprint, fingerprintBytes, offset, line } = checkpoint;
  const json = JSON.stringify({ format: FORMAT, serial, path, dev, ino, fingerprint, fingerprintBytes, offset, line });
  // The tab and 8 hex digits after the JSON, and the newline that ends the slot.
  if (Buffer.byteLength(json) + 9 + 1 > slotBytes) return undefined;
  const slot = Buffer.alloc(slotBytes, SPACE);
  slot.write(`${json}\t${crcHex(json)}`, 'utf8');
  slot[slotBytes - 1] = NEWLINE;
  return slot;
}

/**
 * The checkpoint file of one source, kept open between saves. One save at a time (the source waits
 * for each before the next).
 */
export class CheckpointFile {
  private handle: FileHandle | undefined;
  private slotBytes = SLOT_BYTES;
  /** The slot that holds the newest durable checkpoint; the next save overwrites the other. */
  private newestSlot = 0;
  private serial = 0;

  constructor(readonly path: string) {}

  /**
   * Saves `checkpoint` durably: on return it is what a restart reads, and until then the one saved
   * before is (see the file comment). The first save of a CheckpointFile replaces the file whole,
   * whatever was there (a format 1 file, a damaged one, another run's slots).
   */
  async save(checkpoint: Checkpoint): Promise<void> {
    const serial = this.serial + 1;
    const slot = this.handle === undefined ? undefined : slotOf(checkpoint, serial, this.slotBytes);
    if (this.handle === undefined || slot === undefined) await this.replace(checkpoint, serial);
    else {
      const target = 1 - this.newestSlot;
      await writeAll(this.handle, slot, target * this.slotBytes);
      await this.handle.datasync();
      this.newestSlot = target;
    }
    this.serial = serial;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Writes the file anew, `checkpoint` in slot 0 and slot 1 empty, atomically: a temporary file, fsync, rename, fsync of the directory. */
  private async replace(checkpoint: Checkpoint, serial: number): Promise<void> {
    await this.close();
    let slotBytes = SLOT_BYTES;
    let slot: Buffer | undefined;
    while ((slot = slotOf(checkpoint, serial, slotBytes)) === undefined) slotBytes *= 2;
    const empty = Buffer.alloc(slotBytes, SPACE);
    empty[slotBytes - 1] = NEWLINE;
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true });
    const temporary = `${this.path}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await writeAll(handle, Buffer.concat([slot, empty]), 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    const dir = await open(directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.handle = await open(this.path, 'r+');
    this.slotBytes = slotBytes;
    this.newestSlot = 0;
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}
