/**
 * connectors/gathered-lines.ts gathers a file sink's lines as views of the events' bytes: what
 * the pieces hold, concatenated, must be byte for byte what LineBatch (line-batch.ts) copies for
 * the same lines, whatever mix of texts, views, prefixes and buffers comes; and
 * connectors/file-writer.ts must write all of the pieces, report errors and push back in bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { afterWritten, FileWriter } from '../../connectors/file-writer.ts';
import { GatheredLines } from '../../connectors/gathered-lines.ts';
import { LineBatch } from '../../connectors/line-batch.ts';
import type { Utf8Parts, Utf8Text } from '../../engine/text-event.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-gathered-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file's lines as a reader batch holds them: one buffer, each line a span followed by its newline (or `\r\n`). */
function readerBatch(lines: string[], crlf: boolean): { buffer: Buffer; spans: Array<[number, number]> } {
  const buffer = Buffer.from(lines.map((line) => `${line}${crlf ? '\r\n' : '\n'}`).join(''));
  const spans: Array<[number, number]> = [];
  let at = 0;
  for (const line of lines) {
    const length = Buffer.byteLength(line);
    spans.push([at, at + length]);
    at += length + (crlf ? 2 : 1);
  }
  return { buffer, spans };
}

type Step =
  | { kind: 'text'; text: string; prefix: string }
  | { kind: 'batch'; lines: string[]; crlf: boolean; prefix: string; every: number }
  | { kind: 'record'; header: string; text: string }
  | { kind: 'parts'; lines: string[]; tail: string; prefix: string };

const line = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 120, maxLength: 400 }), fc.constantFrom('{"a":1}', `{"about":"${'x'.repeat(300)}"}`, 'é'.repeat(100)));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), text: line, prefix: fc.constantFrom('', 'out: ') }),
  fc.record({ kind: fc.constant('batch' as const), lines: fc.array(line, { maxLength: 8 }), crlf: fc.boolean(), prefix: fc.constantFrom('', '', 'p '), every: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('record' as const), header: fc.string({ maxLength: 20 }), text: line }),
  // Lines a select added keys to: each line's bytes but its last character, then the keys' text.
  fc.record({ kind: fc.constant('parts' as const), lines: fc.array(line.filter((text) => text.length > 0), { maxLength: 6 }), tail: fc.string({ maxLength: 30 }), prefix: fc.constantFrom('', '', 'p ') }),
);

/** Each line of a reader batch but its last byte, with `tail` as the second piece (as engine/extended-json.ts makes them). */
function partsOf(lines: string[], tail: string): Utf8Parts[] {
  const { buffer, spans } = readerBatch(lines, false);
  const tailBytes = Buffer.from(tail);
  return spans.map(([start, end]) => ({ buffer, start, end: end - 1, crc: -1, keys: -1, tail: tailBytes }));
}

/** Feeds the steps to either batch kind; takes a batch out now and then. Returns every byte taken, in order. */
function feed(steps: Step[], into: LineBatch | GatheredLines, takeEvery: number): Buffer {
  const taken: Buffer[] = [];
  const take = () => {
    const out = into.take();
    if (out !== undefined) taken.push(...(Array.isArray(out) ? out : [out]));
  };
  steps.forEach((s, index) => {
    if (s.kind === 'text') into.add(s.text, s.prefix);
    else if (s.kind === 'record') {
      // A WAL record: a header, then the payload to the end of the buffer (no newline after it).
      const buffer = Buffer.from(`${s.header}${s.text}`);
      const text: Utf8Text = { buffer, start: Buffer.byteLength(s.header), end: buffer.length, crc: -1, keys: -1 };
      into.addUtf8(text, '');
    } else if (s.kind === 'parts') {
      for (const parts of partsOf(s.lines, s.tail)) into.addUtf8(parts, s.prefix);
    } else {
      const { buffer, spans } = readerBatch(s.lines, s.crlf);
      // Every `every`-th line only: the others were filtered out, so runs break.
      spans.forEach(([start, end], i) => {
        if (i % s.every === 0) into.addUtf8({ buffer, start, end, crc: -1, keys: -1 }, s.prefix);
      });
    }
    if (index % takeEvery === takeEvery - 1) take();
  });
  take();
  return Buffer.concat(taken);
}

