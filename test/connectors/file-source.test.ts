/**
 * The transactional `file` source with real files and real checkpoint files: out-of-order acks,
 * fails that read again, the in-flight bound, and files replaced, truncated or rewritten between
 * runs.
 */
import { sourceContext } from './recorders.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { codecs, DEFAULT_CODEC } from '../../connectors/codec.ts';
import { BATCH_BYTES } from '../../connectors/line-reader.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { parseCheckpointFile } from '../../connectors/file-checkpoint.ts';
import { CHECKPOINT_INTERVAL_MS, defaultCheckpointPath, FileSource, fileSourceFactory } from '../../connectors/file-source.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { fileConnectorFactory } from '../../connectors/troy-kinds.ts';
import { sleep, waitFor } from '../support/waiting.ts';

let dir: string;
let input: string;
let checkpointPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rill-file-source-'));
  input = join(dir, 'in.jsonl');
  checkpointPath = join(dir, 'state', 'in.checkpoint');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function numberedLines(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n++) text += `{"n":${n}}\n`;
  return text;
}

/** A started source and what it emitted: `lines[k]` is the `n` of event number k. */
async function run(options: { maxInFlight?: number; onEmit?: (source: FileSource, eventNumber: number, n: number) => void } = {}) {
  const source = new FileSource({ path: input, codec: DEFAULT_CODEC, checkpointPath, maxInFlight: options.maxInFlight ?? 1000 });
  const lines: number[] = [];
  const warnings: string[] = [];
  await source.start(sourceContext({
    emit: (data: Value) => {
      const n = (data as { n: number }).n;
      lines.push(n);
      options.onEmit?.(source, lines.length - 1, n);
    },
    warn: (message) => warnings.push(message),
  }));
  return { source, lines, warnings };
}

function savedLine(): number | undefined {
  if (!existsSync(checkpointPath)) return undefined;
  const checkpoint = parseCheckpointFile(readFileSync(checkpointPath));
  if (typeof checkpoint === 'string') throw new Error(`${checkpointPath}: ${checkpoint}`);
  return checkpoint.line;
}

