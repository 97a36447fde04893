import type { EventId } from './event-id.ts';
import type { RecordValue, Value } from '../queries/values/value.ts';

/**
 * Per-operator data that travels down with an event and comes back on the insights for it,
 * keyed by the operator's uid.
 */
export type OpMeta = Readonly<Record<string, Value>>;

export interface Event {
  id: EventId;
  /** What a query sees as `event`. */
  data: Value;
  /**
   * The JSON text `data` was parsed from, kept while no node has changed `data`, so that a JSON
   * sink (or the WAL's record) writes it as it came instead of serialising `data` again. A node
   * that builds a new payload leaves it out; one that forwards the event object as it got it
   * keeps it. Absent when the event did not come from JSON text.
   */
  dataJson?: string;
  /** What a query sees as `$`. */
  meta: RecordValue;
  /** Nanoseconds since the epoch (a JS number: about 256 ns resolution at today's dates). */
  ingestNs: number;
  /** The source wants exactly one ack or fail for this event. */
  transactional: boolean;
  opMeta: OpMeta;
}

// Wall clock at start-up plus the monotonic clock since, so nanosecond stamps never go backwards.
// performance.now() (a double of milliseconds, sub-microsecond) rather than hrtime.bigint(): a
// BigInt per event was a measurable part of a source's per-event cost, and the result is a JS
// number of about 256 ns resolution either way.
const wallClockOffsetNs = Date.now() * 1e6 - performance.now() * 1e6;

export function nowNs(): number {
  return wallClockOffsetNs + performance.now() * 1e6;
}
