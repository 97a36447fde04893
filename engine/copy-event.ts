/**
 * Copies made when one event fans out to several links. Downstream nodes may change the payload
 * they get (a script's `let event.x = ...`), so each branch but the last gets its own copy, as
 * Tremor clones for all but the last destination.
 */
import type { Event } from './event.ts';
import { FloatValue, type RecordValue, type Value } from '../queries/values/value.ts';

export function copyEvent(event: Event): Event {
  return {
    id: event.id,
    data: copyValue(event.data),
    // The copy holds the same value, so the same text.
    dataJson: event.dataJson,
    meta: copyValue(event.meta) as RecordValue,
    ingestNs: event.ingestNs,
    transactional: event.transactional,
    opMeta: event.opMeta,
  };
}

export function copyValue(value: Value): Value {
  if (typeof value !== 'object' || value === null || value instanceof FloatValue) return value;
  if (Array.isArray(value)) return value.map(copyValue);
  if (value instanceof Uint8Array) return value.slice();
  const copy: RecordValue = {};
  for (const key in value) {
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyValue(value[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyValue(value[key]);
  }
  return copy;
}
