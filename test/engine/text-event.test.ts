/**
 * Events that carry their payload as JSON text (engine/text-event.ts), given as a string or as
 * UTF-8 bytes in a shared buffer: the payload, the text and the bytes always describe the same
 * value, whatever a node does to the event.
 */
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import { eventWith, TextEvent, utf8PartsHolder, utf8TextHolder } from '../../engine/text-event.ts';
import { LineBatch } from '../../connectors/line-batch.ts';
import { FloatValue } from '../../queries/values/value.ts';

const id = new EventId(1, 0, 7);

/** `text` at offset 3 of a larger buffer, as a source's read holds a line. */
function inBuffer(text: string): { buffer: Buffer; start: number; end: number } {
  const buffer = Buffer.from(`xx\n${text}\nyy`);
  return { buffer, start: 3, end: 3 + Buffer.byteLength(text) };
}

describe('TextEvent', () => {
  it('given bytes, decodes the text and parses the payload only when asked, exactly', () => {
    const { buffer, start, end } = inBuffer('{"big":12345678901234567890,"f":6.0,"s":"é"}');
    const event = TextEvent.ofUtf8(id, buffer, start, end, {}, 5, true, {});
    const held = utf8TextHolder();
    expect(event.utf8Text(held)).toBe(true);
    expect(held.buffer.toString('utf8', held.start, held.end)).toBe('{"big":12345678901234567890,"f":6.0,"s":"é"}');
    expect(event.dataJson).toBe('{"big":12345678901234567890,"f":6.0,"s":"é"}');
    expect(event.data).toEqual({ big: 12345678901234567890n, f: new FloatValue(6), s: 'é' });
  });

  it('keeps its bytes when passed on with other metadata, and drops them once the payload is replaced', () => {
    const { buffer, start, end } = inBuffer('{"n":1}');
    const event = TextEvent.ofUtf8(id, buffer, start, end, {}, 5, true, {});
    const held = utf8TextHolder();
    const passed = eventWith(event, { meta: { m: 1 } }) as TextEvent;
    expect(passed.utf8Text(held)).toBe(true);
    expect(held.buffer.toString('utf8', held.start, held.end)).toBe('{"n":1}');
    expect(passed.meta).toEqual({ m: 1 });

    passed.data = { n: 2 };
    expect(passed.utf8Text(held)).toBe(false);
    expect(passed.dataJson).toBeUndefined();
    expect(passed.data).toEqual({ n: 2 });
    // The event it came from is unchanged.
    expect(event.utf8Text(held)).toBe(true);
    expect(event.data).toEqual({ n: 1 });
  });

  it('given its text in two pieces, hands them on as they are and joins them for whoever wants one view', () => {
    const { buffer, start, end } = inBuffer('{"s":"é","n":1}');
    const tail = Buffer.from(',"k":2}');
    const event = TextEvent.ofUtf8(id, buffer, start, end - 1, {}, 5, true, {}, 7, -1, tail);
    const passed = eventWith(event, { meta: { m: 1 } }) as TextEvent;
    const parts = utf8PartsHolder();
    expect(passed.utf8Parts(parts)).toBe(true);
    expect(parts.buffer).toBe(buffer);
    expect(parts.tail).toBe(tail);
    expect(parts.buffer.toString('utf8', parts.start, parts.end) + parts.tail.toString()).toBe('{"s":"é","n":1,"k":2}');
    expect(parts.crc).toBe(7);
    const held = utf8TextHolder();
    expect(passed.utf8Text(held)).toBe(true);
    expect(held.buffer.toString('utf8', held.start, held.end)).toBe('{"s":"é","n":1,"k":2}');
    expect(held.crc).toBe(7);
    // Once joined, it is one piece; the event it came from still has two.
    expect(passed.utf8Parts(parts)).toBe(true);
    expect(parts.tail.length).toBe(0);
    expect(event.utf8Parts(parts)).toBe(true);
    expect(parts.tail).toBe(tail);
    expect(event.dataJson).toBe('{"s":"é","n":1,"k":2}');
    expect(event.data).toEqual({ s: 'é', n: 1, k: 2 });
    // A piece's own buffer is not changed by any of it.
    expect(buffer.toString('utf8', start, end)).toBe('{"s":"é","n":1}');
  });

  it('drops its bytes when given another text', () => {
    const { buffer, start, end } = inBuffer('{"n":1}');
    const event = TextEvent.ofUtf8(id, buffer, start, end, {}, 5, true, {});
    event.dataJson = '{"n":3}';
    expect(event.utf8Text(utf8TextHolder())).toBe(false);
    expect(event.data).toEqual({ n: 3 });
  });

  it('a sink writes the bytes as they are, after a prefix, with the other lines of its batch', () => {
    const batch = new LineBatch(64);
    const { buffer, start, end } = inBuffer('{"s":"é"}');
    batch.add('{"a":1}');
    batch.addUtf8({ buffer, start, end, crc: -1, keys: -1 }, 'p: ');
    expect(batch.take()?.toString()).toBe('{"a":1}\np: {"s":"é"}\n');
  });
});
