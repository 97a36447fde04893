/**
 * An event that carries its payload as JSON text and parses it only when something reads `data`
 * (the first time; the value is kept). A WAL emits its stored events this way: in the usual flow
 * (the WAL, then a sink or a select that forwards the event as it is) nothing reads the payload,
 * the sink writes the text, and no parsed payload has to stay alive in memory from the event's
 * arrival to its commit. That was a large part of the garbage collector's work: every event's
 * parsed object outlived a few scavenges, was copied by each and promoted.
 */
import type { EventId } from './event-id.ts';
import type { Event, OpMeta } from './event.ts';
import { parseJson } from '../queries/values/json.ts';
import type { RecordValue, Value } from '../queries/values/value.ts';

/** What an operator changes when it passes an event on with its payload as it is. */
export type EventChanges = Partial<Pick<Event, 'meta' | 'transactional' | 'opMeta'>>;

/**
 * `event` passed on with `changes`. Not `{ ...event, ...changes }`: a spread copies own properties
 * only, and a TextEvent's `data` is a getter on its class, so the copy would have no payload.
 */
export function eventWith(event: Event, changes: EventChanges): Event {
  return event instanceof TextEvent ? event.with(changes) : { ...event, ...changes };
}

export class TextEvent implements Event {
  private isParsed: boolean;

  /** `parsed`: the payload when it is parsed already (no Value is undefined). */
  constructor(
    public id: EventId,
    public dataJson: string | undefined,
    public meta: RecordValue,
    public ingestNs: number,
    public transactional: boolean,
    public opMeta: OpMeta,
    private parsed?: Value,
  ) {
    this.isParsed = parsed !== undefined;
  }

  get data(): Value {
    if (!this.isParsed) {
      // The text is one the WAL stored: the JSON text of a value, so it parses.
      this.parsed = parseJson(this.dataJson as string);
      this.isParsed = true;
    }
    return this.parsed as Value;
  }

  /** The same payload (parsed or not, as now) with other metadata, delivery flag or opMeta. */
  with(changes: EventChanges): TextEvent {
    return new TextEvent(
      this.id,
      this.dataJson,
      changes.meta ?? this.meta,
      this.ingestNs,
      changes.transactional ?? this.transactional,
      changes.opMeta ?? this.opMeta,
      this.isParsed ? this.parsed : undefined,
    );
  }

  /** A node that replaces the payload: the text no longer describes it. */
  set data(value: Value) {
    this.parsed = value;
    this.isParsed = true;
    this.dataJson = undefined;
  }
}
