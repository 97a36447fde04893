/**
 * The scenario of refused-removals.test.ts, shared by the test and its child process
 * (refused-removals-child.ts): what the child stores and removes, and the reports it prints.
 */
export const RECORDS = 50;
export const RECORD_BYTES = 1000;
export const REMOVED = 20;
export const AFTER_RECOVERY = Buffer.from('stored after the space came back');

export function recordFor(seq: number): Buffer {
  return Buffer.alloc(RECORD_BYTES, `record ${seq};`);
}

/** What the store says about itself: in-memory counters and what is committed on disk. */
export interface StoreView {
  storedEvents: number;
  storedBytes: number;
  removalsAwaitingRetry: number;
  committedSeqs: number[];
}

export interface RefusedReport {
  firstRefusal: string;
  afterFirstRefusal: StoreView;
  secondRefusal: string;
  afterSecondRefusal: StoreView;
}

export interface RecoveredReport {
  afterProbe: StoreView;
  afterAppend: StoreView & { appendedSeq: number; nextSeq: number };
  /** Committed records whose bytes differ from what was appended (must be none). */
  changedRecords: number[];
}
