/**
 * The upstream acks (or fails) of one commit, merged into ranges: a run of events that came
 * straight from one source (no tracked ranges: nothing upstream derived them) with consecutive
 * event numbers and empty operator metadata gets one insight whose id tracks the whole range,
 * instead of one insight per event. A source numbers its events 0, 1, 2, ... and a commit holds
 * hundreds of them, so this turns hundreds of contraflow steps (the executor's routing, the
 * runtime's, the source's bookkeeping) into one; `rangeFor` reads the range back, and a file
 * source confirms first..last at once (acked-prefix.ts). Events that do not fit a run (derived
 * ids, operator metadata) go as they are.
 */
import { EventId } from '../../../engine/event-id.ts';
import type { OpMeta } from '../../../engine/event.ts';
import type { Insight } from '../../../engine/insight.ts';
import { isEmptyRecord, type RecordValue } from '../../../queries/values/value.ts';

export function mergedInsights(kind: 'ack' | 'fail', ids: readonly EventId[], opMetas: readonly OpMeta[], send: (insight: Insight) => void): void {
  let i = 0;
  while (i < ids.length) {
    const first = ids[i];
    let last = i;
    if (mergeable(first, opMetas[i])) {
      while (last + 1 < ids.length && continues(first, ids[last], ids[last + 1], opMetas[last + 1])) last++;
    }
    if (last === i) send({ kind, id: first, opMeta: opMetas[i] });
    else {
      const range = { sourceId: first.sourceId, streamId: first.streamId, minEventId: first.eventId, maxEventId: ids[last].eventId };
      send({ kind, id: new EventId(first.sourceId, first.streamId, first.eventId, [range]), opMeta: opMetas[i] });
    }
    i = last + 1;
  }
}

function mergeable(id: EventId, opMeta: OpMeta): boolean {
  return id.tracked.length === 0 && isEmptyRecord(opMeta as RecordValue);
}

function continues(first: EventId, previous: EventId, next: EventId, opMeta: OpMeta): boolean {
  return mergeable(next, opMeta) && next.sourceId === first.sourceId && next.streamId === first.streamId && next.eventId === previous.eventId + 1;
}
