/**
 * How one event is stored in the WAL: one flag byte, the JSON text (int/float exact, see
 * queries/values/json.ts) of the record's header
 *
 *   {"id":[sourceId, streamId, eventId, [[sourceId, streamId, minEventId, maxEventId], ...]],
 *    "ingestNs":<int>, "opMeta":{...}, "meta":{...}}
 *
 * then a newline (never inside the header: JSON text escapes it) and the JSON text of the payload.
 *
 * `id` is the original event's id (with what it tracks) so that the re-emitted event can track it.
 * The `transactional` flag is not stored: every event leaves the WAL transactional.
 * Binary values (`Uint8Array`) are stored as arrays of byte integers, as JSON has no binary type.
 *
 * The payload is apart so that it costs nothing to encode when the event still carries the JSON text
 * it came in as (`Event.dataJson`): the text is stored as it is. Reading it back, that text becomes
 * the emitted event's `dataJson`, so a JSON sink downstream does not serialise the payload either.
 * The payload is read with parseJson (exact). The flag says how the header is written: `H` when
 * plain `JSON.stringify`/`JSON.parse` round-trip it (no integral float, no binary: nearly always),
 * `E` otherwise (stringifyJson/parseJson).
 *
 * Records of the first format (flag `J` or `X`: one JSON text `{...header, "data": payload}`,
 * plain or exact) are still read.
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

const PLAIN_HEADER_FLAG = 'H';
const EXACT_HEADER_FLAG = 'E';
const FIRST_FORMAT_PLAIN_FLAG = 'J'.charCodeAt(0);
const FIRST_FORMAT_EXACT_FLAG = 'X'.charCodeAt(0);
const SEPARATOR = 10;

/**
 * The record's bytes. The common case costs one `JSON.stringify` of each small header part and
 * none of the payload when the event carries its JSON text (`dataJson`); only a part whose text
 * could hide an integral float or binary is walked.
 */
export function encodeRecord(event: StoredEvent, dataJson?: string): Buffer {
  const data = dataJson ?? stringifyJson(event.data);
  const plainOpMeta = plainJson(event.opMeta as RecordValue);
  const plainMeta = plainJson(event.meta);
  const flag = plainOpMeta === undefined || plainMeta === undefined ? EXACT_HEADER_FLAG : PLAIN_HEADER_FLAG;
  const opMeta = plainOpMeta ?? stringifyJson(event.opMeta as RecordValue);
  const meta = plainMeta ?? stringifyJson(event.meta);
  return recordSlab.write(`${flag}{"id":${encodeId(event.originalId)},"ingestNs":${event.ingestNs},"opMeta":${opMeta},"meta":${meta}}\n`, data);
}

const SLAB_BYTES = 1 << 20;

/**
 * Records are written one after the other into 1 MiB slabs, header and payload text straight into
 * place: no joined string to flatten, and one ArrayBuffer per slab instead of one per record
 * (`Buffer.from` takes 8 KB pool pieces), which at a few hundred thousand records a second is most
 * of what the garbage collector would otherwise do for the WAL. A slab is never written again once
 * full: lmdb-js keeps a pointer into a record's memory until its commit is written, so a slab is
 * freed only when no record in it is referenced any more.
 */
class RecordSlab {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private used = 0;

  write(header: string, data: string): Buffer {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const mostBytes = (header.length + data.length) * 3;
    if (mostBytes > SLAB_BYTES / 4) return Buffer.from(header + data);
    if (this.used + mostBytes > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.used = 0;
    }
    const start = this.used;
    let end = start + this.slab.write(header, start);
    end += this.slab.write(data, end);
    this.used = end;
    return this.slab.subarray(start, end);
  }
}

const recordSlab = new RecordSlab();

function encodeId(id: EventId): string {
  let tracked = '';
  for (const range of id.tracked) {
    tracked += `${tracked === '' ? '' : ','}[${range.sourceId},${range.streamId},${range.minEventId},${range.maxEventId}]`;
  }
  return `[${id.sourceId},${id.streamId},${id.eventId},[${tracked}]]`;
}

/**
 * `JSON.stringify(value)`, or undefined when `value` holds an integral float or binary, which plain
 * JSON cannot round-trip. Such values stringify as `{"value":6}` (FloatValue) and `{}` or
 * `{"0":...}` (Uint8Array), so text with none of these holds none of them and needs no walk.
 */
function plainJson(value: Value): string | undefined {
  // `{}`: the usual `$` and operator metadata of an event entering a WAL.
  if (isEmptyRecord(value)) return '{}';
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return undefined;
  const mayHideBoxedValue = text.includes('{"value":') || text.includes('{"0":') || text.includes('{}');
  return mayHideBoxedValue && hasBoxedValue(value) ? undefined : text;
}

function isEmptyRecord(value: Value): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array || value instanceof FloatValue) return false;
  for (const _key in value) return false;
  return true;
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

/** The stored event, with the payload's JSON text as it is stored (for the emitted event's `dataJson`). */
export interface DecodedRecord extends StoredEvent {
  dataJson: string | undefined;
}

export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flag = buffer[0];
  if (flag === FIRST_FORMAT_PLAIN_FLAG || flag === FIRST_FORMAT_EXACT_FLAG) {
    const text = buffer.toString('utf8', 1);
    const record = (flag === FIRST_FORMAT_PLAIN_FLAG ? JSON.parse(text) : parseJson(text)) as RecordValue;
    return storedEvent(record, record.data, undefined);
  }
  const separator = buffer.indexOf(SEPARATOR);
  const headerText = buffer.toString('utf8', 1, separator);
  const header = (flag === PLAIN_HEADER_FLAG.charCodeAt(0) ? JSON.parse(headerText) : parseJson(headerText)) as RecordValue;
  const dataJson = buffer.toString('utf8', separator + 1);
  return storedEvent(header, parseJson(dataJson), dataJson);
}

function storedEvent(header: RecordValue, data: Value, dataJson: string | undefined): DecodedRecord {
  const [sourceId, streamId, eventId, tracked] = header.id as unknown as EncodedId;
  const originalId = new EventId(sourceId, streamId, eventId);
  for (const [rangeSource, rangeStream, min, max] of tracked) {
    originalId.tracked.push({ sourceId: rangeSource, streamId: rangeStream, minEventId: min, maxEventId: max });
  }
  return { originalId, ingestNs: header.ingestNs as number, opMeta: header.opMeta as OpMeta, meta: header.meta as RecordValue, data, dataJson };
}
