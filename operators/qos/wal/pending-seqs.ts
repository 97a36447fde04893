/**
 * A WAL's pending events by sequence number (seq -> record bytes): those in flight, emitted and
 * neither acked nor failed, and those waiting to go out again (operator.ts). What a Map<number,
 * number> did, without its hash table.
 *
 * Why: every emitted event is set here and, on its ack, looked up and deleted. A Map hashes each
 * of those numbers, and grows its table by rehashing (28 KB to 229 KB at a time over a run); in
 * `perf record` of a `rill server run` file -> qos::wal -> file flow, the Map's builtins were
 * about 7% of the engine thread's samples. Pending seqs are nearly always a short run of
 * consecutive numbers (a WAL emits in sequence order, sinks ack in about that order), so they live
 * in a ring indexed by seq: a slot per seq in [base, base + slots), found by a mask.
 *
 * A seq the ring cannot hold without growing past MAX_SLOTS (an old event sent again while much
 * newer ones are in flight) goes to a Map of outliers instead, so memory stays bounded by the
 * pending events, never by the distance between their seqs.
 */

/** The ring's first size (a power of two), doubled while the window of pending seqs grows. */
const INITIAL_SLOTS = 1024;
/** The ring's largest size: 4 MB of slots. Seqs further apart than this go to the outliers. */
const MAX_SLOTS = 1 << 20;

export class PendingSeqs {
  /** Record bytes + 1 of the seq in each slot; 0 for an empty slot (a record is never -1 bytes). */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /**
   * While `count` > 0: every seq in the ring is in [base, top], and top - base < slots.length;
   * `base` is the lowest of them (moved on past empty slots as they empty).
   */
  private base = 0;
  private top = 0;
  private count = 0;
  private readonly outliers = new Map<number, number>();

  get size(): number {
    return this.count + this.outliers.size;
  }

  get(seq: number): number | undefined {
    if (this.count > 0 && seq >= this.base && seq <= this.top) {
      const value = this.slots[seq & this.mask];
      if (value !== 0) return value - 1;
    }
    return this.outliers.size === 0 ? undefined : this.outliers.get(seq);
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  set(seq: number, recordBytes: number): void {
    if (this.outliers.size > 0 && this.outliers.has(seq)) {
      this.outliers.set(seq, recordBytes);
      return;
    }
    if (this.count === 0) {
      this.base = seq;
      this.top = seq;
    } else if (seq < this.base || seq > this.top) {
      const low = Math.min(seq, this.base);
      const high = Math.max(seq, this.top);
      if (high - low >= this.slots.length && !this.grow(high - low + 1)) {
        this.outliers.set(seq, recordBytes);
        return;
      }
      this.base = low;
      this.top = high;
    }
    const slot = seq & this.mask;
    if (this.slots[slot] === 0) this.count++;
    this.slots[slot] = recordBytes + 1;
  }

  delete(seq: number): boolean {
    if (this.count > 0 && seq >= this.base && seq <= this.top) {
      const slot = seq & this.mask;
      if (this.slots[slot] !== 0) {
        this.slots[slot] = 0;
        this.count--;
        if (this.count > 0 && seq === this.base) this.moveBasePastEmptySlots();
        return true;
      }
    }
    return this.outliers.size > 0 && this.outliers.delete(seq);
  }

  /** The pending seqs: the ring's in ascending order, then the outliers. Deleting the seq being visited is safe. */
  *keys(): IterableIterator<number> {
    for (const [seq] of this.entries()) yield seq;
  }

  /** [seq, record bytes] of every pending seq, in the order of `keys`. */
  *entries(): IterableIterator<[number, number]> {
    if (this.count > 0) {
      const { base, top } = this;
      for (let seq = base; seq <= top; seq++) {
        // Read afresh each time: a visit may have deleted (or a grow moved) what follows.
        const value = this.count > 0 && seq >= this.base && seq <= this.top ? this.slots[seq & this.mask] : 0;
        if (value !== 0) yield [seq, value - 1];
      }
    }
    yield* this.outliers.entries();
  }

  [Symbol.iterator](): IterableIterator<[number, number]> {
    return this.entries();
  }

  private moveBasePastEmptySlots(): void {
    // count > 0: some slot in (base, top] is full, so this stops.
    while (this.slots[this.base & this.mask] === 0) this.base++;
  }

  /** A ring of at least `span` slots with the current seqs in their new slots; false past MAX_SLOTS. */
  private grow(span: number): boolean {
    let size = this.slots.length;
    while (size < span) size *= 2;
    if (size > MAX_SLOTS) return false;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let seq = this.base; seq <= this.top; seq++) {
      const value = this.slots[seq & this.mask];
      if (value !== 0) slots[seq & mask] = value;
    }
    this.slots = slots;
    this.mask = mask;
    return true;
  }
}
