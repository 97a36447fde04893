import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import { decodeRecord, encodeRecord } from '../../operators/qos/wal/record.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

function roundTrip(data: Value): Value {
  const originalId = new EventId(3, 0, 42);
  originalId.track(new EventId(9, 1, 7));
  const decoded = decodeRecord(encodeRecord({ originalId, ingestNs: 1_763_780_000_000_000_000, opMeta: { '5': 'x' }, meta: { host: 'a' }, data }));
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
