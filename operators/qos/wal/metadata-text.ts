/**
 * The JSON text of an event's metadata (`$`, operator metadata) for its WAL record, remembered for
 * the next event whose metadata is the same. Events of one source usually carry equal metadata in
 * objects of their own (a tcp_server's `{"tcp_server": {"peer": ...}}` is the same for every line of
 * a connection), and serialising it for every record was 6% of a tcp -> wal -> file flow;
 * comparing it with the last one costs a fraction of that.
 *
 * It compares against its own deep copy of the value it serialised, never the event's object: a
 * node downstream may change an emitted event's `$` in place, and the remembered text must stay
 * the text of what is compared. A frozen record (engine/frozen-record.ts: a tcp connection's, the
 * same object for all its events) cannot change, so when the same one comes again its text is the
 * remembered one without comparing.
 */
import { copyValue } from '../../../engine/copy-event.ts';
import { isFrozenRecord } from '../../../engine/frozen-record.ts';
import { stringifyJson } from '../../../queries/values/json.ts';
import { FloatValue, isEmptyRecord, type RecordValue, type Value } from '../../../queries/values/value.ts';

export class MetadataText {
  private last: Value = null;
  private lastText = '';
  /** The frozen record `lastText` was made of, if it was one. */
  private lastFrozen: Value = null;

  /** `''` for `{}` (the usual case), else the record's JSON text. */
  of(value: RecordValue): string {
    if (value === this.lastFrozen) return this.lastText;
    if (isEmptyRecord(value)) return '';
    if (this.lastText !== '' && writesSameJson(value, this.last)) return this.lastText;
    const text = stringifyJson(value);
    this.last = copyValue(value);
    this.lastText = text;
    this.lastFrozen = isFrozenRecord(value) ? value : null;
    return text;
  }
}

/**
 * Whether `a` and `b` are written as the same JSON text. False where unsure (bytes), so the
 * caller serialises; records must have the same keys in the same order (the text's order).
 */
function writesSameJson(a: Value, b: Value): boolean {
  if (typeof a !== 'object' || a === null) return Object.is(a, b);
  if (typeof b !== 'object' || b === null) return false;
  if (a instanceof FloatValue) return b instanceof FloatValue && Object.is(a.value, b.value);
  if (a instanceof Uint8Array || b instanceof FloatValue || b instanceof Uint8Array) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!writesSameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== otherKeys[i] || !writesSameJson(a[keys[i]], b[keys[i]])) return false;
  }
  return true;
}
