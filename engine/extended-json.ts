/**
 * The JSON text of a payload a select built by adding keys to the one it got (the seed's
 * `select patch event of insert "hostname" => ... end`, a `merge` of new keys), made from the
 * incoming text instead of serialising the whole payload again: the incoming text with the new
 * keys written before its closing brace. So a changed event is serialised once (its new keys
 * only), and the text travels on as its `Event.dataJson` to the WAL's record and the sink.
 *
 * It applies only when every key of the incoming record is in the new one with the very same
 * value (`===`: expressions never change a value in place, they copy), first and in the same
 * order, and the new keys after them, so the text parses to the new payload with its key order;
 * anything else (a key removed, replaced or moved) returns undefined and the payload is
 * serialised as usual.
 */
import type { ConstantInserts } from '../queries/compiled-query.ts';
import { stringifyJson } from '../queries/values/json.ts';
import { isRecord, type Value } from '../queries/values/value.ts';
import type { Event } from './event.ts';
import { crc32After, crc32WithoutLast } from './crc32.ts';
import { TextEvent, utf8TextHolder, type Utf8Text } from './text-event.ts';
import { keyBit } from '../connectors/json-text.mjs';

export function extendedJson(base: Value, baseJson: string, data: Value): string | undefined {
  if (base === data || !isRecord(base) || !isRecord(data)) return undefined;
  const close = baseJson.length - 1;
  if (baseJson.charCodeAt(close) !== 0x7d /* } */) return undefined;
  // The text keeps the incoming keys first, in their order: the new record must too (a record
  // literal that lists them in another order, or a new key before an old one, is serialised).
  const baseKeys = Object.keys(base);
  let kept = 0;
  let added = '';
  for (const key in data) {
    const value = data[key];
    if (added === '' && kept < baseKeys.length && key === baseKeys[kept]) {
      if (base[key] !== value) return undefined;
      kept++;
    } else {
      // An incoming key after a new one, or out of order; an own `__proto__` key is left to the full serialiser.
      if (Object.hasOwn(base, key) || key === '__proto__') return undefined;
      const valueJson = writable(value);
      if (valueJson === undefined) return undefined;
      added += `,${JSON.stringify(key)}:${valueJson}`;
    }
  }
  if (added === '' || kept === 0 || kept !== baseKeys.length) return undefined;
  return baseJson.slice(0, close) + added + '}';
}

/** A value too deeply nested to serialise is left to the sink, which reports it with its event. */
function writable(value: Value): string | undefined {
  try {
    return stringifyJson(value);
  } catch {
    return undefined;
  }
}

/**
 * The text of `patch event of insert "k" => CONSTANT … end` (ConstantInserts) for an event with
 * its JSON text: the text with the inserts' `json` before its closing brace, or undefined when
 * that is not sure to be the patch's result (a key that exists, which the patch reports as an
 * error; a payload that is no record; a text of another shape), and the select runs as usual.
 *
 * An event whose payload is not parsed yet (a TextEvent) is not parsed to find out when the text
 * shows no key can be there: it holds no backslash (so every key in it is written as
 * JSON.stringify writes it) and none of the keys' quoted texts. Otherwise the payload is read.
 */
export function textWithInserts(event: Event, inserts: ConstantInserts): string | undefined {
  const text = event.dataJson;
  if (text === undefined) return undefined;
  const close = text.length - 1;
  // `{"`: a record with a key first (an empty record's text has no comma to come before the new keys).
  if (text.charCodeAt(0) !== 0x7b /* { */ || text.charCodeAt(1) !== 0x22 /* " */ || text.charCodeAt(close) !== 0x7d /* } */) return undefined;
  if (!(event instanceof TextEvent && keysSurelyAbsent(text, inserts.quotedKeys))) {
    const data = event.data;
    if (!isRecord(data)) return undefined;
    for (const key of inserts.keys) if (Object.hasOwn(data, key)) return undefined;
  }
  return text.slice(0, close) + inserts.json + '}';
}

