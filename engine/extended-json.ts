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
import { stringifyJson } from '../queries/values/json.ts';
import { isRecord, type Value } from '../queries/values/value.ts';

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

