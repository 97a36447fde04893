/**
 * The checkpoint file of a `file` source on a real disk: saves overwrite the older of two slots in
 * place, a torn or damaged slot leaves the checkpoint saved before it, and files of the first
 * format (one JSON text) are still read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointFile, parseCheckpointFile, type Checkpoint } from '../../connectors/file-checkpoint.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rill-file-checkpoint-'));
  path = join(dir, 'state', 'in.checkpoint');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function at(line: number, sourcePath = '/data/in.jsonl'): Checkpoint {
  return { path: sourcePath, dev: '2049', ino: '1234567', fingerprint: 'ab'.repeat(32), fingerprintBytes: 1024, offset: 2000 + line * 100, line };
}

const saved = () => parseCheckpointFile(readFileSync(path));

describe('file source checkpoint file', () => {
  it('keeps the newest of its saves, in a file whose size stays two slots', async () => {
    const file = new CheckpointFile(path);
    for (let line = 1; line <= 5; line++) {
      await file.save(at(line));
      expect(saved()).toEqual(at(line));
      expect(statSync(path).size).toBe(2 * 4096);
    }
    await file.close();
  });

  it('overwrites the older slot in place: the file is not replaced after the first save', async () => {
    const file = new CheckpointFile(path);
    await file.save(at(1));
    const inode = statSync(path).ino;
    await file.save(at(2));
    await file.save(at(3));
    expect(statSync(path).ino).toBe(inode);
    const bytes = readFileSync(path);
    // Save 3 went into the slot save 1 had; save 2 is still in the other.
    expect(bytes.toString('utf8', 0, 4096)).toContain('"line":3');
    expect(bytes.toString('utf8', 4096)).toContain('"line":2');
    await file.close();
  });

  it.each([
    ['torn halfway (the rest still the older checkpoint)', (slot: Buffer) => slot.fill(0x20, 40, 300)],
    ['with one bit flipped', (slot: Buffer) => (slot[60] ^= 0x01)],
    ['left blank', (slot: Buffer) => slot.fill(0, 0, 4096)],
  ])('reads the checkpoint saved before when the newest slot is %s', async (_how, damage) => {
    const file = new CheckpointFile(path);
    await file.save(at(1));
    await file.save(at(2));
    await file.close();
    const bytes = readFileSync(path);
    // Save 2 is in the second slot.
    damage(bytes.subarray(4096));
    writeFileSync(path, bytes);
    expect(saved()).toEqual(at(1));
  });

  it('says why when neither slot holds a checkpoint', async () => {
    const file = new CheckpointFile(path);
    await file.save(at(1));
    await file.close();
    const bytes = readFileSync(path);
    bytes[50] ^= 0x04;
    writeFileSync(path, bytes);
    expect(saved()).toMatch(/^neither slot holds a checkpoint \(its checksum does not match .*; empty\)$/);
  });

  it('doubles its slots for a checkpoint that does not fit one (a path of thousands of bytes)', async () => {
    const long = `/data/${'d'.repeat(6000)}/in.jsonl`;
    const file = new CheckpointFile(path);
    await file.save(at(1));
    await file.save(at(2, long));
    expect(saved()).toEqual(at(2, long));
    expect(statSync(path).size).toBe(2 * 8192);
    await file.save(at(3, long));
    expect(saved()).toEqual(at(3, long));
    await file.close();
  });

  it('replaces the file of an earlier run at its first save, whatever it held', async () => {
    const before = new CheckpointFile(path);
    for (let line = 1; line <= 3; line++) await before.save(at(line));
    await before.close();
    const after = new CheckpointFile(path);
    await after.save(at(4));
    expect(saved()).toEqual(at(4));
    await after.save(at(5));
    expect(saved()).toEqual(at(5));
    await after.close();
  });

  it('reads a checkpoint of the first format (one JSON text)', () => {
    const { path: sourcePath, ...fields } = at(7);
    const text = `${JSON.stringify({ format: 'rill-file-checkpoint/1', path: sourcePath, ...fields })}\n`;
    expect(parseCheckpointFile(Buffer.from(text))).toEqual(at(7));
    expect(parseCheckpointFile(Buffer.from('{"format":"rill-file-checkpoint/1","offset":'))).toMatch(/^not JSON/);
    expect(parseCheckpointFile(Buffer.from('{"format":"other"}'))).toBe('not a rill checkpoint file');
  });
});
