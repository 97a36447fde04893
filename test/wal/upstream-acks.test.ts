/**
 * mergedInsights (operators/qos/wal/upstream-acks.ts): a commit's upstream acks, merged into
 * ranges where that is safe. Whatever the ids, every event is confirmed exactly once (through
 * `rangeFor` of its source, as a source reads it), with its own operator metadata.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import type { OpMeta } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { mergedInsights } from '../../operators/qos/wal/upstream-acks.ts';

const input = fc.record({ source: fc.constantFrom(1, 2), step: fc.constantFrom(1, 1, 1, 2), withMeta: fc.boolean(), derived: fc.boolean() });

describe('mergedInsights', () => {
  it('confirms every event exactly once, each with its own operator metadata', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let eventId = 0;
        const ids: EventId[] = [];
        const opMetas: OpMeta[] = [];
        for (const { source, step, withMeta, derived } of inputs) {
          eventId += step;
          const id = new EventId(source, 0, eventId);
          if (derived) id.track(new EventId(9, 0, eventId));
          ids.push(id);
          opMetas.push(withMeta ? { '5': eventId } : {});
        }
        const sent: Insight[] = [];
        mergedInsights('ack', ids, opMetas, (insight) => sent.push(insight));
        const confirmed: string[] = [];
        for (const insight of sent) {
          expect(insight.kind).toBe('ack');
          for (const source of [1, 2]) {
            const range = insight.id!.rangeFor(source);
            if (range === undefined) continue;
            for (let n = range.min; n <= range.max; n++) {
              confirmed.push(`${source}:${n}`);
              if (range.max > range.min) expect(insight.opMeta).toEqual({});
            }
          }
        }
        expect(confirmed.sort()).toEqual(ids.map((id) => `${id.sourceId}:${id.eventId}`).sort());
      }),
    );
  });

  it('merges a run of consecutive events from one source into one insight', () => {
    const ids = [5, 6, 7, 8].map((n) => new EventId(3, 0, n));
    const sent: Insight[] = [];
    mergedInsights('fail', ids, ids.map(() => ({})), (insight) => sent.push(insight));
    expect(sent).toHaveLength(1);
    expect(sent[0].kind).toBe('fail');
    expect(sent[0].id!.rangeFor(3)).toEqual({ min: 5, max: 8 });
  });
});
