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
import { TextEvent } from './text-event.ts';

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
