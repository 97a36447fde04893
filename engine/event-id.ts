/**
 * EventId: who produced an event, plus the ids of every event it was derived from.
 *
 * As in Tremor, the own id is (source, stream, event) and derived ids are kept as a min/max range
 * per (source, stream). A sink's ack or fail carries the EventId back; each operator or source
 * finds *its own* ids in it with `rangeFor(sourceId)`.
 */
export const DEFAULT_STREAM_ID = 0;

export interface TrackedRange {
  readonly sourceId: number;
  readonly streamId: number;
  minEventId: number;
  maxEventId: number;
}

/**
 * The ranges of an id that tracks nothing (most ids: every source event's), shared: an empty
 * array of its own per event was one more object for each to keep alive until its ack. Frozen,
 * so loops over `tracked` are indexed: V8 does not optimise a for...of over a frozen array (it
 * allocates an iterator and a result per step, 15 ns a call against 1.8 for a plain array).
 */
const NO_RANGES: TrackedRange[] = Object.freeze([]) as unknown as TrackedRange[];

export class EventId {
  constructor(
    readonly sourceId: number,
    readonly streamId: number,
    readonly eventId: number,
    /** Ranges of the ids this event was derived from (its own id included once tracking starts); read-only outside this class. */
    public tracked: TrackedRange[] = NO_RANGES,
  ) {}

  /**
   * The id (sourceId, streamId, eventId) of an event derived from `from`: `new EventId(...)` then
   * `track(from)`, built directly in the usual case (`from` tracks nothing and is another
   * source's): a WAL does this for every event it emits, and an array of exactly two ranges is a
   * fraction of the storage that pushing them one by one would allocate.
   */
  static derivedFrom(sourceId: number, streamId: number, eventId: number, from: EventId): EventId {
    if (from.tracked.length > 0 || (from.sourceId === sourceId && from.streamId === streamId)) {
      const id = new EventId(sourceId, streamId, eventId);
      id.track(from);
      return id;
    }
    return new EventId(sourceId, streamId, eventId, [
      { sourceId, streamId, minEventId: eventId, maxEventId: eventId },
      { sourceId: from.sourceId, streamId: from.streamId, minEventId: from.eventId, maxEventId: from.eventId },
    ]);
  }

  /** Records that this event was derived from `other` (and everything `other` tracks). */
  track(other: EventId): void {
    if (this.tracked.length === 0) this.widen(this.sourceId, this.streamId, this.eventId, this.eventId);
    this.widen(other.sourceId, other.streamId, other.eventId, other.eventId);
    const ranges = other.tracked;
    for (let i = 0; i < ranges.length; i++) this.widen(ranges[i].sourceId, ranges[i].streamId, ranges[i].minEventId, ranges[i].maxEventId);
  }

  /** The (min, max) event ids of `sourceId` that this id names, own id first; undefined if none. */
  rangeFor(sourceId: number, streamId = DEFAULT_STREAM_ID): { min: number; max: number } | undefined {
    const ranges = this.tracked;
    for (let i = 0; i < ranges.length; i++) {
      const range = ranges[i];
      if (range.sourceId === sourceId && range.streamId === streamId) return { min: range.minEventId, max: range.maxEventId };
    }
    if (this.sourceId === sourceId && this.streamId === streamId) return { min: this.eventId, max: this.eventId };
    return undefined;
  }

  toString(): string {
    return `${this.sourceId}:${this.streamId}:${this.eventId}`;
  }

  // A loop, not `tracked.find(closure)`: a WAL tracks every event it emits, so this is a per-event path.
  private widen(sourceId: number, streamId: number, min: number, max: number): void {
    const ranges = this.tracked;
    for (let i = 0; i < ranges.length; i++) {
      const existing = ranges[i];
      if (existing.sourceId === sourceId && existing.streamId === streamId) {
        existing.minEventId = Math.min(existing.minEventId, min);
        existing.maxEventId = Math.max(existing.maxEventId, max);
        return;
      }
    }
    if (this.tracked === NO_RANGES) this.tracked = [];
    this.tracked.push({ sourceId, streamId, minEventId: min, maxEventId: max });
  }
}

/**
 * Runtime-unique ids for sources, operators and sinks (disjoint ranges as in Tremor, so an id in
 * an EventId tells what kind of thing produced it). Not stable across restarts; the WAL keeps its
 * own stable identity on disk.
 */
let nextUid = 1;
export function allocateUid(): number {
  return nextUid++;
}
