/**
 * How one event is stored in the WAL (all numbers little-endian):
 *
 *   byte 0          flag `B`
 *   bytes 1..32     the original event's id: sourceId, streamId, eventId, then ingestNs (float64 each)
 *   uint32          how many ranges the id tracks, then 4 float64 per range
 *                   (sourceId, streamId, minEventId, maxEventId)
 *   uint32 + bytes  the operator metadata (`opMeta`) as JSON text; length 0 means `{}`
 *   uint32 + bytes  the event metadata (`$`) as JSON text; length 0 means `{}`
 *   rest            the payload as JSON text (UTF-8)
 *
 * JSON texts are int/float exact (queries/values/json.ts). The id (with what it tracks) is the
 * original event's, so that the re-emitted event can track it. The `transactional` flag is not
 * stored: every event leaves the WAL transactional. Binary values (`Uint8Array`) are stored as
 * arrays of byte integers, as JSON has no binary type.
 *
 * Why this shape: the fixed fields cost no text to build or parse, and the payload comes last and
 * whole, so that it costs nothing to encode when the event still carries the JSON text it came in
 * as (`Event.dataJson`): that text is stored as it is. Reading it back, the text becomes the emitted
 * event's `dataJson`, so a JSON sink downstream does not serialise the payload either.
 *
 * Records of the first format (flag `J` or `X`: one JSON text
 * `{"id":[...],"ingestNs":n,"opMeta":{...},"meta":{...},"data":...}`, plain or exact) are still read.
 */
import { EventId } from '../../../engine/event-id.ts';
import type { OpMeta } from '../../../engine/event.ts';
import { parseJson, stringifyJson } from '../../../queries/values/json.ts';
import { isEmptyRecord, type RecordValue, type Value } from '../../../queries/values/value.ts';

/** What a record holds besides the original event's id: an `Event` is one. */
export interface StoredEvent {
  ingestNs: number;
  opMeta: OpMeta;
  meta: RecordValue;
  data: Value;
}

type EncodedId = [number, number, number, Array<[number, number, number, number]>];

const FLAG = 'B'.charCodeAt(0);
const FIRST_FORMAT_PLAIN_FLAG = 'J'.charCodeAt(0);
const FIRST_FORMAT_EXACT_FLAG = 'X'.charCodeAt(0);
/** Flag, four float64 and the tracked-range count. */
const FIXED_BYTES = 1 + 4 * 8 + 4;
const RANGE_BYTES = 4 * 8;

/**
 * The record's bytes. The common case (no tracked ranges, `{}` metadata, the payload's own text)
 * builds no string at all.
 */
export function encodeRecord(id: EventId, event: StoredEvent, dataJson?: string): Buffer {
  const data = dataJson ?? stringifyJson(event.data);
  const opMeta = metadataJson(event.opMeta as RecordValue);
  const meta = metadataJson(event.meta);
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  const mostBytes = FIXED_BYTES + id.tracked.length * RANGE_BYTES + 8 + (opMeta.length + meta.length + data.length) * 3;
  recordSlab.reserve(mostBytes);
  const { buffer, start } = recordSlab;
  buffer[start] = FLAG;
  let at = buffer.writeDoubleLE(id.sourceId, start + 1);
  at = buffer.writeDoubleLE(id.streamId, at);
  at = buffer.writeDoubleLE(id.eventId, at);
  at = buffer.writeDoubleLE(event.ingestNs, at);
  at = buffer.writeUInt32LE(id.tracked.length, at);
  for (const range of id.tracked) {
    at = buffer.writeDoubleLE(range.sourceId, at);
    at = buffer.writeDoubleLE(range.streamId, at);
    at = buffer.writeDoubleLE(range.minEventId, at);
    at = buffer.writeDoubleLE(range.maxEventId, at);
  }
  at = writeSizedText(buffer, at, opMeta);
  at = writeSizedText(buffer, at, meta);
  at += buffer.write(data, at);
  return recordSlab.commit(at);
}

/** `''` for `{}` (the usual `$` and operator metadata of an event entering a WAL). */
function metadataJson(value: RecordValue): string {
  return isEmptyRecord(value) ? '' : stringifyJson(value);
}

