/**
 * A WAL never changes an event's bytes: what a JSON sink writes for an event that went through
 * `qos::wal` is the text the WAL got (or, for a payload a select rebuilt, the text the WAL
 * serialised once for its record), whether the event went out from memory at once or was read
 * back from the store after a restart. Texts JSON.parse would round or reshape (64-bit integers,
 * `1.0`, exponents, escapes, spacing) are the point. Real LMDB in a temporary directory, the real
 * compiler, executor and json codec.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { PipelineExecutor } from '../../engine/executor.ts';
import { compileQuery } from '../../queries/index.ts';
import { parseJson } from '../../queries/values/json.ts';
import { waitFor } from '../support/waiting.ts';

const TEXTS = [
  '{"big":12345678901234567890}',
  '{"negative":-9223372036854775809,"small":1}',
  '{"float":1.0,"exp":1e5,"neg_zero":-0.0,"long_float":0.1000000000000000055511151231257827}',
  '{"escaped":"\\u00e9\\n\\"q\\"","unicode":"héllo ☃"}',
  '{ "spaced" : [ 1 , 2 ] ,"order":{"z":1,"a":2}}',
  '[1,2,3]',
  '"just a string"',
];

const directories: string[] = [];
afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** `in -> [select] -> qos::wal -> out`; `changing` puts the seed's patch select before the WAL. */
function walPipeline(dir: string, changing: boolean): PipelineExecutor {
  const before = changing ? 'select patch event of insert "added" => "x" end from in into wal;' : 'select event from in into wal;';
  const source = `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, read_count = 100, max_elements = 1000 end;\ncreate operator wal;\n${before}\nselect event from wal into out;\n`;
  return buildPipeline(compileQuery(source, 'bytes.trickle'), { id: 'bytes' });
}

/** A JSON source's event: the parsed payload and the text it came as. */
function sourceEvent(text: string, n: number): Event {
  return { id: new EventId(1, 0, n), data: parseJson(text), dataJson: text, meta: {}, ingestNs: n, transactional: true, opMeta: {} };
}

/** Runs `texts` in; returns what the json codec writes for each output (acked when `ack`). */
async function throughWal(dir: string, changing: boolean, texts: string[], deliver: boolean): Promise<string[]> {
  const pipeline = walPipeline(dir, changing);
  const written: string[] = [];
  await pipeline.start({
    onOutput: (_port, event) => {
      written.push(DEFAULT_CODEC.encode(event));
      pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
    },
    onInsight() {},
  });
  if (deliver) pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  texts.forEach((text, n) => pipeline.send('in', sourceEvent(text, n)));
  // Stored events go out on a tick, too (a replay has no incoming event to wait for).
  if (deliver) await waitFor(() => (pipeline.tick(Date.now() * 1e6), written.length >= texts.length && pipeline.isIdle()), 'every event delivered');
  else await waitFor(() => pipeline.isIdle(), 'every event stored');
  await pipeline.close();
  return written;
}

describe('qos::wal keeps an event bytes', () => {
  it('emits the text it got, byte for byte, fresh from memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-wal-bytes-'));
    directories.push(dir);
    expect(await throughWal(dir, false, TEXTS, true)).toEqual(TEXTS);
  });

  it('emits the text it got, byte for byte, replayed from the store after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-wal-bytes-'));
    directories.push(dir);
    // Stored with downstream never restored: nothing goes out, everything is on disk.
    expect(await throughWal(dir, false, TEXTS, false)).toEqual([]);
    expect(await throughWal(dir, false, [], true)).toEqual(TEXTS);
  });

  it('serialises a changed event once: the sink writes that text, fresh and replayed alike', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'rill-wal-bytes-'));
    const replayed = await mkdtemp(join(tmpdir(), 'rill-wal-bytes-'));
    directories.push(fresh, replayed);
    const objects = TEXTS.filter((text) => text.startsWith('{'));
    const freshTexts = await throughWal(fresh, true, objects, true);
    await throughWal(replayed, true, objects, false);
    const replayedTexts = await throughWal(replayed, true, [], true);
    expect(replayedTexts).toEqual(freshTexts);
    expect(freshTexts).toHaveLength(objects.length);
    for (const text of freshTexts) expect(text).toContain('"added":"x"');
  });
});
