/**
 * How one event is stored in the WAL (all numbers little-endian):
 *
 *   byte 0          flag `D`
 *   bytes 1..4      uint32 CRC-32 (ISO-HDLC, zlib's) of the payload's bytes (the rest, below)
 *                   followed by bytes 5 up to the payload: every byte after the checksum, the
 *                   payload first
 *   bytes 5..36     the original event's id: sourceId, streamId, eventId, then ingestNs (float64 each)
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
 * The checksum: LMDB checks nothing of what it stores, so a flipped bit in `data.mdb` would
 * otherwise be delivered as an altered payload. Why the payload first: its CRC can then be
 * computed where its bytes were read, off the engine thread (the line reader's worker does, for the
 * `file` source and `tcp_server`: `Utf8Text.crc`), and the record's checksum continues it over the
 * few header bytes (engine/crc32.ts). CRC-32 is node:zlib's `crc32` (Node >= 20.15): part
 * of Node, no native package to build, and zlib's implementation is table-driven/vectorised, a small
 * cost next to the LMDB commit (see docs/qos-wal.md for the bench figures). CRC-32C would detect the
 * same errors (every burst up to 32 bits, every 1-3 bit error at these record sizes); no package for
 * it is both maintained and free of a native build, so it would cost more than it gains here.
 * A record that fails its checksum or cannot be decoded throws DamagedRecordError (the WAL sets it
 * aside, operator.ts).
 *
 * Older records are still read: flag `C` (the same layout, its checksum over bytes 5 to the end in
 * order), flag `B` (the layout without the checksum: the id starts at byte 1) and the first format
 * (flag `J` or `X`: one JSON text
 * `{"id":[...],"ingestNs":n,"opMeta":{...},"meta":{...},"data":...}`, plain or exact). They carry no
 * checksum, so only what cannot be decoded is found damaged.
 */
import { crc32 } from 'node:zlib';
import { EventId, type TrackedRange } from '../../../engine/event-id.ts';
import type { Utf8Parts } from '../../../engine/text-event.ts';
import type { OpMeta } from '../../../engine/event.ts';
import { parseJson, stringifyJson } from '../../../queries/values/json.ts';
import { ByteSlab } from '../../../engine/byte-slab.ts';
import { crc32After } from '../../../engine/crc32.ts';
import { MetadataText } from './metadata-text.ts';
import type { RecordValue, Value } from '../../../queries/values/value.ts';

/** What a record holds besides the original event's id: an `Event` is one. */
export interface StoredEvent {
  ingestNs: number;
  opMeta: OpMeta;
  meta: RecordValue;
  data: Value;
}

type EncodedId = [number, number, number, Array<[number, number, number, number]>];

const FLAG = 'D'.charCodeAt(0);
const IN_ORDER_CHECKED_FLAG = 'C'.charCodeAt(0);
const UNCHECKED_FLAG = 'B'.charCodeAt(0);
const FIRST_FORMAT_PLAIN_FLAG = 'J'.charCodeAt(0);
const FIRST_FORMAT_EXACT_FLAG = 'X'.charCodeAt(0);
/** Where the fields after flag and checksum start (formats `D` and `C`; 1 in format `B`). */
const BODY_START = 1 + 4;
/** Flag, checksum, four float64 and the tracked-range count. */
const FIXED_BYTES = BODY_START + 4 * 8 + 4;
const RANGE_BYTES = 4 * 8;

/**
 * The record's bytes. The common case (no tracked ranges, `{}` metadata, the payload's own text)
 * builds no string at all. `payloadJson`: the payload's JSON text, as a string or as UTF-8 bytes
 * in one or two pieces (copied as they are; engine/text-event.ts); without it `event.data` is
 * serialised.
 */
export function encodeRecord(id: EventId, event: StoredEvent, payloadJson?: string | Utf8Parts, slab: ByteSlab = recordSlab): Buffer {
  const place = encodeRecordIn(id, event, payloadJson, slab, { buffer: slab.buffer, start: 0, payloadStart: 0, end: 0 });
  return place.buffer.subarray(place.start, place.end);
}

/** Where encodeRecordIn wrote a record: `buffer` from `start` to `end`, its payload's text from `payloadStart`. */
export interface RecordPlace {
  buffer: Buffer;
  start: number;
  payloadStart: number;
  end: number;
}

/**
 * As encodeRecord, without a Buffer view of the record (an object per event that the WAL would
 * keep alive until its commit): its place in `slab` is written into `place`, which is returned.
 * The byte after the record stays 0 until the next record takes it (engine/byte-slab.ts).
 */
