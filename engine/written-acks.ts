/**
 * The acks a sink sends for the events of one written batch (`rill run`'s output), a run of
 * events with consecutive ids as one insight whose id tracks the whole run, instead of one
 * insight per event: each insight is one contraflow step through the pipeline (the executor's
 * routing, every node on the way back), and a batch holds hundreds of events of one `qos::wal`
 * in sequence order. The WAL reads the run back with `rangeFor` and deletes each event in it.
 *
 * A run must name exactly the events acked, no more, since whoever reads a range acts on every id
 * in it (a WAL would delete an event that failed meanwhile): so an event joins the run only if its
 * own id follows the previous one's in the same (source, stream), every range it tracks follows
 * the previous event's corresponding range without a gap (same sources, in the same order), and
 * it has the same operator metadata (the same object, or both empty: metadata is per event and
 * cannot be merged). Anything else starts a new run, so a batch's acks cost at most what they did.
 * (operators/qos/wal/upstream-acks.ts merges a WAL's upstream acks, of events that come straight
 * from a source, the same way.)
 */
import { EventId, type TrackedRange } from './event-id.ts';
import type { OpMeta } from './event.ts';
import type { Insight } from './insight.ts';
import { isEmptyRecord, type RecordValue } from '../queries/values/value.ts';

export class WrittenAcks {
  private ports: string[] = [];
  private ids: EventId[] = [];
  private opMetas: OpMeta[] = [];

  get length(): number {
    return this.ids.length;
  }

  add(port: string, id: EventId, opMeta: OpMeta): void {
    this.ports.push(port);
    this.ids.push(id);
    this.opMetas.push(opMeta);
  }

  /** Sends the acks gathered, merged into runs, in order. */
  send(contraflow: (port: string, insight: Insight) => void): void {
    const { ports, ids, opMetas } = this;
    let first = 0;
    while (first < ids.length) {
      let last = first;
      while (last + 1 < ids.length && ports[last + 1] === ports[first] && sameOpMeta(opMetas[first], opMetas[last + 1]) && follows(ids[last], ids[last + 1])) last++;
      contraflow(ports[first], { kind: 'ack', id: last === first ? ids[first] : runId(ids[first], ids[last]), opMeta: opMetas[first] });
      first = last + 1;
    }
  }
}

function sameOpMeta(a: OpMeta, b: OpMeta): boolean {
  return a === b || (isEmptyRecord(a as RecordValue) && isEmptyRecord(b as RecordValue));
}

/** Whether `next` names the ids right after `previous`'s, in every range it tracks. */
function follows(previous: EventId, next: EventId): boolean {
  if (next.sourceId !== previous.sourceId || next.streamId !== previous.streamId || next.eventId !== previous.eventId + 1) return false;
  const before = previous.tracked;
  const after = next.tracked;
  if (after.length !== before.length) return false;
  for (let i = 0; i < after.length; i++) {
    const a = before[i];
    const b = after[i];
    if (b.sourceId !== a.sourceId || b.streamId !== a.streamId || b.minEventId !== a.maxEventId + 1) return false;
  }
  return true;
}

/** The id of the run from `first` to `last`: `first`'s, tracking each range from its start in `first` to its end in `last`. */
function runId(first: EventId, last: EventId): EventId {
  const ranges: TrackedRange[] = first.tracked.map((range, i) => ({ sourceId: range.sourceId, streamId: range.streamId, minEventId: range.minEventId, maxEventId: last.tracked[i].maxEventId }));
  // The own ids as a range too (`rangeFor` reads only the own id itself when no range names it).
  if (!ranges.some((range) => range.sourceId === first.sourceId && range.streamId === first.streamId)) {
    ranges.unshift({ sourceId: first.sourceId, streamId: first.streamId, minEventId: first.eventId, maxEventId: last.eventId });
  }
  return new EventId(first.sourceId, first.streamId, first.eventId, ranges);
}
