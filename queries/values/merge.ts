/**
 * Deep merge (trickle-spec §5.4, RFC 7386 flavour), copy-on-write: neither input is modified.
 */
import { isRecord, type Value } from './value.ts';
import { copyRecord, setKey } from './ops.ts';

/** Merges `spec` into `target`: null in spec removes a key; records merge recursively; anything else replaces. */
export function mergeValues(target: Value, spec: Value): Value {
  if (!isRecord(target) || !isRecord(spec)) return spec;
  const result = copyRecord(target);
  for (const key of Object.keys(spec)) {
    const value = spec[key];
    if (value === null) delete result[key];
    else if (Object.hasOwn(result, key)) setKey(result, key, mergeValues(result[key], value));
    else setKey(result, key, value);
  }
  return result;
}
