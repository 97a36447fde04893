import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { DamagedRecordError, decodeRecord, encodeRecord, encodeRecordIn, payloadStart } from '../../operators/qos/wal/record.ts';
import { ByteSlab } from '../../engine/byte-slab.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

function roundTrip(data: Value): Value {
  const originalId = new EventId(3, 0, 42);
  originalId.track(new EventId(9, 1, 7));
  const decoded = decodeRecord(encodeRecord(originalId, { ingestNs: 1_763_780_000_000_000_000, opMeta: { '5': 'x' }, meta: { host: 'a' }, data }));
  expect(decoded.originalId.rangeFor(9, 1)).toEqual({ min: 7, max: 7 });
  expect(decoded.originalId.rangeFor(3)).toEqual({ min: 42, max: 42 });
  expect(decoded.opMeta).toEqual({ '5': 'x' });
  expect(decoded.meta).toEqual({ host: 'a' });
  expect(decoded.ingestNs).toBe(1_763_780_000_000_000_000);
  return decoded.data;
}

describe('WAL record encoding', () => {
  it('keeps integral floats as floats and integers as integers', () => {
    const data = { float: new FloatValue(6), int: 6, fraction: 1.5, nested: [new FloatValue(1e3), 'guid-9e1f'] };
    expect(stringifyJson(roundTrip(data))).toBe('{"float":6.0,"int":6,"fraction":1.5,"nested":[1000.0,"guid-9e1f"]}');
  });

  it('reads plain records (no integral float) back exactly, whatever their strings hold', () => {
    const data = { guid: 'a95bb929-2567-4066-8e23-8bf532665121', text: 'value 1e5 and 2.0 inside a string', n: 7, x: 0.25 };
    expect(roundTrip(data)).toEqual(data);
  });
});

describe('WAL record payload text', () => {
  const originalId = new EventId(3, 0, 42);
  const header = { ingestNs: 5, opMeta: {}, meta: { m: new FloatValue(2) } };

  it('stores an event’s own JSON text as it is and gives it back as the payload text', () => {
    const text = '{"price": 1.50, "f":6.0, "big":12345678901234567890}';
    // Integers past 2^53 are exact (a bigint), as the JSON codec reads them.
    const data = { price: 1.5, f: new FloatValue(6), big: 12345678901234567890n };
    const bytes = encodeRecord(originalId, { ...header, data }, text);
    expect(bytes.toString('utf8').endsWith(text)).toBe(true);
    const decoded = decodeRecord(bytes);
    expect(decoded.dataJson).toBe(text);
    expect(decoded.data).toEqual(data);
    expect(decoded.meta).toEqual({ m: new FloatValue(2) });
  });

  it('serialises the payload when there is no text, and reads that text back', () => {
    const decoded = decodeRecord(encodeRecord(originalId, { ...header, data: { f: new FloatValue(6), s: 'a\nb' } }));
    expect(decoded.dataJson).toBe('{"f":6.0,"s":"a\\nb"}');
    expect(decoded.data).toEqual({ f: new FloatValue(6), s: 'a\nb' });
  });

  it('keeps records apart however they share buffers, a record bigger than a quarter MiB included', () => {
    const texts = ['{"a":1}', `{"big":"${'x'.repeat(300_000)}"}`, '{"b":"é"}', '{"c":3}'];
    const records = texts.map((text, n) => encodeRecord(new EventId(3, 0, n), { ...header, data: JSON.parse(text) as Value }, text));
    records.forEach((bytes, n) => {
      const decoded = decodeRecord(bytes);
      expect(decoded.dataJson).toBe(texts[n]);
      expect(decoded.originalId.eventId).toBe(n);
    });
  });

  it('still reads records of the first format (one JSON text, flag J or X)', () => {
    const id = '[3,0,42,[[9,1,7,7]]]';
    const plain = decodeRecord(Buffer.from(`J{"id":${id},"ingestNs":5,"opMeta":{},"meta":{},"data":{"n":1}}`));
    expect(plain.data).toEqual({ n: 1 });
    expect(plain.dataJson).toBeUndefined();
    expect(plain.originalId.rangeFor(9, 1)).toEqual({ min: 7, max: 7 });
    const exact = decodeRecord(Buffer.from(`X{"id":${id},"ingestNs":5,"opMeta":{},"meta":{},"data":{"f":6.0}}`));
    expect(exact.data).toEqual({ f: new FloatValue(6) });
  });

  it('still reads records of format B (no checksum): format D with the checksum bytes left out', () => {
    const checked = encodeRecord(originalId, { ...header, data: { n: 1 } }, '{"n":1}');
    const unchecked = Buffer.concat([Buffer.from('B'), checked.subarray(5)]);
    const decoded = decodeRecord(unchecked);
    expect({ data: decoded.data, dataJson: decoded.dataJson, id: decoded.originalId.eventId }).toEqual({ data: { n: 1 }, dataJson: '{"n":1}', id: 42 });
  });
});

