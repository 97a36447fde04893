/**
 * A select `patch event of insert "k" => CONSTANT … end` (queries ConstantInserts, engine
 * extended-json.ts textWithInserts): its output's text is made from the input's without parsing
 * or copying the payload. Every output must be what the general path gives (the same select with
 * `where true`, which evaluates the patch): the same payload, the same key order, and a text that
 * parses to it; and an insert of a key that exists is the same runtime error.
 */
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import { TextEvent, utf8TextHolder } from '../../engine/text-event.ts';
import { jsonKeySet } from '../../connectors/json-text.mjs';
import { compileQuery } from '../../queries/index.ts';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';

const PATCH = 'patch event of insert "hostname" => "h", insert "n" => 1.0 end';

async function started(where: string) {
  const outputs: Event[] = [];
  const errors: string[] = [];
  const query = compileQuery(`select ${PATCH} from in ${where} into out;`, 'test.trickle');
  const pipeline = buildPipeline(query, { id: 'test', onError: (_e, rendered) => errors.push(rendered) });
  await pipeline.start({ onOutput: (_port, event) => outputs.push(event), onInsight() {} });
  return { pipeline, outputs, errors, query };
}

let next = 0;
function plainEvent(text: string): Event {
  return { id: new EventId(1, 0, next++), data: parseJson(text), dataJson: text, meta: {}, ingestNs: 1, transactional: false, opMeta: {} };
}
function textEvent(text: string): Event {
  return new TextEvent(new EventId(1, 0, next++), text, {}, 1, false, {});
}
/** The text as UTF-8 bytes inside a larger buffer, as a source's line (TextEvent.ofUtf8). */
function bytesEvent(text: string, withCrc = false): Event {
  const buffer = Buffer.from(`{"x":1}\n${text}\n{"y":2}`);
  const start = Buffer.byteLength('{"x":1}\n');
  const end = start + Buffer.byteLength(text);
  return TextEvent.ofUtf8(new EventId(1, 0, next++), buffer, start, end, {}, 1, false, {}, withCrc ? crc32(buffer.subarray(start, end)) : -1);
}
/** As a file source's line: with the CRC and the key set the line reader's thread computes for it. */
function checkedEvent(text: string): Event {
  const buffer = Buffer.from(`{"x":1}\n${text}\n{"y":2}`);
  const start = Buffer.byteLength('{"x":1}\n');
  const end = start + Buffer.byteLength(text);
  return TextEvent.ofUtf8(new EventId(1, 0, next++), buffer, start, end, {}, 1, false, {}, crc32(buffer.subarray(start, end)), jsonKeySet(buffer, start, end));
}
type Form = 'parsed' | 'text' | 'bytes' | 'checked';
const FORMS: Form[] = ['parsed', 'text', 'bytes', 'checked'];
const eventOf = { parsed: plainEvent, text: textEvent, bytes: bytesEvent, checked: checkedEvent };

/** What the fast path and the general path output (payload, key order, text that parses to the payload) or report for one input text. */
async function bothPaths(text: string, form: Form) {
  const results = [];
  for (const where of ['', 'where true']) {
    const { pipeline, outputs, errors } = await started(where);
    pipeline.send('in', eventOf[form](text));
    const output = outputs[0];
    results.push({
      data: output?.data,
      keys: output && typeof output.data === 'object' && output.data !== null ? Object.keys(output.data) : undefined,
      parsedText: output?.dataJson === undefined ? undefined : parseJson(output.dataJson),
      // The rendered error's last line: its marker and message (the quoted source line differs by the `where`).
      errors: errors.map((rendered) => rendered.split('\n').at(-1)),
    });
    await pipeline.close();
  }
  return results;
}

