/**
 * The WAL's most recently stored events, kept decoded in memory until their first emission, so
 * that while downstream keeps up an event goes out without being read back and parsed.
 *
 * It holds a window of consecutive sequence numbers `[first, end)` in a ring of parallel arrays:
 * no object and no Map entry per event. At full speed a WAL holds a few thousand events between
 * their arrival and their commit; objects for them would survive the young generation's scavenges
 * and be promoted, and that garbage collection work was a large part of the WAL's time.
 *
 * A kept event keeps its payload only as the UTF-8 bytes of its JSON text that the WAL stored, not
 * the parsed value: the bytes the event came with when it had them (a source's read buffer, in one
 * or two pieces, engine/text-event.ts), which the record holds a copy of, else the payload's text
 * in the record itself (record.ts). So the event goes out with the very bytes a replay reads back
 * from the store (a JSON sink writes them without encoding anything), and the parsed payload,
 * which is several times larger, dies young instead of staying alive until the commit (the
 * emitted event parses the text if something reads it). Going out as a view of the source's
 * bytes, lines read one after the other are still one after the other in memory, each with its
 * newline: a `file` sink writes a run of them as one piece (connectors/gathered-lines.ts), where
 * views of the records (no newline after each, a header between them) were two pieces an event.
 * The kept events are consecutive, so the buffers they keep alive are about the window's own.
 *
 * It is only a cache: an event that is not kept (the window holds `capacity` events or `maxBytes`
 * bytes of records already, or does not continue at that sequence number) is read from the store
 * when its turn comes.
 */
import type { EventId } from '../../../engine/event-id.ts';
import type { Utf8Parts } from '../../../engine/text-event.ts';
import type { OpMeta } from '../../../engine/event.ts';
import type { RecordValue } from '../../../queries/values/value.ts';
import type { StoredEvent } from './record.ts';

/** A kept event, as `take` hands it out. */
export interface RecentEvent extends Omit<StoredEvent, 'data'> {
  originalId: EventId;
  /** The payload's JSON text as stored: `buffer` from `start` to `end`, then `tail` (if any). */
  buffer: Buffer;
  start: number;
  end: number;
  tail: Buffer | undefined;
  /** The text's CRC-32 and top-level key set, -1 where not known (`Utf8Text`). */
  crc: number;
  keys: number;
  /** Bytes of the event's record. */
  recordBytes: number;
}

/** The ring's first size. */
const INITIAL_SLOTS = 1024;

export class RecentEvents {
  /** The ring: `slots` entries (a power of two up to `capacity`), doubled as the window grows. */
  private slots = 0;
  private originalIds: Array<EventId | undefined> = [];
  private buffers: Array<Buffer | undefined> = [];
  private tails: Array<Buffer | undefined> = [];
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private crcs = new Float64Array(0);
  private keySets = new Int32Array(0);
  private recordBytes = new Int32Array(0);
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
    const old = { ...this.arrays(), slots: this.slots };
    this.slots = slots;
    this.originalIds = new Array<EventId | undefined>(slots).fill(undefined);
    this.buffers = new Array<Buffer | undefined>(slots).fill(undefined);
    this.tails = new Array<Buffer | undefined>(slots).fill(undefined);
    this.starts = new Int32Array(slots);
    this.ends = new Int32Array(slots);
    this.crcs = new Float64Array(slots);
    this.keySets = new Int32Array(slots);
    this.recordBytes = new Int32Array(slots);
    this.metas = new Array<RecordValue | undefined>(slots).fill(undefined);
    this.opMetas = new Array<OpMeta | undefined>(slots).fill(undefined);
    this.ingestNs = new Float64Array(slots);
    const now = this.arrays();
    // Array by array: a loop over the names inside the loop over the events made every access a
    // generic keyed one (29 ms of a 300k-event `rill server run`, for six doublings).
    for (const name of Object.keys(now) as Array<keyof typeof now>) moveWindow(old[name] as ArrayLike<unknown>, now[name] as unknown[], this.first, this.end, old.slots, slots);
  }

  private arrays() {
    const { originalIds, buffers, tails, starts, ends, crcs, keySets, recordBytes, metas, opMetas, ingestNs } = this;
    return { originalIds, buffers, tails, starts, ends, crcs, keySets, recordBytes, metas, opMetas, ingestNs };
  }

  get size(): number {
    return this.end - this.first;
  }

  /** Record bytes of the events kept. */
  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * Keeps the event stored as `seq` in a record of `recordBytes` bytes, its payload text `text`
   * (read, not kept: its fields are), if it continues the window and there is room.
   */
  add(seq: number, originalId: EventId, event: Omit<StoredEvent, 'data'>, text: Utf8Parts, recordBytes: number): void {
    if (this.first === this.end) this.first = this.end = seq;
    if (seq !== this.end || this.end - this.first >= this.capacity || this.heldBytes + recordBytes > this.maxBytes) return;
    if (this.end - this.first >= this.slots) this.grow(Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.slots * 2)));
    const slot = seq % this.slots;
    this.originalIds[slot] = originalId;
    this.buffers[slot] = text.buffer;
    this.tails[slot] = text.tail.length > 0 ? text.tail : undefined;
    this.starts[slot] = text.start;
    this.ends[slot] = text.end;
    this.crcs[slot] = text.crc;
    this.keySets[slot] = text.keys;
    this.recordBytes[slot] = recordBytes;
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
    into.tail = this.tails[slot];
    into.start = this.starts[slot];
    into.end = this.ends[slot];
    into.crc = this.crcs[slot];
    into.keys = this.keySets[slot];
    into.recordBytes = this.recordBytes[slot];
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
    if (this.buffers[slot] !== undefined) this.heldBytes -= this.recordBytes[slot];
    this.originalIds[slot] = undefined;
    this.buffers[slot] = undefined;
    this.tails[slot] = undefined;
    this.metas[slot] = undefined;
    this.opMetas[slot] = undefined;
  }
}

/** Moves the entries of seqs [first, end) from their slots in a ring of `fromSlots` to theirs in one of `toSlots`. */
function moveWindow(from: ArrayLike<unknown>, to: { [slot: number]: unknown }, first: number, end: number, fromSlots: number, toSlots: number): void {
  for (let seq = first; seq < end; seq++) to[seq % toSlots] = from[seq % fromSlots];
}