describe('WAL record checksum', () => {
  const originalId = new EventId(3, 0, 42);
  const header = { ingestNs: 5, opMeta: { '2': 'o' }, meta: { m: 1 } };

  it('is format D: flag, then the CRC-32 of every byte after it, the payload first', () => {
    const bytes = encodeRecord(originalId, { ...header, data: { n: 1 } }, '{"n":1}');
    expect(String.fromCharCode(bytes[0])).toBe('D');
    const payloadAt = bytes.length - '{"n":1}'.length;
    expect(payloadStart(bytes)).toBe(payloadAt);
    expect(bytes.readUInt32LE(1)).toBe(crc32(Buffer.concat([bytes.subarray(payloadAt), bytes.subarray(5, payloadAt)])));
  });

  it('written in place in a slab, is where it says, the same bytes as encodeRecord, and never followed by a newline', () => {
    const slab = new ByteSlab();
    // The slab's memory as it might be before a record is written: newlines everywhere.
    slab.buffer.fill(10);
    const place = { buffer: Buffer.alloc(0), start: 0, payloadStart: 0, end: 0 };
    const texts = ['{"n":1}', '{"s":"é"}', '[1,2]'];
    const places = texts.map((text, n) => {
      const at = encodeRecordIn(new EventId(3, 0, n), { ...header, data: null }, text, slab, place);
      // A view of the payload must not see a newline after it that the next record overwrites.
      expect(at.buffer[at.end]).not.toBe(10);
      return { ...at };
    });
    places.forEach((at, n) => {
      // One after the other in the same slab, each as encodeRecord writes it.
      if (n > 0) expect(at.start).toBe(places[n - 1].end);
      expect(at.buffer).toBe(places[0].buffer);
      const bytes = at.buffer.subarray(at.start, at.end);
      expect(Buffer.from(bytes)).toEqual(Buffer.from(encodeRecord(new EventId(3, 0, n), { ...header, data: null }, texts[n])));
      expect(at.payloadStart - at.start).toBe(payloadStart(bytes));
      expect(at.buffer.toString('utf8', at.payloadStart, at.end)).toBe(texts[n]);
    });
  });

  it('is the same record whether the payload comes as text or as bytes with the CRC their reader computed', () => {
    const text = '{"s":"é","n":1}';
    const fromText = Buffer.from(encodeRecord(originalId, { ...header, data: null }, text));
    const read = Buffer.from(`junk${text}junk`);
    const utf8 = { buffer: read, start: 4, end: 4 + Buffer.byteLength(text), tail: Buffer.alloc(0), keys: -1 };
    const fromBytes = Buffer.from(encodeRecord(originalId, { ...header, data: null }, { ...utf8, crc: crc32(read.subarray(utf8.start, utf8.end)) }));
    const fromBytesUnknownCrc = Buffer.from(encodeRecord(originalId, { ...header, data: null }, { ...utf8, crc: -1 }));
    // In two pieces, as a select that adds keys hands them on: the view up to `,"n"`, then the rest.
    const split = 4 + Buffer.byteLength('{"s":"é"');
    const fromTwoPieces = Buffer.from(encodeRecord(originalId, { ...header, data: null }, { buffer: read, start: 4, end: split, tail: Buffer.from(',"n":1}'), crc: -1, keys: -1 }));
    expect(fromBytes).toEqual(fromText);
    expect(fromBytesUnknownCrc).toEqual(fromText);
    expect(fromTwoPieces).toEqual(fromText);
    expect(decodeRecord(fromBytes).dataJson).toBe(text);
  });

  it('still reads records of format C (the checksum over the bytes in order)', () => {
    const bytes = Buffer.from(encodeRecord(originalId, { ...header, data: { n: 1 } }, '{"n":1}'));
    bytes[0] = 'C'.charCodeAt(0);
    bytes.writeUInt32LE(crc32(bytes.subarray(5)), 1);
    expect(decodeRecord(bytes).dataJson).toBe('{"n":1}');
    bytes[bytes.length - 2] ^= 1;
    expect(() => decodeRecord(bytes)).toThrow(DamagedRecordError);
  });

  it('finds a record damaged whose field lengths point past its end', () => {
    const bytes = Buffer.from(encodeRecord(originalId, { ...header, data: { n: 1 } }, '{"n":1}'));
    // The `$` length (after the fixed fields and the operator metadata).
    const opMetaLength = bytes.readUInt32LE(41);
    bytes.writeUInt32LE(1_000_000, 45 + opMetaLength);
    expect(() => decodeRecord(bytes)).toThrow('its field lengths point past its end');
  });

  it('rejects a record with any single bit flipped, wherever it is, as damaged', () => {
    const bytes = Buffer.from(encodeRecord(originalId, { ...header, data: { text: 'a payload' } }, '{"text":"a payload"}'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        const damaged = Buffer.from(bytes);
        damaged[bit >> 3] ^= 1 << (bit & 7);
        expect(() => decodeRecord(damaged)).toThrow(DamagedRecordError);
      }),
      { numRuns: bytes.length * 8 },
    );
  });

  it('reports why: checksum mismatch, unknown flag, too short, undecodable older record', () => {
    const bytes = Buffer.from(encodeRecord(originalId, { ...header, data: 1 }, '1'));
    bytes[bytes.length - 1] = '2'.charCodeAt(0);
    expect(() => decodeRecord(bytes)).toThrow(/^checksum mismatch: stored [0-9a-f]{8}, computed [0-9a-f]{8}$/);
    expect(() => decodeRecord(Buffer.from('Q'))).toThrow('unknown record format (flag byte 81)');
    expect(() => decodeRecord(Buffer.from('C123'))).toThrow('record of 4 bytes is too short');
    expect(() => decodeRecord(Buffer.from('J{"id":'))).toThrow(/^cannot decode: /);
    expect(() => decodeRecord(Buffer.from('B'))).toThrow(DamagedRecordError);
  });
});