function keysSurelyAbsent(text: string, quotedKeys: string[] | undefined): boolean {
  if (quotedKeys === undefined || text.includes('\\')) return false;
  for (const quoted of quotedKeys) if (text.includes(quoted)) return false;
  return true;
}

/**
 * The select's output for `patch event of insert "k" => CONSTANT … end` (ConstantInserts), when
 * it can be made from the incoming text alone (see textWithInserts), else undefined. An event that
 * holds its text as UTF-8 bytes (a source's line, engine/text-event.ts) gets the new text as bytes
 * in two pieces: a view of the incoming bytes up to their closing brace, then the inserts' bytes
 * and the brace (the same bytes for every event); nothing is copied here, and no string of either
 * text is made. The WAL copies both pieces into its record. Decoding each line to a string only
 * to extend it made the seed's flow 12% slower than when lines came as strings; copying the line
 * into a new buffer here was 0.3 us of the select's 1.7 us per event.
 */
export function eventWithInserts(event: Event, inserts: ConstantInserts): Event | undefined {
  if (event instanceof TextEvent && event.utf8Text(held)) {
    const encoded = bytesOfInserts(held, inserts);
    if (encoded !== undefined) {
      const { added } = encoded;
      // The line's CRC (from the reader's thread), back over its closing brace and on over what
      // was put in its place: the WAL then takes no CRC of the new text (engine/crc32.ts).
      const crc = held.crc < 0 ? -1 : crc32After(crc32WithoutLast(held.crc, 0x7d), added, 0, added.length);
      const keys = held.keys === -1 ? -1 : held.keys | encoded.keyBits;
      return TextEvent.ofUtf8(event.id, held.buffer, held.start, held.end - 1, event.meta, event.ingestNs, event.transactional, event.opMeta, crc, keys, added);
    }
  }
  const text = textWithInserts(event, inserts);
  return text === undefined ? undefined : new TextEvent(event.id, text, event.meta, event.ingestNs, event.transactional, event.opMeta);
}

const held = utf8TextHolder();
/** What the byte path needs of a ConstantInserts, made once for each. */
interface InsertBytes {
  /** The inserts' bytes and the closing brace: what takes the place of the text's closing brace. */
  added: Buffer;
  /** The quoted keys' bytes, to search for. */
  quotedKeys: Buffer[];
  /** The keys' bits in a key set (`Utf8Text.keys`). */
  keyBits: number;
}

const insertBytes = new WeakMap<ConstantInserts, InsertBytes>();

/**
 * The inserts' bytes when they apply to the text, or undefined when the bytes alone cannot tell
 * that they do (another shape, an escape, a key that may be there): then textWithInserts decides.
 * A text whose key set is known (the reader's thread made it) and lacks the keys' bits surely
 * lacks the keys: no search through its bytes.
 */
function bytesOfInserts(text: Utf8Text, inserts: ConstantInserts): InsertBytes | undefined {
  const { buffer, start, end, keys } = text;
  // `{"` ... `}`, as in textWithInserts.
  if (end - start < 2 || buffer[start] !== 0x7b || buffer[start + 1] !== 0x22 || buffer[end - 1] !== 0x7d || inserts.quotedKeys === undefined) return undefined;
  let encoded = insertBytes.get(inserts);
  if (encoded === undefined) {
    const keyBits = inserts.keys.reduce((bits, key) => {
      const bytes = Buffer.from(key);
      return bits | keyBit(bytes, 0, bytes.length);
    }, 0);
    encoded = { added: Buffer.from(`${inserts.json}}`), quotedKeys: inserts.quotedKeys.map((quoted) => Buffer.from(quoted)), keyBits };
    insertBytes.set(inserts, encoded);
  }
  if (keys !== -1 && (keys & encoded.keyBits) === 0) return encoded;
  // Searched as bytes: a string argument would be encoded again by every search.
  const view = buffer.subarray(start, end);
  if (view.indexOf(0x5c /* \ */) !== -1) return undefined;
  for (const quoted of encoded.quotedKeys) if (view.indexOf(quoted) !== -1) return undefined;
  return encoded;
}
