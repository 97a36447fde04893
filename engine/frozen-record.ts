/**
 * Records that nothing will ever change, shared by many events: a stream source's metadata, the
 * same for every line of a connection (`{"tcp_server": {"tls": false, "peer": {...}}}`), is one
 * frozen object instead of a fresh one per event. Nodes never change an event's `$` in place
 * (assignment is copy-on-write, queries/compile/paths.ts; operators build new records), and freezing
 * makes any code that tried throw rather than change every event of the connection.
 *
 * Who receives such a record may rely on it staying as it is: the WAL remembers the JSON text of
 * the last metadata it serialised (operators/qos/wal/metadata-text.ts), and for a frozen record
 * seen again it needs no comparison at all.
 */
import type { RecordValue, Value } from '../queries/values/value.ts';

const frozenRecords = new WeakSet<object>();

/** `record`, frozen all the way down, and known as such to isFrozenRecord. */
export function frozenRecord<T extends RecordValue>(record: T): T {
  freezeDeep(record);
  frozenRecords.add(record);
  return record;
}

/** Whether `value` came from frozenRecord (so it and everything in it stay as they are). */
export function isFrozenRecord(value: Value): boolean {
  return typeof value === 'object' && value !== null && frozenRecords.has(value);
}

function freezeDeep(value: Value): void {
  // Not stopping at an object frozen already: what it holds may not be.
  // Bytes cannot be frozen (V8 refuses a view with elements); no record of a source's holds any.
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return;
  for (const inner of Object.values(value)) freezeDeep(inner as Value);
  Object.freeze(value);
}