describe('GatheredLines', () => {
  it('gathers exactly the bytes LineBatch copies, for any mix of lines', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (steps, takeEvery) => {
        expect(feed(steps, new GatheredLines(), takeEvery).equals(feed(steps, new LineBatch(1024), takeEvery))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('copies a text in two pieces as the first piece, the second and a newline, into memory it writes again', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(200)}"}`);
    const tail = ',"hostname":"h"}';
    const parts = partsOf(lines, tail);
    const expected = lines.map((text) => `${text.slice(0, -1)}${tail}\n`).join('');
    const gathered = new GatheredLines();
    const copied = new LineBatch(1 << 16);
    const slabs = new Set<ArrayBufferLike>();
    for (let round = 0; round < 200; round++) {
      for (const text of parts) {
        gathered.addUtf8(text);
        if (round === 0) copied.addUtf8(text);
      }
      const pieces = gathered.take()!;
      expect(Buffer.concat(pieces).toString()).toBe(expected);
      // Copies, not views of the reader's buffer (which stays as it was).
      for (const piece of pieces) {
        expect(piece.buffer).not.toBe(parts[0].buffer.buffer);
        slabs.add(piece.buffer);
      }
      gathered.release(pieces);
    }
    expect(copied.take()!.toString()).toBe(expected);
    // 200 rounds of ~7 KB: through the same few slabs.
    expect(slabs.size).toBeLessThanOrEqual(3);
  });

  it('cuts a batch of nothing but copies into pieces of about 64 KiB, not one that outgrows its slab', () => {
    // A sink writing events it encodes (a select rebuilt them): every line is copied.
    const lines = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"pad":"${'z'.repeat(400)}"}`);
    const gathered = new GatheredLines();
    for (const text of lines) gathered.add(text);
    const pieces = gathered.take()!;
    expect(Buffer.concat(pieces).toString()).toBe(lines.map((text) => `${text}\n`).join(''));
    expect(pieces.length).toBeGreaterThan(15);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(64 * 1024 + 500);
  });

  it("makes one view of a reader batch's consecutive lines, newlines included, and copies nothing of them", () => {
    const { buffer, spans } = readerBatch(Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(200)}"}`), false);
    const gathered = new GatheredLines();
    for (const [start, end] of spans) gathered.addUtf8({ buffer, start, end, crc: -1, keys: -1 });
    const pieces = gathered.take()!;
    expect(pieces).toHaveLength(1);
    expect(pieces[0].buffer).toBe(buffer.buffer);
    expect(pieces[0].equals(buffer)).toBe(true);
  });

  it('writes its copies into released memory again, and never into the views it released', () => {
    const { buffer, spans } = readerBatch(Array.from({ length: 4 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(200)}"}`), false);
    const original = Buffer.from(buffer);
    const gathered = new GatheredLines();
    const copySlabs = new Set<ArrayBufferLike>();
    for (let round = 0; round < 1000; round++) {
      // Short texts are copied (into 512 KiB slabs); the reader batch's lines go in as views.
      for (let i = 0; i < 40; i++) gathered.add(`{"round":${round},"i":${i},"pad":"${'y'.repeat(60)}"}`);
      for (const [start, end] of spans) gathered.addUtf8({ buffer, start, end, crc: -1, keys: -1 });
      const pieces = gathered.take()!;
      for (const piece of pieces) if (piece.buffer !== buffer.buffer) copySlabs.add(piece.buffer);
      gathered.release(pieces);
    }
    // 1,000 rounds of ~4 KB of copies: about 4 MB through the same few slabs, not a fresh one per half megabyte.
    expect(copySlabs.size).toBeLessThanOrEqual(3);
    expect(buffer.equals(original)).toBe(true);
  });
});

describe('FileWriter', () => {
  it('afterWritten cuts the pieces after a partial write', () => {
    const pieces = [Buffer.from('abc'), Buffer.from('de'), Buffer.from('fgh')];
    for (let written = 0; written <= 8; written++) expect(Buffer.concat(afterWritten(pieces, written)).toString()).toBe('abcdefgh'.slice(written));
  });

  it('writes every piece in order, pushes back past its byte limit, drains, and appends', async () => {
    const path = join(dir, 'out.txt');
    const writer = new FileWriter(path, 'a', 1000);
    const written: string[] = [];
    let pushedBack = false;
    for (let i = 0; i < 20; i++) {
      const pieces = [Buffer.from(`${i}:`), Buffer.from('y'.repeat(100)), Buffer.from('\n')];
      written.push(Buffer.concat(pieces).toString());
      if (!writer.write(pieces)) pushedBack = true;
    }
    expect(pushedBack).toBe(true);
    await new Promise<void>((resolve) => writer.once('drain', resolve));
    await new Promise<void>((resolve) => writer.end(() => resolve()));
    expect(readFileSync(path, 'utf8')).toBe(written.join(''));
    const again = new FileWriter(path, 'a', 1000);
    await new Promise<void>((resolve) => again.end([Buffer.from('more\n')], () => resolve()));
    expect(readFileSync(path, 'utf8')).toBe(`${written.join('')}more\n`);
  });

  it('a file it cannot open fails the writes and emits the error, with the path', async () => {
    const writer = new FileWriter(join(dir, 'no-such-dir', 'out.txt'), 'a', 1000);
    const emitted = new Promise<Error>((resolve) => writer.once('error', resolve));
    const failed = new Promise<Error | null | undefined>((resolve) => writer.write([Buffer.from('x\n')], resolve));
    expect((await emitted).message).toMatch(/ENOENT/);
    expect(await failed).toBeInstanceOf(Error);
  });
});
