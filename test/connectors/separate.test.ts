import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Separator, separateOptions, postSeparator, LINES_MAX_LENGTH } from '../../connectors/framing/separate.ts';
import { buildFraming } from '../../connectors/framing/processors.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { codecs } from '../../connectors/codec.ts';
import { parseJson } from '../../queries/values/json.ts';

function splitAll(separator: Separator, chunks: string[]): string[] {
  const out = chunks.flatMap((chunk) => separator.process(Buffer.from(chunk)));
  return [...out, ...separator.finish()].map((line) => line.toString());
}

describe('separate preprocessor', () => {
  it('buffered: a line split over any chunks comes out whole, in order, and the end of the stream completes the last one', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z{}":,]{0,12}$/), { maxLength: 12 }), fc.array(fc.nat(40), { maxLength: 8 }), (lines, cuts) => {
        const text = lines.join('\n');
        const points = [...new Set(cuts.map((cut) => Math.min(cut, text.length)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, index, all) => text.slice(from, all[index + 1] ?? text.length));
        const reports: string[] = [];
        const result = splitAll(new Separator(separateOptions('separate', {}), (m) => reports.push(m)), chunks);
        // The stream's last piece is only emitted if it is not empty (Tremor's finish).
        const expected = lines.length > 0 && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
        expect(result).toEqual(expected);
        expect(reports).toEqual([]);
      }),
    );
  });

  it('reports a line longer than max_length and keeps the lines around it, also when the long line arrives in pieces', () => {
    const reports: string[] = [];
    const separator = new Separator(separateOptions('separate', { max_length: 5 }), (m) => reports.push(m));
    expect(splitAll(separator, ['ok\ntoolongline\nfine\n'])).toEqual(['ok', 'fine']);
    expect(reports).toEqual(['discarded a line of 11 bytes: longer than max_length 5']);

    reports.length = 0;
    // The long line never sits whole in memory: bytes past the limit are skipped up to the separator.
    expect(splitAll(separator, ['a\nxxx', 'xxxx', 'xxxxxxxx', 'xx\nb\n'])).toEqual(['a', 'b']);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/discarding a line longer than max_length 5 \(7 bytes without a separator so far\)/);
  });

  it('`lines` (the Tremor 0.11 name) has the 0.11 limit of 1 MiB; `separate` is unlimited by default', () => {
    expect(separateOptions('lines', {}).maxLength).toBe(LINES_MAX_LENGTH);
    expect(separateOptions('separate', {}).maxLength).toBe(0);
    const reports: string[] = [];
    const long = 'x'.repeat(LINES_MAX_LENGTH + 1);
    expect(splitAll(new Separator(separateOptions('lines', {}), (m) => reports.push(m)), [`${long}\nnext\n`])).toEqual(['next']);
    expect(reports).toHaveLength(1);
    expect(splitAll(new Separator(separateOptions('separate', {}), () => {}), [`${long}\n`])).toEqual([long]);
  });

  it('unbuffered: each chunk is split on its own and its remainder is emitted, an empty one too', () => {
    const separator = new Separator(separateOptions('separate', { buffered: false }), () => {});
    expect(separator.process(Buffer.from('a\nb')).map(String)).toEqual(['a', 'b']);
    expect(separator.process(Buffer.from('c\n')).map(String)).toEqual(['c', '']);
  });

  it('takes a one-byte separator and rejects others and unknown keys with Tremor-like messages', () => {
    const reports: string[] = [];
    expect(splitAll(new Separator(separateOptions('separate', { separator: '|' }), (m) => reports.push(m)), ['a|b|c'])).toEqual(['a', 'b', 'c']);
    expect(() => separateOptions('separate', { separator: '||' })).toThrow(`separate: Invalid 'separator': "||", must be 1 byte.`);
    expect(() => separateOptions('separate', { separator: 'é' })).toThrow(/must be 1 byte/);
    expect(() => separateOptions('separate', { max_len: 3 })).toThrow(ConnectorConfigError);
    expect(() => separateOptions('separate', { max_length: -1 })).toThrow(/max_length/);
    expect(() => separateOptions('lines', { max_length: 3 })).toThrow(/takes no config/);
    expect(postSeparator('separate', { separator: '\0' })).toBe(0);
  });
});

describe('framing', () => {
  it('postprocessors append the separator; an absent list uses the connector default, an empty one none', () => {
    expect(buildFraming(undefined, undefined, ['lines']).frame('{"a":1}').toString()).toBe('{"a":1}\n');
    expect(buildFraming([], [], ['lines']).frame('x').toString()).toBe('x');
    expect(buildFraming(undefined, [{ name: 'separate', config: { separator: ';' } }], []).frame('x').toString()).toBe('x;');
    const noSplit = buildFraming([], [], []).splitter(() => {});
    expect(noSplit.process(Buffer.from('a\nb')).map(String)).toEqual(['a\nb']);
  });

  it('rejects a processor rill does not implement, naming the supported ones', () => {
    expect(() => buildFraming(['base64'], undefined, [])).toThrow('preprocessors: "base64" is not supported by rill (supported: separate, lines)');
  });
});

describe('json-sorted codec', () => {
  it('writes record keys sorted at every level and keeps integral floats floats', () => {
    const codec = codecs.get('json-sorted')!;
    const data = parseJson('{"b":{"z":1,"a":[{"y":2,"x":42.0}]},"":null,"NaN":42.0}');
    // dataJson is ignored: it keeps the input's key order.
    expect(codec.encode({ data, dataJson: '{"b":1}' })).toBe('{"":null,"NaN":42.0,"b":{"a":[{"x":42.0,"y":2}],"z":1}}');
    expect(codec.decode('{"":null,"NaN":42.0}')).toEqual(parseJson('{"":null,"NaN":42.0}'));
  });
});