describe('constant inserts', () => {
  it('are recognised for the seed shape only', () => {
    const seed = compileQuery('use tremor::system;\nselect patch event of insert "hostname" => system::hostname() end from in into out;', 't.trickle');
    expect(seed.statements[0]).toMatchObject({ constantInserts: { keys: ['hostname'] } });
    for (const other of [
      'select patch event of insert "a" => event.b end from in into out;',
      'select patch event of upsert "a" => 1 end from in into out;',
      'select patch event of insert "a" => 1 end from in where true into out;',
      'select patch event of insert "1" => 1 end from in into out;',
      'select patch event of insert "a" => 1, insert "a" => 2 end from in into out;',
      'select patch $ of insert "a" => 1 end from in into out;',
    ]) {
      expect(compileQuery(other, 't.trickle').statements[0]).toMatchObject({ constantInserts: undefined });
    }
  });

  it('give what the evaluated patch gives, for parsed payloads, texts and bytes', async () => {
    const texts = [
      '{"a":1,"b":{"c":[1.0,2]}}',
      '{"big":12345678901234567890,"f":1.0}',
      '{"hostname":"x"}',
      '{"a":1,"hostname":null}',
      '{"a":{"hostname":1}}',
      '{"a":"hostname"}',
      '{"a":"\\"hostname\\""}',
      '{"host\\u006eame":1}',
      '{"n":2}',
      '{"x":"\\\\"}',
      '{}',
      '{ "a": 1 }',
      '[1,2]',
      '"text"',
      '3',
    ];
    for (const text of texts) {
      for (const form of FORMS) {
        const [fast, general] = await bothPaths(text, form);
        expect(fast, `${text} ${form}`).toEqual(general);
        if (general.data !== undefined) expect(general.parsedText ?? general.data).toEqual(general.data);
      }
    }
  });

  it('give the evaluated payload with its text for any record', async () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('hostname', 'n', '1', 'host"name'));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, scalar, { maxKeys: 6 }), fc.constantFrom(...FORMS), async (record, form) => {
        const text = stringifyJson(parseJson(stringifyJson(record as RecordValue)) as Value);
        const [fast, general] = await bothPaths(text, form);
        expect(fast).toEqual(general);
        if (general.parsedText !== undefined) expect(general.parsedText).toEqual(general.data);
      }),
      { numRuns: 150 },
    );
  });

  it('leave a lazy payload unparsed and write the keys at the end of its text', async () => {
    const { pipeline, outputs } = await started('');
    const input = textEvent('{"a":1.0,"b":"é"}');
    pipeline.send('in', input);
    expect(outputs[0].dataJson).toBe('{"a":1.0,"b":"é","hostname":"h","n":1.0}');
    // Reading the input's payload would have parsed it; it is still only text.
    expect((input as unknown as { isParsed: boolean }).isParsed).toBe(false);
    expect(Object.keys(outputs[0].data as RecordValue)).toEqual(['a', 'b', 'hostname', 'n']);
    await pipeline.close();
  });

  it('give an event of bytes its new text as bytes, the input untouched', async () => {
    const { pipeline, outputs } = await started('');
    const input = bytesEvent('{"a":1.0,"b":"é"}');
    pipeline.send('in', input);
    const held = utf8TextHolder();
    expect((outputs[0] as TextEvent).utf8Text(held)).toBe(true);
    expect(held.buffer.toString('utf8', held.start, held.end)).toBe('{"a":1.0,"b":"é","hostname":"h","n":1.0}');
    expect(input.dataJson).toBe('{"a":1.0,"b":"é"}');
    await pipeline.close();
  });

  it("carry on the line's CRC to the new bytes (the CRC of exactly those bytes), and none when the line had none", async () => {
    const { pipeline, outputs } = await started('');
    const held = utf8TextHolder();
    let byteOutputs = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string().filter((key) => !['hostname', 'n'].includes(key)), fc.jsonValue(), { minKeys: 1 }), fc.boolean(), async (payload, withCrc) => {
        outputs.length = 0;
        pipeline.send('in', bytesEvent(JSON.stringify(payload), withCrc));
        // A text with an escape takes the text path (a string, whose CRC the WAL takes).
        if (!(outputs[0] as TextEvent).utf8Text(held)) return;
        byteOutputs++;
        expect(held.crc).toBe(withCrc ? crc32(held.buffer.subarray(held.start, held.end)) : -1);
      }),
      { numRuns: 500 },
    );
    expect(byteOutputs).toBeGreaterThan(40);
    await pipeline.close();
  });

  it("carry on the line's key set: the new text's is the one the reader would make of it", async () => {
    const { pipeline, outputs } = await started('');
    const held = utf8TextHolder();
    let searched = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string().filter((key) => !['hostname', 'n'].includes(key)), fc.jsonValue(), { minKeys: 1 }), async (payload) => {
        outputs.length = 0;
        pipeline.send('in', checkedEvent(JSON.stringify(payload)));
        // An escape in a key (a key set of every bit) leaves the bytes path to the text path.
        if (!(outputs[0] as TextEvent).utf8Text(held)) return;
        searched++;
        expect(held.keys).toBe(jsonKeySet(held.buffer, held.start, held.end));
      }),
      { numRuns: 300 },
    );
    expect(searched).toBeGreaterThan(100);
    await pipeline.close();
  });
});
