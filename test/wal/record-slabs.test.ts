/**
 * The WAL writes its records into slabs it uses again once their commits have settled
 * (operators/qos/wal/record-slabs.ts). What must hold: a slab is written again only when no
 * commit in progress and no emitted event can still read it. The unit tests drive RecordSlabs
 * directly; the pipeline tests send tens of megabytes of events through a real qos::wal (real
 * LMDB), keep every emitted event until the end and only then read its bytes: a slab written
 * again too early shows up as an event whose bytes are another's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { SLAB_BYTES } from '../../engine/byte-slab.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import { TextEvent } from '../../engine/text-event.ts';
import { RecordSlabs } from '../../operators/qos/wal/record-slabs.ts';
import { compileQuery } from '../../queries/index.ts';
import { parseJson } from '../../queries/values/json.ts';
import { waitFor } from '../support/waiting.ts';

/** Writes one record of `bytes` bytes into `slabs` as record `seq`; returns the buffer it went into. */
function writeRecord(slabs: RecordSlabs, seq: number, bytes: number): Buffer {
  const slab = slabs.slab;
  slab.reserve(bytes);
  const { buffer, start } = slab;
  buffer.fill(seq % 251, start, start + bytes);
  slab.commitAt(start + bytes);
  slabs.wrote(buffer, seq);
  return buffer;
}

describe('RecordSlabs', () => {
  it('hands a slab out again only after every commit of its records settled, never the one being written', () => {
    const slabs = new RecordSlabs();
    // 100 KiB records: ten to a slab.
    const buffers = Array.from({ length: 35 }, (_, seq) => writeRecord(slabs, seq, 100 * 1024));
    const distinct = [...new Set(buffers)];
    expect(distinct.length).toBe(4);
    expect(slabs.freeSlabs).toBe(0);
    // Records 0-9 are in the first slab: settled below 9, its record 9 is still in a commit.
    slabs.settledBelow(9);
    expect(slabs.freeSlabs).toBe(0);
    slabs.settledBelow(10);
    expect(slabs.freeSlabs).toBe(1);
    // Everything settled: every full slab is free, the one being written (records 30-34) is not.
    slabs.settledBelow(35);
    expect(slabs.freeSlabs).toBe(3);
    // The next slab needed is one of the free ones, not a new one, and not the one in use.
    const next = Array.from({ length: 10 }, (_, i) => writeRecord(slabs, 35 + i, 100 * 1024)).find((buffer) => buffer !== distinct[3]);
    expect(distinct.slice(0, 3)).toContain(next);
    expect(slabs.freeSlabs).toBe(2);
  });

  it('never hands out a slab a kept record lent, nor a large record buffer of its own', () => {
    const slabs = new RecordSlabs();
    // 200 KiB records: five to a slab. Record 2 is kept as a view: its slab is lent.
    const first = Array.from({ length: 5 }, (_, seq) => {
      const buffer = writeRecord(slabs, seq, 200 * 1024);
      if (seq === 2) slabs.lend(buffer);
      return buffer;
    });
    const second = Array.from({ length: 5 }, (_, i) => writeRecord(slabs, 5 + i, 200 * 1024));
    const own = writeRecord(slabs, 10, SLAB_BYTES);
    const third = writeRecord(slabs, 11, 200 * 1024);
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(own.length).toBeGreaterThan(SLAB_BYTES);
    expect(new Set([first[0], second[0], own, third]).size).toBe(4);
    slabs.settledBelow(12);
    // The lent first slab and the large record's buffer are not kept; the second slab is.
    expect(slabs.freeSlabs).toBe(1);
    const next = Array.from({ length: 5 }, (_, i) => writeRecord(slabs, 12 + i, 200 * 1024)).find((buffer) => buffer !== third);
    expect(next).toBe(second[0]);
  });

  it('keeps at most sixteen free slabs', () => {
    const slabs = new RecordSlabs();
    for (let seq = 0; seq < 200; seq++) writeRecord(slabs, seq, 200 * 1024);
    slabs.settledBelow(200);
    expect(slabs.freeSlabs).toBe(16);
  });
});

const directories: string[] = [];
afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** About 2 KiB of JSON, different for every `n`. */
function text(n: number): string {
  return JSON.stringify({ n, pad: `${n}:`.padEnd(2000, String.fromCharCode(97 + (n % 26))) });
}

/**
 * `count` events (none when `event` is undefined) through `in -> qos::wal -> out` on the store in
 * `dir`, each acked at once when `deliver`, every emitted event kept; returns what the json codec
 * writes for each, encoded only after the last one went out.
 */
async function throughWal(dir: string, count: number, event: ((n: number) => Event) | undefined, deliver: boolean): Promise<string[]> {
  const source = `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, read_count = 500, max_elements = 100000 end;\ncreate operator wal;\nselect event from in into wal;\nselect event from wal into out;\n`;
  const pipeline = buildPipeline(compileQuery(source, 'slabs.trickle'), { id: 'slabs' });
  const emitted: Event[] = [];
  await pipeline.start({
    onOutput: (_port, out) => {
      emitted.push(out);
      pipeline.contraflow('out', { kind: 'ack', id: out.id, opMeta: out.opMeta });
    },
    onInsight() {},
  });
  if (deliver) pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  // In turns of 500, so that commits land (and slabs free up) while later events come in.
  for (let n = 0; event !== undefined && n < count; n += 500) {
    for (let i = n; i < Math.min(count, n + 500); i++) pipeline.send('in', event(i));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (deliver) await waitFor(() => (pipeline.tick(Date.now() * 1e6), emitted.length >= count && pipeline.isIdle()), 'every event delivered');
  else await waitFor(() => pipeline.isIdle(), 'every event stored');
  await pipeline.close();
  return emitted.map((out) => DEFAULT_CODEC.encode(out));
}

async function walDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rill-wal-slabs-'));
  directories.push(dir);
  return dir;
}

describe('qos::wal writing its slabs again', () => {
  const count = 20_000;
  const expected = Array.from({ length: count }, (_, n) => text(n));
  // As a JSON source hands them on: views of the bytes read.
  const bytesEvent = (n: number) => {
    const bytes = Buffer.from(expected[n]);
    return TextEvent.ofUtf8(new EventId(1, 0, n), bytes, 0, bytes.length, {}, n, true, {});
  };

  it('emits every event with its own bytes when it kept their bytes (slabs written again)', async () => {
    expect(await throughWal(await walDirectory(), count, bytesEvent, true)).toEqual(expected);
  }, 60_000);

  it('stores every event with its own bytes while its slabs are written again (replayed after a restart)', async () => {
    const dir = await walDirectory();
    // Downstream never restored: every record stays in the store, commit after commit.
    expect(await throughWal(dir, count, bytesEvent, false)).toEqual([]);
    expect(await throughWal(dir, count, undefined, true)).toEqual(expected);
  }, 60_000);

  it('emits every event with its own bytes when it kept its records texts (slabs lent, never written again)', async () => {
    // Events that carry their text as a string: the WAL emits the text of its own record.
    const event = (n: number): Event => ({ id: new EventId(1, 0, n), data: parseJson(expected[n]), dataJson: expected[n], meta: {}, ingestNs: n, transactional: true, opMeta: {} });
    expect(await throughWal(await walDirectory(), count, event, true)).toEqual(expected);
  }, 60_000);
});