export function encodeRecordIn(id: EventId, event: StoredEvent, payloadJson: string | Utf8Parts | undefined, slab: ByteSlab, place: RecordPlace): RecordPlace {
  const data = payloadJson ?? stringifyJson(event.data);
  const opMeta = opMetaText.of(event.opMeta as RecordValue);
  const meta = metaText.of(event.meta);
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  const dataBytes = typeof data === 'string' ? data.length * 3 : data.end - data.start + data.tail.length;
  const mostBytes = FIXED_BYTES + id.tracked.length * RANGE_BYTES + 8 + (opMeta.length + meta.length) * 3 + dataBytes;
  slab.reserve(mostBytes);
  const { buffer, start, view } = slab;
  buffer[start] = FLAG;
  let at = start + BODY_START;
  view.setFloat64(at, id.sourceId, true);
  view.setFloat64(at + 8, id.streamId, true);
  view.setFloat64(at + 16, id.eventId, true);
  view.setFloat64(at + 24, event.ingestNs, true);
  view.setUint32(at + 32, id.tracked.length, true);
  at += 36;
  // Indexed: `tracked` is usually the frozen NO_RANGES (engine/event-id.ts says why that matters).
  for (let i = 0; i < id.tracked.length; i++) {
    const range = id.tracked[i];
    view.setFloat64(at, range.sourceId, true);
    view.setFloat64(at + 8, range.streamId, true);
    view.setFloat64(at + 16, range.minEventId, true);
    view.setFloat64(at + 24, range.maxEventId, true);
    at += RANGE_BYTES;
  }
  at = writeSizedText(buffer, view, at, opMeta);
  at = writeSizedText(buffer, view, at, meta);
  const payloadAt = at;
  if (typeof data === 'string') at += buffer.write(data, at);
  else {
    at += data.buffer.copy(buffer, at, data.start, data.end);
    if (data.tail.length > 0) at += data.tail.copy(buffer, at);
  }
  const payloadCrc = typeof data !== 'string' && data.crc >= 0 ? data.crc : crc32(buffer.subarray(payloadAt, at));
  view.setUint32(start + 1, crc32After(payloadCrc, buffer, start + BODY_START, payloadAt), true);
  slab.commitAt(at);
  place.buffer = buffer;
  place.start = start;
  place.payloadStart = payloadAt;
  place.end = at;
  return place;
}

/**
 * Where the payload's JSON text starts in a record of format `D` or `C` (it runs to the end), so
 * that the WAL can emit a stored event as a view of its record (TextEvent.ofUtf8). -1 where the
 * lengths point past the record's end (a damaged record).
 */
export function payloadStart(record: Buffer): number {
  let at = FIXED_BYTES + record.readUInt32LE(FIXED_BYTES - 4) * RANGE_BYTES;
  if (at + 4 > record.length) return -1;
  at += 4 + record.readUInt32LE(at);
  if (at + 4 > record.length) return -1;
  at += 4 + record.readUInt32LE(at);
  return at > record.length ? -1 : at;
}

/** The texts of `$` and of the operator metadata, each remembered for the next record (metadata-text.ts). */
const metaText = new MetadataText();
const opMetaText = new MetadataText();

function writeSizedText(buffer: Buffer, view: DataView, at: number, text: string): number {
  const length = text === '' ? 0 : buffer.write(text, at + 4);
  view.setUint32(at, length, true);
  return at + 4 + length;
}

/**
 * Records are written one after the other into slabs, straight into place (engine/byte-slab.ts):
 * one ArrayBuffer per slab instead of one per record, which at a few hundred thousand records a
 * second is much of what the garbage collector would otherwise do for the WAL. A slab is never
 * written again, which lmdb-js needs: it keeps a pointer into a record's memory until its commit
 * is written. A WAL passes a slab of its own: its records then lie one after the other, and the
 * store writes a chunk of them as a view of that memory (chunk.ts).
 */
const recordSlab = new ByteSlab();

/** The stored event, with the payload's JSON text as it is stored (for the emitted event's `dataJson`). */
export interface DecodedRecord extends StoredEvent {
  originalId: EventId;
  dataJson: string | undefined;
}

/** A record that fails its checksum or cannot be decoded; the message says why. */
export class DamagedRecordError extends Error {}

/** The stored event; throws DamagedRecordError if the record is damaged. */
export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  return decode(bytes, true) as DecodedRecord;
}

/** A stored event whose payload may be left as its text (`data` undefined). */
export interface DecodedText extends Omit<DecodedRecord, 'data'> {
  data: Value | undefined;
}

