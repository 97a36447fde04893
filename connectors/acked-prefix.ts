/**
 * What a transactional file source has read and not yet had confirmed, and how far the lines it
 * may forget reach: the end of the longest contiguous prefix of acked lines.
 *
 * Each emitted line is tracked by the event number the runtime gave it, with the position just
 * after it. Acks may come out of order (two sinks, a WAL's resends), so an ack only marks its
 * lines; the prefix moves when its first unacked line is acked. A fail of line n means delivery
 * failed from n on (Tremor's semantics): every line from n is forgotten and reading starts again
 * at n. Lines the source skips (blank, undecodable) are entered as already acked, so they never
 * hold the prefix back.
 */

/** A place in the file: a byte offset and how many lines come before it. */
export interface Position {
  readonly offset: number;
  readonly line: number;
}

interface Entry {
  /** Undefined for skipped lines (one entry stands for a run of them). */
  readonly eventNumber: number | undefined;
  end: Position;
  acked: boolean;
}

export class AckedPrefix {
  /** Tracked lines in reading order; `entries[head]` is the first one after the prefix. */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byNumber = new Map<number, Entry>();
  private prefixEnd: Position;
  private emittedConfirmed = 0;

  constructor(start: Position) {
    this.prefixEnd = start;
  }

  /** The end of the contiguous acked prefix: what a checkpoint may record. */
  get end(): Position {
    return this.prefixEnd;
  }

  /** Emitted lines that have left the tracked set through the prefix, since the start (a counter). */
  get confirmed(): number {
    return this.emittedConfirmed;
  }

  /** Emitted lines still tracked (unacked, or acked behind an unacked one). */
  get tracked(): number {
    return this.byNumber.size;
  }

  emitted(eventNumber: number, end: Position): void {
    const entry: Entry = { eventNumber, end, acked: false };
    this.entries.push(entry);
    this.byNumber.set(eventNumber, entry);
  }

  skipped(end: Position): void {
    const last = this.entries.length > this.head ? this.entries[this.entries.length - 1] : undefined;
    if (last === undefined) this.prefixEnd = end;
    else if (last.eventNumber === undefined) last.end = end;
    else this.entries.push({ eventNumber: undefined, end, acked: true });
  }

  /** Marks the events first..last (an aggregate's range, usually one event) acked; true if the prefix moved. */
  ack(first: number, last: number): boolean {
    if (last - first < this.byNumber.size) {
      for (let number = first; number <= last; number++) this.markAcked(this.byNumber.get(number));
    } else {
      for (const [number, entry] of this.byNumber) if (number >= first && number <= last) this.markAcked(entry);
    }
    return this.advance();
  }

  /**
   * Forgets event `eventNumber` and every line read after it; returns where reading must start
   * again, or undefined when the event is not tracked (already confirmed, or forgotten by an
   * earlier fail: its line is being read again anyway).
   */
  fail(eventNumber: number): Position | undefined {
    const entry = this.byNumber.get(eventNumber);
    if (entry === undefined) return undefined;
    const index = this.entries.lastIndexOf(entry, this.entries.length - 1);
    const restart = index > this.head ? this.entries[index - 1]!.end : this.prefixEnd;
    for (let i = index; i < this.entries.length; i++) {
      const number = this.entries[i]!.eventNumber;
      if (number !== undefined) this.byNumber.delete(number);
    }
    this.entries.length = index;
    return restart;
  }

  private markAcked(entry: Entry | undefined): void {
    if (entry !== undefined) entry.acked = true;
  }

  private advance(): boolean {
    // The prefix's end, not `head`: the compaction below may set `head` back to where it was.
    const before = this.prefixEnd;
    while (this.head < this.entries.length && this.entries[this.head]!.acked) {
      const entry = this.entries[this.head++]!;
      this.prefixEnd = entry.end;
      if (entry.eventNumber !== undefined) {
        this.byNumber.delete(entry.eventNumber);
        this.emittedConfirmed++;
      }
    }
    // Drop the confirmed entries now and then, not on every ack (a shift per ack is quadratic).
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return this.prefixEnd !== before;
  }
}
