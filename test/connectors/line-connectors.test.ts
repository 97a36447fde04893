import { sourceContext } from './recorders.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSinkFactory } from '../../connectors/stream-sink.ts';
import { fileSourceFactory, type FileSource } from '../../connectors/file-source.ts';
import { BlackholeSink } from '../../connectors/blackhole.ts';
import { codecs, DEFAULT_CODEC } from '../../connectors/codec.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';
import { sleep, waitFor } from '../support/waiting.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function event(data: Value): Event {
  return { id: new EventId(1, 0, 0), data, meta: {}, ingestNs: 0, transactional: true, opMeta: {} };
}

describe('file sink', () => {
  it('appends one encoded event per line and acks each once written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-file-sink-'));
    const file = join(dir, 'out.jsonl');
    writeFileSync(file, '{"before":true}\n');
    const sink = fileSinkFactory.create({ id: 'file', config: { file }, codec: DEFAULT_CODEC, warn: () => {} });
    await sink.start({ trigger: () => {}, restore: () => {}, warn: () => {} });
    const acks: number[] = [];
    ([{ a: 1 }, { b: new FloatValue(6) }, 'text'] as Value[]).forEach((data, index) =>
      sink.send(event(data), { ack: () => acks.push(index), fail: (reason) => expect.fail(reason) }),
    );
    await sink.stop();
    expect(acks).toEqual([0, 1, 2]);
    expect(readFileSync(file, 'utf8')).toBe('{"before":true}\n{"a":1}\n{"b":6.0}\n"text"\n');
  });

  it("writes an event that still has its input's JSON text as that text, with either codec", async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-file-sink-'));
    for (const codec of ['json', 'string']) {
      const file = join(dir, `out-${codec}.jsonl`);
      const sink = fileSinkFactory.create({ id: 'file', config: { file }, codec: codecs.get(codec)!, warn: () => {} });
      await sink.start({ trigger: () => {}, restore: () => {}, warn: () => {} });
      sink.send({ ...event({ price: 1.5 }), dataJson: '{"price": 1.50}' }, { ack: () => {}, fail: () => {} });
      await sink.stop();
      expect(readFileSync(file, 'utf8')).toBe('{"price": 1.50}\n');
    }
  });

  it('writes strings unquoted with the string codec', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-file-sink-'));
    const file = join(dir, 'out.txt');
    const sink = fileSinkFactory.create({ id: 'file', config: { file }, codec: codecs.get('string')!, warn: () => {} });
    await sink.start({ trigger: () => {}, restore: () => {}, warn: () => {} });
    sink.send(event('plain line'), { ack: () => {}, fail: () => {} });
    await sink.stop();
    expect(readFileSync(file, 'utf8')).toBe('plain line\n');
  });
});

describe('file source', () => {
  it('emits one event per JSON line, keeps floats, skips blank and undecodable lines with a warning', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-file-source-'));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, '{"n":1}\n\n{"x":6.0}\nnot json\n[1,2]\n');
    const source = fileSourceFactory.create({ id: 'in', config: { source: file }, codec: DEFAULT_CODEC, warn: () => {} }) as FileSource;
    const received: Value[] = [];
    const texts: Array<string | undefined> = [];
    const warnings: string[] = [];
    await source.start(sourceContext({
      emit: (data, _meta, dataJson) => {
        received.push(data);
        texts.push(dataJson);
      },
      warn: (message) => warnings.push(message),
    }));
    await source.finished;
    expect(received).toEqual([{ n: 1 }, { x: new FloatValue(6) }, [1, 2]]);
    // Each event carries the text it was decoded from, so a JSON sink can write it as it came.
    expect(texts).toEqual(['{"n":1}', '{"x":6.0}', '[1,2]']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${file}:4`);
  });

  it('stops reading while triggered and goes on from the same line on restore', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-file-source-'));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`).join('\n'));
    const source = fileSourceFactory.create({ id: 'in', config: { source: file }, codec: DEFAULT_CODEC, warn: () => {} });
    const received: number[] = [];
    await source.start(sourceContext({
      emit: (data) => {
        received.push((data as { i: number }).i);
        if (received.length === 10) source.trigger();
      },
      warn: () => {},
    }));
    // Reading starts on the reader thread: wait for the first ten, then see that no more come.
    await waitFor(() => received.length >= 10, 'the first ten lines');
    await sleep(200);
    expect(received).toHaveLength(10);
    source.restore();
    const deadline = Date.now() + 10_000;
    while (received.length < 1000 && Date.now() < deadline) await sleep(10);
    await source.stop();
    expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('blackhole', () => {
  it('acks and counts every event', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rill-blackhole-'));
    const sink = new BlackholeSink();
    let acks = 0;
    for (let i = 0; i < 5; i++) sink.send(event(i), { ack: () => acks++, fail: () => {} });
    expect(acks).toBe(5);
    expect(sink.received).toBe(5);
  });
});
