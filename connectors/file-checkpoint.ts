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
 * Written atomically (a temporary file, fsync, rename over the old one, fsync of the directory),
 * so after a crash or a power cut the file holds either the old checkpoint or the new one.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Position } from './acked-prefix.ts';

export const FINGERPRINT_BYTES = 1024;
const FORMAT = 'rill-file-checkpoint/1';

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
  let text: string;
  try {
    text = await readFile(checkpointPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { position: START };
    return { position: START, warning: `cannot read the checkpoint ${checkpointPath} (${(error as Error).message}); reading ${sourcePath} from the beginning` };
  }
  const checkpoint = parseCheckpoint(text);
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

function parseCheckpoint(text: string): Checkpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const record = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || record.format !== FORMAT) return `not a ${FORMAT} file`;
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const { path, dev, ino, fingerprint, fingerprintBytes, offset, line } = record;
  if (typeof path !== 'string' || typeof dev !== 'string' || typeof ino !== 'string' || typeof fingerprint !== 'string') return 'a field is missing or not a string';
  if (!isCount(fingerprintBytes) || !isCount(offset) || !isCount(line) || fingerprintBytes > offset) return 'a count is missing or out of range';
  return { path, dev, ino, fingerprint, fingerprintBytes, offset, line };
}

/** Replaces the checkpoint atomically and durably (see the file comment). */
export async function writeCheckpoint(checkpointPath: string, checkpoint: Checkpoint): Promise<void> {
  const directory = dirname(checkpointPath);
  await mkdir(directory, { recursive: true });
  const temporary = `${checkpointPath}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify({ format: FORMAT, ...checkpoint })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, checkpointPath);
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
