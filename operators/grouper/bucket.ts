/**
 * `grouper::bucket` (Tremor v0.11 `op/grouper/bucket.rs`): rate limiting by class and dimensions,
 * read from each event's metadata, which a script before it sets:
 * - `$class` (string): the bucket; an event without one goes to `err`.
 * - `$dimensions` (any value, default null): within a class, each distinct value is limited on its own.
 * - `$rate`: events allowed per `$time_range` milliseconds (default 1000), over a sliding window
 *   of `$windows` slots (default 100); read when a dimension is first seen; missing -> `err`.
 * - `$cardinality` (default 1000): dimensions tracked per class; the least recently used is
 *   forgotten (and starts afresh when seen again), which bounds memory.
 * Events within the rate go to `out`, the rest to `overflow`. Time is the event's ingest time.
 * Takes no `with` config, as in Tremor.
 */
import type { Event } from '../../engine/event.ts';
import { isRecord, type RecordValue, type Value } from '../../queries/values/value.ts';
import { stringifyJsonSorted } from '../../queries/values/json.ts';
import { OperatorConfigError, type OperatorFactory, type OperatorOutput } from '../operator.ts';

const DEFAULT_TIME_RANGE_MS = 1000;
const DEFAULT_WINDOWS = 100;
const DEFAULT_CARDINALITY = 1000;

/** `rate` events per `windows` slots of `slotNs` each, sliding slot by slot. */
class SlidingRate {
  private readonly slots: number[];
  private readonly slotNs: number;
  private total = 0;
  private lastSlot: number | undefined;

  constructor(
    private readonly rate: number,
    timeRangeMs: number,
    windows: number,
  ) {
    // Tremor divides the range in whole milliseconds.
    this.slotNs = Math.max(1, Math.floor(timeRangeMs / windows)) * 1_000_000;
    this.slots = new Array<number>(windows).fill(0);
  }

  /** Counts an event at `timeNs`; false when the window is full. */
  take(timeNs: number): boolean {
    const slot = Math.floor(timeNs / this.slotNs);
    const length = this.slots.length;
    if (this.lastSlot === undefined) this.lastSlot = slot;
    else if (slot > this.lastSlot) {
      // Slots that slid out of the window no longer count.
      const expired = Math.min(slot - this.lastSlot, length);
      for (let i = 1; i <= expired; i++) {
        const index = (this.lastSlot + i) % length;
        this.total -= this.slots[index];
        this.slots[index] = 0;
      }
      this.lastSlot = slot;
    }
    if (this.total >= this.rate) return false;
    this.slots[this.lastSlot % length]++;
    this.total++;
    return true;
  }
}

function nonNegativeInteger(meta: RecordValue, key: string): number | undefined {
  const value = meta[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export const bucketOperatorFactory: OperatorFactory = {
  create(params, context) {
    if (params !== undefined && Object.keys(params).length > 0) {
      throw new OperatorConfigError(
        `Operator ${context.nodeId}: grouper::bucket takes no config; each event's $class, $rate, $dimensions, $time_range, $windows and $cardinality say how it is limited`,
        Object.keys(params)[0],
      );
    }
    /** class -> dimensions (serialised) -> window, each map in least-recently-used order. */
    const classes = new Map<string, { cardinality: number; windows: Map<string, SlidingRate> }>();
    const route = (port: string, event: Event): OperatorOutput => ({ events: [[port, event]], insights: [] });
    return {
      onEvent(_port, event) {
        const meta = isRecord(event.meta) ? event.meta : {};
        const className = meta.class;
        if (typeof className !== 'string') return route('err', event);
        let bucket = classes.get(className);
        if (!bucket) {
          bucket = { cardinality: Math.max(1, nonNegativeInteger(meta, 'cardinality') ?? DEFAULT_CARDINALITY), windows: new Map() };
          classes.set(className, bucket);
        }
        const dimensions = stringifyJsonSorted((meta.dimensions ?? null) as Value);
        let window = bucket.windows.get(dimensions);
        if (window) {
          // Most recently used goes last.
          bucket.windows.delete(dimensions);
        } else {
          const rate = nonNegativeInteger(meta, 'rate');
          if (rate === undefined) return route('err', event);
          const windows = Math.max(1, nonNegativeInteger(meta, 'windows') ?? DEFAULT_WINDOWS);
          window = new SlidingRate(rate, nonNegativeInteger(meta, 'time_range') ?? DEFAULT_TIME_RANGE_MS, windows);
          if (bucket.windows.size >= bucket.cardinality) bucket.windows.delete(bucket.windows.keys().next().value!);
        }
        bucket.windows.set(dimensions, window);
        return route(window.take(event.ingestNs) ? 'out' : 'overflow', event);
      },
      stats: () => ({ classes: classes.size }),
    };
  },
};
