/**
 * A pending batch's appends and removals (store.ts), as columns that keep their memory from one
 * batch to the next: the store hands a batch's columns back once the batch no longer needs them
 * and the next batch fills them again.
 *
 * Why: a batch holds a few thousand appends and removals, and arrays grown by push for every batch
 * reallocated their storage over and over, each copy living as long as the commit (several
 * milliseconds, through scavenges that copied and then promoted it): about 200 of the 764 MB a
 * 400,000-event `rill server run` file -> qos::wal -> file flow allocated (bench/allocation-profile.ts).
 */

const INITIAL_CAPACITY = 1024;
const NO_BUFFER = Buffer.alloc(0);

/** Append i is the record `buffers[i]` from `starts[i]` to `ends[i]`, for i below `count`. */
export class AppendColumns {
  count = 0;
  buffers: Buffer[] = new Array<Buffer>(INITIAL_CAPACITY).fill(NO_BUFFER);
  starts = new Int32Array(INITIAL_CAPACITY);
  ends = new Int32Array(INITIAL_CAPACITY);

  push(buffer: Buffer, start: number, end: number): void {
    if (this.count === this.starts.length) this.grow();
    const i = this.count++;
    this.buffers[i] = buffer;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  /** Empty again, keeping the memory; the records' buffers are let go. */
  clear(): void {
    this.buffers.fill(NO_BUFFER, 0, this.count);
    this.count = 0;
  }

  private grow(): void {
    const capacity = this.starts.length * 2;
    for (let i = this.buffers.length; i < capacity; i++) this.buffers.push(NO_BUFFER);
    this.starts = grown(this.starts, capacity);
    this.ends = grown(this.ends, capacity);
  }
}

/** Removal i is of event `seqs[i]`, whose record had `bytes[i]` bytes, for i below `count`. */
export class RemovalColumns {
  count = 0;
  /** Float64: sequence numbers grow past 2^31 in a long-lived store. */
  seqs = new Float64Array(INITIAL_CAPACITY);
  bytes = new Int32Array(INITIAL_CAPACITY);

  push(seq: number, recordBytes: number): void {
    if (this.count === this.seqs.length) {
      this.seqs = grown(this.seqs, this.seqs.length * 2);
      this.bytes = grown(this.bytes, this.bytes.length * 2);
    }
    const i = this.count++;
    this.seqs[i] = seq;
    this.bytes[i] = recordBytes;
  }

  clear(): void {
    this.count = 0;
  }
}

function grown<T extends Int32Array | Float64Array>(column: T, capacity: number): T {
  const larger = new (column.constructor as new (length: number) => T)(capacity);
  larger.set(column);
  return larger;
}

/** Columns handed back, for the next batches (at most two batches are alive: one committing, one filling). */
export class SpareColumns<T extends { clear(): void }> {
  private readonly spares: T[] = [];

  constructor(private readonly create: () => T) {}

  take(): T {
    return this.spares.pop() ?? this.create();
  }

  giveBack(columns: T): void {
    columns.clear();
    if (this.spares.length < 2) this.spares.push(columns);
  }
}