describe('file source checkpoint', () => {
  it('saves only the contiguous acked prefix when acks come out of order, and the next run resumes after it', async () => {
    writeFileSync(input, numberedLines(0, 10));
    const first = await run();
    await first.source.finished;
    expect(first.lines).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const n of [9, 8, 7, 5, 6, 3, 1]) first.source.ack(n, n);
    await sleep(CHECKPOINT_INTERVAL_MS * 3);
    // Lines 1 and 3 are acked, but 0 is not: nothing is confirmed yet.
    expect(savedLine()).toBeUndefined();
    first.source.ack(0, 0);
    await waitFor(() => savedLine() === 2, 'the checkpoint after lines 0 and 1');
    first.source.ack(2, 2);
    await first.source.stop();
    // 4 is still unacked: the stop saves the prefix up to it.
    expect(savedLine()).toBe(4);

    const second = await run();
    await second.source.finished;
    expect(second.lines).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.warnings).toEqual([expect.stringContaining('resuming')]);
    for (let k = 0; k < 6; k++) second.source.ack(k, k);
    await second.source.stop();
    expect(savedLine()).toBe(10);

    appendFileSync(input, numberedLines(10, 12));
    const third = await run();
    await third.source.finished;
    await third.source.stop();
    expect(third.lines).toEqual([10, 11]);
  });

  it('acks a range of events (an aggregate of several lines) at once', async () => {
    writeFileSync(input, numberedLines(0, 6));
    const { source } = await run();
    await source.finished;
    source.ack(0, 4);
    await source.stop();
    expect(savedLine()).toBe(5);
  });

  it('reads again from a failed line, sends the later lines again, and ignores a fail for a line already re-read', async () => {
    writeFileSync(input, numberedLines(0, 10));
    const { source, lines } = await run();
    await source.finished;
    for (const k of [0, 1, 2, 7]) source.ack(k, k);
    source.fail(5);
    await waitFor(() => lines.length === 15, 'lines 5..9 again');
    expect(lines).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9]);
    // Event 6 was forgotten with 5 (its line is being sent again as event 11): nothing to do.
    source.fail(6);
    await sleep(50);
    expect(lines).toHaveLength(15);
    for (const k of [3, 4, 10, 11, 12, 13, 14]) source.ack(k, k);
    await source.stop();
    expect(savedLine()).toBe(10);
  });

  it('reads a line again when it fails during its own emit (a full WAL refuses it at once)', async () => {
    writeFileSync(input, numberedLines(0, 6));
    let refused = false;
    const { source, lines } = await run({
      onEmit: (self, eventNumber, n) => {
        if (n === 3 && !refused) {
          refused = true;
          self.fail(eventNumber);
        }
      },
    });
    await source.finished;
    expect(lines).toEqual([0, 1, 2, 3, 3, 4, 5]);
    await source.stop();
  });

  it('keeps at most max_in_flight lines beyond the durable checkpoint, and goes on as they are acked and saved', async () => {
    writeFileSync(input, numberedLines(0, 100));
    const { source, lines } = await run({ maxInFlight: 5 });
    await waitFor(() => lines.length === 5, 'the first 5 lines');
    await sleep(100);
    expect(lines).toHaveLength(5);
    let acked = 0;
    while (acked < 100) {
      await waitFor(() => lines.length > acked, `line ${acked}`);
      // Never more than 5 lines emitted beyond what is saved.
      expect(lines.length - (savedLine() ?? 0)).toBeLessThanOrEqual(5);
      source.ack(acked, acked);
      acked++;
    }
    await source.stop();
    expect(lines).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(savedLine()).toBe(100);
  });

  it('reads lines longer than a read batch, CRLF line ends, and a last line without a newline; blank and bad lines count as done', async () => {
    const long = 'x'.repeat(BATCH_BYTES * 2 + 1000);
    writeFileSync(input, `{"n":0,"s":"${long}"}\r\n\nnot json\n{"n":1}`);
    const { source, lines, warnings } = await run();
    await source.finished;
    expect(lines).toEqual([0, 1]);
    expect(warnings).toEqual([expect.stringContaining(`${input}:3: cannot decode`)]);
    source.ack(0, 1);
    await source.stop();
    expect(savedLine()).toBe(4);
  });

  it('hands JSON lines on as their text, unparsed (emitJson); lines of another codec are decoded by the source', async () => {
    writeFileSync(input, ' {"n":0} \n{"big":12345678901234567890}\n[1,\n');
    const asText: string[] = [];
    const decoded: Array<{ data: Value; dataJson?: string }> = [];
    const warnings: string[] = [];
    const context = {
      emit: (data: Value, _meta?: RecordValue, dataJson?: string) => void decoded.push({ data, dataJson }),
      emitJson: (utf8: Buffer, start: number, end: number) => void asText.push(utf8.toString('utf8', start, end)),
      warn: (message: string) => void warnings.push(message),
    };
    const json = new FileSource({ path: input, codec: DEFAULT_CODEC, maxInFlight: 100 });
    await json.start(context);
    await json.finished;
    await json.stop();
    // Trimmed; the big integer stays text, so nothing rounds it before a node reads it exactly.
    expect(asText).toEqual(['{"n":0}', '{"big":12345678901234567890}']);
    expect(decoded).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(`${input}:3: cannot decode as json`)]);

    asText.length = 0;
    const strings = new FileSource({ path: input, codec: codecs.get('string')!, maxInFlight: 100 });
    await strings.start(context);
    await strings.finished;
    await strings.stop();
    expect(asText).toEqual([]);
    expect(decoded.map((event) => event.data)).toEqual([' {"n":0} ', '{"big":12345678901234567890}', '[1,']);
  });

  it('a line that is not UTF-8 is decoded here, with replacement characters, and the lines around it still go on as bytes', async () => {
    writeFileSync(input, Buffer.concat([Buffer.from('{"n":0}\n{"s":"'), Buffer.from([0xff]), Buffer.from('"}\n{"n":2}\n')]));
    const asText: string[] = [];
    const decoded: Array<{ data: Value; dataJson?: string }> = [];
    const context = {
      emit: (data: Value, _meta?: RecordValue, dataJson?: string) => void decoded.push({ data, dataJson }),
      emitJson: (utf8: Buffer, start: number, end: number, _meta?: RecordValue, crc?: number) => {
        // The reader thread's CRC of the bytes, which a WAL's record checksum continues.
        expect(crc).toBe(crc32(utf8.subarray(start, end)));
        asText.push(utf8.toString('utf8', start, end));
      },
      warn: () => undefined,
    };
    const source = new FileSource({ path: input, codec: DEFAULT_CODEC, maxInFlight: 100 });
    await source.start(context);
    await source.finished;
    await source.stop();
    expect(asText).toEqual(['{"n":0}', '{"n":2}']);
    expect(decoded).toEqual([{ data: { s: '\ufffd' }, dataJson: '{"s":"\ufffd"}' }]);
  });

  it.each([
    ['replaced', 'was replaced', () => {
      writeFileSync(join(dir, 'new.jsonl'), numberedLines(100, 110));
      renameSync(join(dir, 'new.jsonl'), input);
    }],
    ['truncated', 'was truncated', () => {
      truncateSync(input, 0);
      writeFileSync(input, numberedLines(100, 103), { flag: 'r+' });
    }],
    ['rewritten in place', 'was rewritten', () => writeFileSync(input, numberedLines(100, 110))],
  ])('reads a file %s since the checkpoint from the beginning, with a warning', async (_how, warning, change) => {
    writeFileSync(input, numberedLines(0, 10));
    const first = await run();
    await first.source.finished;
    first.source.ack(0, 9);
    await first.source.stop();
    expect(savedLine()).toBe(10);

    change();
    const second = await run();
    await second.source.finished;
    await second.source.stop();
    expect(second.lines[0]).toBe(100);
    expect(second.warnings).toEqual([expect.stringContaining(warning)]);
    expect(second.warnings[0]).toContain(input);
    expect(second.warnings[0]).toContain(checkpointPath);
  });

  it('reads from the beginning, with a warning naming it, when the checkpoint file is damaged', async () => {
    writeFileSync(input, numberedLines(0, 3));
    mkdirSync(join(dir, 'state'));
    writeFileSync(checkpointPath, '{"format":"rill-file-checkpoint/1","offset":');
    const { source, lines, warnings } = await run();
    await source.finished;
    await source.stop();
    expect(lines).toEqual([0, 1, 2]);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`checkpoint ${checkpointPath} is not usable .*from the beginning`))]);
  });
});

