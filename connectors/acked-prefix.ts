/**
 * What a transactional file source has read and not yet had confirmed, and how far the lines it
 * may forget reach: the end of the longest contiguous prefix of acked lines.
 *
 * Each emitted line is tracked by the event number the runtime gave it, with the position just
 * after it. Acks may come out of order (two sinks, a WAL's resends), so an ack only marks its
 * lines; the prefix moves when its first unacked line is acked. A fail of line n means delivery
 * failed from n on (Tremor's semantics): every line from n is forgotten and reading starts again
 * at n. Lines the source skips (blank, undecodable) count as acked: they never hold the prefix
 * back.
 */

/** A place in the file: a byte offset and how many lines come before it. */
export interface Position {
  readonly offset: number;
  readonly line: number;
}

export class AckedPrefix {
  /**
   * The tracked lines in reading order, as parallel arrays (no object per line: a line stays
   * tracked until its event is acked, through a WAL's commit, and objects that live that long are
   * what the garbage collector copies and promotes): line i was emitted as event `numbers[i]` and
   * ends at `endOffsets[i]`/`endLines[i]`; `acked[i]` is 1 once acked. Skipped lines extend the end
   * of the line before them (they are acked as soon as it is), or the prefix when nothing is tracked.
   * Event numbers increase along the arrays, one by one except after a fail (the runtime numbers on).
   * Line `head` is the first one after the prefix.
   */
  private numbers: number[] = [];
  private endOffsets: number[] = [];
  private endLines: number[] = [];
  private acked: number[] = [];
  private head = 0;
  private prefixEnd: Position;
  private emittedConfirmed = 0;

  constructor(start: Position) {
    this.prefixEnd = start;
  }

  /** The end of the contiguous acked prefix: what a checkpoint may record (a new object each time it moves). */
  get end(): Position {
    return this.prefixEnd;
  }

  /** Emitted lines that have left the tracked set through the prefix, since the start (a counter). */
  get confirmed(): number {
    return this.emittedConfirmed;
  }

  /** Emitted lines still tracked (unacked, or acked behind an unacked one). */
  get tracked(): number {
    return this.numbers.length - this.head;
  }

  /** A line emitted as event `eventNumber` (higher than any before), ending at `endOffset`, line `endLine`. */
  emitted(eventNumber: number, endOffset: number, endLine: number): void {
    this.numbers.push(eventNumber);
    this.endOffsets.push(endOffset);
    this.endLines.push(endLine);
    this.acked.push(0);
  }

  /** A line the source skipped (never emitted), ending at `endOffset`, line `endLine`. */
  skipped(endOffset: number, endLine: number): void {
    const last = this.numbers.length - 1;
    if (last < this.head) this.prefixEnd = { offset: endOffset, line: endLine };
    else {
      this.endOffsets[last] = endOffset;
      this.endLines[last] = endLine;
    }
  }

  /** Marks the events first..last (an aggregate's range, usually one event) acked; true if the prefix moved. */
  ack(first: number, last: number): boolean {
    const { numbers } = this;
    if (first === last) {
      const index = this.indexOf(first);
      if (index !== -1) this.acked[index] = 1;
    } else {
      for (let index = this.lowerBound(first); index < numbers.length && numbers[index] <= last; index++) this.acked[index] = 1;
    }
    return this.advance();
  }

  /**
   * Forgets event `eventNumber` and every line read after it; returns where reading must start
   * again, or undefined when the event is not tracked (already confirmed, or forgotten by an
   * earlier fail: its line is being read again anyway).
   */
  fail(eventNumber: number): Position | undefined {
    const index = this.indexOf(eventNumber);
    if (index === -1) return undefined;
    const restart = index > this.head ? { offset: this.endOffsets[index - 1], line: this.endLines[index - 1] } : this.prefixEnd;
    this.numbers.length = index;
    this.endOffsets.length = index;
    this.endLines.length = index;
    this.acked.length = index;
    return restart;
  }

  /** Where event `eventNumber` is among the tracked lines, or -1. */
  private indexOf(eventNumber: number): number {
    const { numbers, head } = this;
    if (head >= numbers.length) return -1;
    // Numbers go up one by one (but after a fail): the usual place is found at once.
    const guess = head + (eventNumber - numbers[head]);
    if (guess >= head && guess < numbers.length && numbers[guess] === eventNumber) return guess;
    const index = this.lowerBound(eventNumber);
    return index < numbers.length && numbers[index] === eventNumber ? index : -1;
  }

  /** The first tracked line whose event number is at least `eventNumber`. */
  private lowerBound(eventNumber: number): number {
    const { numbers } = this;
    let low = this.head;
    let high = numbers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (numbers[middle] < eventNumber) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private advance(): boolean {
    const { acked } = this;
    const before = this.head;
    while (this.head < acked.length && acked[this.head] === 1) this.head++;
    if (this.head === before) return false;
    this.emittedConfirmed += this.head - before;
    this.prefixEnd = { offset: this.endOffsets[this.head - 1], line: this.endLines[this.head - 1] };
    // Drop the confirmed lines now and then, not on every ack (a shift per ack is quadratic).
    if (this.head > 1024 && this.head * 2 > acked.length) {
      this.numbers.splice(0, this.head);
      this.endOffsets.splice(0, this.head);
      this.endLines.splice(0, this.head);
      this.acked.splice(0, this.head);
      this.head = 0;
    }
    return true;
  }
}