/**
 * As decodeRecord, but the payload of a checksummed record (formats `D` and `C`) is not parsed:
 * its checksum proved it is the text the WAL stored, JSON of a value, and the event the WAL emits
 * parses it only if a node reads it (engine/text-event.ts). A WAL that reads back a large backlog
 * spent most of that time parsing payloads nobody read. Older records are parsed, as that is how
 * their damage is found.
 */
export function decodeRecordText(bytes: Uint8Array): DecodedText {
  return decode(bytes, false);
}

function decode(bytes: Uint8Array, parsePayload: boolean): DecodedText {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flag = buffer[0];
  if (flag === FLAG || flag === IN_ORDER_CHECKED_FLAG) {
    if (buffer.length < FIXED_BYTES) throw new DamagedRecordError(`record of ${buffer.length} bytes is too short`);
    const stored = buffer.readUInt32LE(1);
    const actual = flag === FLAG ? payloadFirstCrc(buffer) : crc32(buffer.subarray(BODY_START));
    if (actual < 0) throw new DamagedRecordError('its field lengths point past its end');
    if (stored !== actual) throw new DamagedRecordError(`checksum mismatch: stored ${hex(stored)}, computed ${hex(actual)}`);
  } else if (flag !== UNCHECKED_FLAG && flag !== FIRST_FORMAT_PLAIN_FLAG && flag !== FIRST_FORMAT_EXACT_FLAG) {
    throw new DamagedRecordError(`unknown record format (flag byte ${flag})`);
  }
  try {
    if (flag === FLAG || flag === IN_ORDER_CHECKED_FLAG) return decodeFields(buffer, BODY_START, parsePayload);
    if (flag === UNCHECKED_FLAG) return decodeFields(buffer, 1, true);
    return decodeFirstFormat(buffer, flag);
  } catch (error) {
    // A record that passed its checksum decodes; one without (older formats) may not.
    throw new DamagedRecordError(`cannot decode: ${(error as Error).message}`);
  }
}

/** A format `D` record's checksum as computed from its bytes (-1, matching no checksum, if its lengths are damaged). */
function payloadFirstCrc(buffer: Buffer): number {
  const payloadAt = payloadStart(buffer);
  if (payloadAt < 0) return -1;
  return crc32After(crc32(buffer.subarray(payloadAt)), buffer, BODY_START, payloadAt);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The fields of formats `D`, `C` and `B`, which start at `body`. */
function decodeFields(buffer: Buffer, body: number, parsePayload: boolean): DecodedText {
  const ingestNs = buffer.readDoubleLE(body + 24);
  const ranges = buffer.readUInt32LE(body + 32);
  const tracked: TrackedRange[] = [];
  let at = body + 36;
  for (let i = 0; i < ranges; i++, at += RANGE_BYTES) {
    tracked.push({
      sourceId: buffer.readDoubleLE(at),
      streamId: buffer.readDoubleLE(at + 8),
      minEventId: buffer.readDoubleLE(at + 16),
      maxEventId: buffer.readDoubleLE(at + 24),
    });
  }
  const originalId = new EventId(buffer.readDoubleLE(body), buffer.readDoubleLE(body + 8), buffer.readDoubleLE(body + 16), ranges === 0 ? undefined : tracked);
  const opMetaLength = buffer.readUInt32LE(at);
  const opMeta = readMetadata(buffer, at + 4, opMetaLength);
  at += 4 + opMetaLength;
  const metaLength = buffer.readUInt32LE(at);
  const meta = readMetadata(buffer, at + 4, metaLength);
  at += 4 + metaLength;
  const dataJson = buffer.toString('utf8', at);
  return { originalId, ingestNs, opMeta, meta, data: parsePayload ? parseJson(dataJson) : undefined, dataJson };
}

function readMetadata(buffer: Buffer, at: number, length: number): RecordValue {
  return length === 0 ? {} : (parseJson(buffer.toString('utf8', at, at + length)) as RecordValue);
}

function decodeFirstFormat(buffer: Buffer, flag: number): DecodedRecord {
  const text = buffer.toString('utf8', 1);
  const record = (flag === FIRST_FORMAT_PLAIN_FLAG ? JSON.parse(text) : parseJson(text)) as RecordValue;
  const [sourceId, streamId, eventId, tracked] = record.id as unknown as EncodedId;
  const ranges = tracked.map(([rangeSource, rangeStream, min, max]): TrackedRange => ({ sourceId: rangeSource, streamId: rangeStream, minEventId: min, maxEventId: max }));
  const originalId = new EventId(sourceId, streamId, eventId, ranges.length === 0 ? undefined : ranges);
  return { originalId, ingestNs: record.ingestNs as number, opMeta: record.opMeta as OpMeta, meta: record.meta as RecordValue, data: record.data, dataJson: undefined };
}