describe('file source configuration', () => {
  it("troy's `file` connector gives each event $file.path as configured; the 0.11 onramp gives none", async () => {
    writeFileSync(input, numberedLines(0, 2));
    const metas: Array<RecordValue | undefined> = [];
    const context = sourceContext({ emit: (_data: Value, meta?: RecordValue) => void metas.push(meta), warn: () => {} });
    const troy = fileConnectorFactory.create({ id: 'in', config: { path: input, mode: 'read' }, codec: DEFAULT_CODEC, warn: () => {} }).source as FileSource;
    await troy.start(context);
    await troy.finished;
    await troy.stop();
    const onramp = fileSourceFactory.create({ id: 'in', config: { source: input }, codec: DEFAULT_CODEC, warn: () => {} }) as FileSource;
    await onramp.start(context);
    await onramp.finished;
    await onramp.stop();
    expect(metas).toEqual([{ file: { path: input } }, { file: { path: input } }, undefined, undefined]);
  });

  it('keeps the checkpoint under the state dir by file name and path hash, or where `checkpoint` says', () => {
    const stateDir = join(dir, 'data', 'onramp', 'lines', '01');
    const path = defaultCheckpointPath(stateDir, input);
    expect(path.startsWith(join(stateDir, 'in.jsonl-'))).toBe(true);
    expect(path).not.toBe(defaultCheckpointPath(stateDir, join(dir, 'other', 'in.jsonl')));
    const settings = { id: 'lines', codec: DEFAULT_CODEC, warn: () => {} };
    expect(fileSourceFactory.create({ ...settings, config: { source: input } }).transactional).toBe(true);
    expect(() => fileSourceFactory.create({ ...settings, config: { source: input, max_in_flight: 0 } })).toThrow(ConnectorConfigError);
  });

  it('writes the checkpoint at the configured `checkpoint` path', async () => {
    writeFileSync(input, numberedLines(0, 2));
    const configured = join(dir, 'elsewhere', 'lines.checkpoint');
    const source = fileSourceFactory.create({ id: 'lines', config: { source: input, checkpoint: configured }, codec: DEFAULT_CODEC, warn: () => {} }) as FileSource;
    await source.start(sourceContext({ emit: () => {}, warn: () => {} }));
    await source.finished;
    source.ack(0, 1);
    await source.stop();
    expect(parseCheckpointFile(readFileSync(configured))).toMatchObject({ path: input, offset: 16, line: 2 });
  });
});
