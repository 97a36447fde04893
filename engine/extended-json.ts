/**
 * The JSON text of a payload a select built by adding keys to the one it got (the seed's
 * `select patch event of insert "hostname" => ... end`, a `merge` of new keys), made from the
 * incoming text instead of serialising the whole payload again: the incoming text with the new
 * keys written before its closing brace. So a changed event is serialised once (its new keys
 * only), and the text travels on as its `Event.dataJson` to the WAL's record and the sink.
 *
 * It applies only when every key of the incoming record is in the new one with the very same
 * value (`===`: expressions never change a value in place, they copy), so the text parses to the
 * new payload; anything else (a key removed or replaced) returns undefined and the payload is
 * serialised as usual. The new keys come last in the text; a JSON reader sees the same record.
 */
import { stringifyJson } from '../queries/values/json.ts';
import { isRecord, type RecordValue, type Value } from '../queries/values/value.ts';

export function extendedJson(base: Value, baseJson: string, data: Value): string | undefined {
  if (base === data || !isRecord(base) || !isRecord(data)) return undefined;
  const close = baseJson.length - 1;
  if (baseJson.charCodeAt(close) !== 0x7d /* } */) return undefined;
  let kept = 0;
  let added = '';
  for (const key in data) {
    const value = data[key];
    if (Object.hasOwn(base, key)) {
      if (base[key] !== value) return undefined;
      kept++;
    } else {
      // Left to the full serialiser, which handles an own `__proto__` key.
      if (key === '__proto__') return undefined;
      const valueJson = writable(value);
      if (valueJson === undefined) return undefined;
      added += `,${JSON.stringify(key)}:${valueJson}`;
    }
  }
  if (added === '' || kept === 0 || kept !== keyCount(base)) return undefined;
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

function keyCount(record: RecordValue): number {
  let count = 0;
  for (const _key in record) count++;
  return count;
}
