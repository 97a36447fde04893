/**
 * The WAL's most recently stored events, kept decoded in memory until their first emission, so
 * that while downstream keeps up an event goes out without being read back and parsed.
 *
 * It holds a window of consecutive sequence numbers `[first, end)` in a ring of parallel arrays:
 * no object and no Map entry per event. At full speed a WAL holds a few thousand events between
 * their arrival and their commit; objects for them would survive the young generation's scavenges
 * and be promoted, and that garbage collection work was a large part of the WAL's time.
 *
 * A kept event keeps its payload only as its record: the bytes the WAL stored, which end with
 * the payload's JSON text (record.ts), not the parsed value. So the event goes out as a view of
 * the very bytes a replay reads back from the store (a JSON sink copies them without encoding
 * anything), and the parsed payload, which is several times larger, dies young instead of
 * staying alive until the commit (the emitted event parses the text if something reads it:
 * engine/text-event.ts). Records are places in the WAL's 1 MiB record slabs (the slab and two
 * offsets, no view object); the kept events are consecutive, so the slabs they keep alive are
 * about the window's own records.
 *
 * It is only a cache: an event that is not kept (the window holds `capacity` events or `maxBytes`
 * bytes of records already, or does not continue at that sequence number) is read from the store
 * when its turn comes.
 */
import type { EventId } from '../../../engine/event-id.ts';
import type { OpMeta } from '../../../engine/event.ts';
import type { RecordValue } from '../../../queries/values/value.ts';
import type { RecordPlace, StoredEvent } from './record.ts';

/** A kept event, as `take` hands it out. */
export interface RecentEvent extends Omit<StoredEvent, 'data'> {
  originalId: EventId;
  /**
   * The event's record as stored: `buffer` (a record slab) from `recordStart` to `end`; the
   * payload's JSON text is its bytes from `payloadStart` on.
   */
  buffer: Buffer;
  recordStart: number;
  payloadStart: number;
  end: number;
}

/** The ring's first size. */
const INITIAL_SLOTS = 1024;

export class RecentEvents {
  /** The ring: `slots` entries (a power of two up to `capacity`), doubled as the window grows. */
  private slots = 0;
  private originalIds: Array<EventId | undefined> = [];
  private buffers: Array<Buffer | undefined> = [];
  private recordStarts = new Int32Array(0);
  private payloadStarts = new Int32Array(0);
  private ends = new Int32Array(0);
  private metas: Array<RecordValue | undefined> = [];
  private opMetas: Array<OpMeta | undefined> = [];
  private ingestNs = new Float64Array(0);
  private first = 0;
  private end = 0;
  /** Record bytes of the events in the window. */
  private heldBytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * Room for `slots` entries, the window's events moved to their new slots. The ring starts small
   * and grows with the window: its full size (65,536 slots in a WAL) allocated at once was a few
   * megabytes, and a mark-compact, in every short `rill run` through a WAL.
   */
  private grow(slots: number): void {
    const old = { slots: this.slots, originalIds: this.originalIds, buffers: this.buffers, recordStarts: this.recordStarts, payloadStarts: this.payloadStarts, ends: this.ends, metas: this.metas, opMetas: this.opMetas, ingestNs: this.ingestNs };
    this.slots = slots;
    this.originalIds = new Array<EventId | undefined>(slots).fill(undefined);
    this.buffers = new Array<Buffer | undefined>(slots).fill(undefined);
    this.recordStarts = new Int32Array(slots);
    this.payloadStarts = new Int32Array(slots);
    this.ends = new Int32Array(slots);
    this.metas = new Array<RecordValue | undefined>(slots).fill(undefined);
    this.opMetas = new Array<OpMeta | undefined>(slots).fill(undefined);
    this.ingestNs = new Float64Array(slots);
    for (let seq = this.first; seq < this.end; seq++) {
      const from = seq % old.slots;
      const to = seq % slots;
      this.originalIds[to] = old.originalIds[from];
      this.buffers[to] = old.buffers[from];
      this.recordStarts[to] = old.recordStarts[from];
      this.payloadStarts[to] = old.payloadStarts[from];
      this.ends[to] = old.ends[from];
      this.metas[to] = old.metas[from];
      this.opMetas[to] = old.opMetas[from];
      this.ingestNs[to] = old.ingestNs[from];
    }
  }

  get size(): number {
    return this.end - this.first;
  }

  /** Record bytes of the events kept. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Keeps the event stored as `seq` (its record `place`, record.ts) if it continues the window and there is room. */
  add(seq: number, originalId: EventId, event: Omit<StoredEvent, 'data'>, place: RecordPlace): void {
    if (this.first === this.end) this.first = this.end = seq;
    const recordBytes = place.end - place.start;
    if (seq !== this.end || this.end - this.first >= this.capacity || this.heldBytes + recordBytes > this.maxBytes) return;
    if (this.end - this.first >= this.slots) this.grow(Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.slots * 2)));
    const slot = seq % this.slots;
    this.originalIds[slot] = originalId;
    this.buffers[slot] = place.buffer;
    this.recordStarts[slot] = place.start;
    this.payloadStarts[slot] = place.payloadStart;
    this.ends[slot] = place.end;
    this.metas[slot] = event.meta;
    this.opMetas[slot] = event.opMeta;
    this.ingestNs[slot] = event.ingestNs;
    this.heldBytes += recordBytes;
    this.end = seq + 1;
  }

  /**
   * Hands out the event stored as `seq` (filling `into`, so no object is made) and forgets it;
   * false if it is not kept. Events kept below `seq` are forgotten too: they went out another way.
   */
  take(seq: number, into: RecentEvent): boolean {
    while (this.first < this.end && this.first < seq) this.clear(this.first++);
    if (this.first !== seq || this.first === this.end) return false;
    const slot = seq % this.slots;
    into.originalId = this.originalIds[slot]!;
    into.buffer = this.buffers[slot]!;
    into.recordStart = this.recordStarts[slot];
    into.payloadStart = this.payloadStarts[slot];
    into.end = this.ends[slot];
    into.meta = this.metas[slot]!;
    into.opMeta = this.opMetas[slot]!;
    into.ingestNs = this.ingestNs[slot];
    this.clear(seq);
    this.first = seq + 1;
    return true;
  }

  /** Forgets the events from `fromSeq` on (a refused commit: they were never stored). */
  forgetFrom(fromSeq: number): void {
    while (this.end > this.first && this.end > fromSeq) this.clear(--this.end);
  }

  private clear(seq: number): void {
    const slot = seq % this.slots;
    if (this.buffers[slot] !== undefined) this.heldBytes -= this.ends[slot] - this.recordStarts[slot];
    this.originalIds[slot] = undefined;
    this.buffers[slot] = undefined;
    this.metas[slot] = undefined;
    this.opMetas[slot] = undefined;
  }
}
