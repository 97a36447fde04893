import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';

const small = fc.integer({ min: 0, max: 3 });

/** An id that may already track a few ranges. */
const anyId = fc
  .tuple(small, small, fc.nat(100), fc.array(fc.tuple(small, small, fc.nat(100)), { maxLength: 3 }))
  .map(([sourceId, streamId, eventId, sources]) => {
    const id = new EventId(sourceId, streamId, eventId);
    for (const [s, t, e] of sources) id.track(new EventId(s, t, e));
    return id;
  });

describe('EventId.derivedFrom', () => {
  it('tracks exactly what a new id that then tracks `from` tracks', () => {
    fc.assert(
      fc.property(small, small, fc.nat(100), anyId, (sourceId, streamId, eventId, from) => {
        const expected = new EventId(sourceId, streamId, eventId);
        expected.track(from);
        const derived = EventId.derivedFrom(sourceId, streamId, eventId, from);
        expect(derived.tracked).toEqual(expected.tracked);
        expect(derived.toString()).toBe(expected.toString());
        for (let s = 0; s <= 3; s++) for (let t = 0; t <= 3; t++) expect(derived.rangeFor(s, t)).toEqual(expected.rangeFor(s, t));
      }),
      { numRuns: 300 },
    );
  });
});
