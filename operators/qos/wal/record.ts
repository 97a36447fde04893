/**
 * How one event is stored in the WAL: one flag byte, then the JSON text (int/float exact, see
 * queries/values/json.ts) of
 *
 *   {"id":[sourceId, streamId, eventId, [[sourceId, streamId, minEventId, maxEventId], ...]],
 *    "ingestNs":<int>, "opMeta":{...}, "meta":{...}, "data":<value>}
 *
 * `id` is the original event's id (with what it tracks) so that the re-emitted event can track it.
 * The `transactional` flag is not stored: every event leaves the WAL transactional.
 * Binary values (`Uint8Array`) are stored as arrays of byte integers, as JSON has no binary type.
 *
 * The flag byte is `J` when the record holds no integral float (`6.0`) and no binary: then plain
 * `JSON.stringify`/`JSON.parse` write and read it exactly, several times faster than the exact
 * parser and writer; `X` otherwise (written by stringifyJson, read by parseJson). (parseJson's
 * own fast-path test looks at the text and falls back to the exact parser for any digit followed
 * by an `e`, which GUIDs and hex strings inside string values are full of.)
 */
import { EventId } from '../../../engine/event-id.ts';
import type { OpMeta } from '../../../engine/event.ts';
import { parseJson, stringifyJson } from '../../../queries/values/json.ts';
import { FloatValue, type RecordValue, type Value } from '../../../queries/values/value.ts';

export interface StoredEvent {
  originalId: EventId;
  ingestNs: number;
  opMeta: OpMeta;
  meta: RecordValue;
  data: Value;
}

type EncodedId = [number, number, number, Array<[number, number, number, number]>];

const PLAIN_FLAG = 'J';
const EXACT_FLAG = 'X';

/**
 * The record's bytes. The common case costs one `JSON.stringify` per part, concatenated in the
 * record's key order (the same text `JSON.stringify` of the whole record gives), with no walk of
 * the values: only a part whose text could hide an integral float or binary is walked.
 */
export function encodeRecord(event: StoredEvent): Buffer {
  const opMeta = plainJson(event.opMeta as RecordValue);
  const meta = plainJson(event.meta);
  const data = plainJson(event.data);
  if (opMeta === undefined || meta === undefined || data === undefined) return Buffer.from(EXACT_FLAG + stringifyJson(recordValue(event)));
  return Buffer.from(`${PLAIN_FLAG}{"id":${encodeId(event.originalId)},"ingestNs":${event.ingestNs},"opMeta":${opMeta},"meta":${meta},"data":${data}}`);
}

function encodeId(id: EventId): string {
  let tracked = '';
  for (const range of id.tracked) {
    tracked += `${tracked === '' ? '' : ','}[${range.sourceId},${range.streamId},${range.minEventId},${range.maxEventId}]`;
  }
  return `[${id.sourceId},${id.streamId},${id.eventId},[${tracked}]]`;
}

function recordValue(event: StoredEvent): RecordValue {
  const id = event.originalId;
  const encodedId: EncodedId = [
    id.sourceId,
    id.streamId,
    id.eventId,
    id.tracked.map((range) => [range.sourceId, range.streamId, range.minEventId, range.maxEventId]),
  ];
  return { id: encodedId as unknown as Value, ingestNs: event.ingestNs, opMeta: event.opMeta as RecordValue, meta: event.meta, data: event.data };
}

/**
 * `JSON.stringify(value)`, or undefined when `value` holds an integral float or binary, which plain
 * JSON cannot round-trip. Such values stringify as `{"value":6}` (FloatValue) and `{}` or
 * `{"0":...}` (Uint8Array), so text with none of these holds none of them and needs no walk.
 */
function plainJson(value: Value): string | undefined {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return undefined;
  const mayHideBoxedValue = text.includes('{"value":') || text.includes('{"0":') || text.includes('{}');
  return mayHideBoxedValue && hasBoxedValue(value) ? undefined : text;
}

/** An integral float or binary: values plain JSON cannot round-trip. */
function hasBoxedValue(value: Value): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof FloatValue || value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (hasBoxedValue(item)) return true;
    return false;
  }
  for (const key in value) if (hasBoxedValue(value[key])) return true;
  return false;
}

export function decodeRecord(bytes: Uint8Array): StoredEvent {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', 1);
  const record = (bytes[0] === PLAIN_FLAG.charCodeAt(0) ? JSON.parse(text) : parseJson(text)) as RecordValue;
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