function writeSizedText(buffer: Buffer, at: number, text: string): number {
  if (text === '') return buffer.writeUInt32LE(0, at);
  const length = buffer.write(text, at + 4);
  buffer.writeUInt32LE(length, at);
  return at + 4 + length;
}

const SLAB_BYTES = 1 << 20;

/**
 * Records are written one after the other into 1 MiB slabs, straight into place: one ArrayBuffer
 * per slab instead of one per record (`Buffer.from` takes 8 KB pool pieces), which at a few hundred
 * thousand records a second is much of what the garbage collector would otherwise do for the WAL.
 * A slab is never written again once full: lmdb-js keeps a pointer into a record's memory until its
 * commit is written, so a slab is freed only when no record in it is referenced any more.
 */
class RecordSlab {
  /** Where the record being written goes: `buffer` from `start` on (set by `reserve`). */
  buffer: Buffer;
  start = 0;
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private used = 0;

  constructor() {
    this.buffer = this.slab;
  }

  /** Room for at most `bytes` bytes at `buffer`/`start`; `commit` then says where the record ended. */
  reserve(bytes: number): void {
    if (bytes > SLAB_BYTES / 4) {
      // A record too big for a slab gets a buffer of its own.
      this.buffer = Buffer.allocUnsafe(bytes);
      this.start = 0;
      return;
    }
    if (this.used + bytes > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.used = 0;
    }
    this.buffer = this.slab;
    this.start = this.used;
  }

  commit(end: number): Buffer {
    if (this.buffer === this.slab) this.used = end;
    return this.buffer.subarray(this.start, end);
  }
}

const recordSlab = new RecordSlab();

/** The stored event, with the payload's JSON text as it is stored (for the emitted event's `dataJson`). */
export interface DecodedRecord extends StoredEvent {
  originalId: EventId;
  dataJson: string | undefined;
}

export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flag = buffer[0];
  if (flag === FIRST_FORMAT_PLAIN_FLAG || flag === FIRST_FORMAT_EXACT_FLAG) return decodeFirstFormat(buffer, flag);
  if (flag !== FLAG) throw new Error(`unknown WAL record format (flag byte ${flag})`);
  const originalId = new EventId(buffer.readDoubleLE(1), buffer.readDoubleLE(9), buffer.readDoubleLE(17));
  const ingestNs = buffer.readDoubleLE(25);
  const ranges = buffer.readUInt32LE(33);
  let at = FIXED_BYTES;
  for (let i = 0; i < ranges; i++, at += RANGE_BYTES) {
    originalId.tracked.push({
      sourceId: buffer.readDoubleLE(at),
      streamId: buffer.readDoubleLE(at + 8),
      minEventId: buffer.readDoubleLE(at + 16),
      maxEventId: buffer.readDoubleLE(at + 24),
    });
  }
  const opMetaLength = buffer.readUInt32LE(at);
  const opMeta = readMetadata(buffer, at + 4, opMetaLength);
  at += 4 + opMetaLength;
  const metaLength = buffer.readUInt32LE(at);
  const meta = readMetadata(buffer, at + 4, metaLength);
  at += 4 + metaLength;
  const dataJson = buffer.toString('utf8', at);
  return { originalId, ingestNs, opMeta, meta, data: parseJson(dataJson), dataJson };
}

function readMetadata(buffer: Buffer, at: number, length: number): RecordValue {
  return length === 0 ? {} : (parseJson(buffer.toString('utf8', at, at + length)) as RecordValue);
}

function decodeFirstFormat(buffer: Buffer, flag: number): DecodedRecord {
  const text = buffer.toString('utf8', 1);
  const record = (flag === FIRST_FORMAT_PLAIN_FLAG ? JSON.parse(text) : parseJson(text)) as RecordValue;
  const [sourceId, streamId, eventId, tracked] = record.id as unknown as EncodedId;
  const originalId = new EventId(sourceId, streamId, eventId);
  for (const [rangeSource, rangeStream, min, max] of tracked) {
    originalId.tracked.push({ sourceId: rangeSource, streamId: rangeStream, minEventId: min, maxEventId: max });
  }
  return { originalId, ingestNs: record.ingestNs as number, opMeta: record.opMeta as OpMeta, meta: record.meta as RecordValue, data: record.data, dataJson: undefined };
}
