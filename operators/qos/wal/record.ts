/**
 * How one event is stored in the WAL: the JSON text (int/float exact, see queries/values/json.ts) of
 *
 *   {"id":[sourceId, streamId, eventId, [[sourceId, streamId, minEventId, maxEventId], ...]],
 *    "ingestNs":<int>, "opMeta":{...}, "meta":{...}, "data":<value>}
 *
 * `id` is the original event's id (with what it tracks) so that the re-emitted event can track it.
 * The `transactional` flag is not stored: every event leaves the WAL transactional.
 * Binary values (`Uint8Array`) are stored as arrays of byte integers, as JSON has no binary type.
 */
import { EventId } from '../../../engine/event-id.ts';
import type { OpMeta } from '../../../engine/event.ts';
import { parseJson, stringifyJson } from '../../../queries/values/json.ts';
import type { RecordValue, Value } from '../../../queries/values/value.ts';

export interface StoredEvent {
  originalId: EventId;
  ingestNs: number;
  opMeta: OpMeta;
  meta: RecordValue;
  data: Value;
}

type EncodedId = [number, number, number, Array<[number, number, number, number]>];

export function encodeRecord(event: StoredEvent): Buffer {
  const id = event.originalId;
  const encodedId: EncodedId = [
    id.sourceId,
    id.streamId,
    id.eventId,
    id.tracked.map((range) => [range.sourceId, range.streamId, range.minEventId, range.maxEventId]),
  ];
  const record: RecordValue = {
    id: encodedId as unknown as Value,
    ingestNs: event.ingestNs,
    opMeta: event.opMeta as RecordValue,
    meta: event.meta,
    data: event.data,
  };
  return Buffer.from(stringifyJson(record));
}

export function decodeRecord(bytes: Uint8Array): StoredEvent {
  const record = parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as RecordValue;
  const [sourceId, streamId, eventId, tracked] = record.id as unknown as EncodedId;
  const originalId = new EventId(sourceId, streamId, eventId);
  for (const [rangeSource, rangeStream, min, max] of tracked) {
    originalId.tracked.push({ sourceId: rangeSource, streamId: rangeStream, minEventId: min, maxEventId: max });
  }
  return {
    originalId,
    ingestNs: record.ingestNs as number,
    opMeta: record.opMeta as OpMeta,
    meta: record.meta as RecordValue,
    data: record.data,
  };
}
