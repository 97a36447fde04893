/**
 * What a running pipeline offers to the runtime and connectors. The executor implements it.
 */
import type { BucketCounts } from './histogram.ts';
import type { Event } from './event.ts';
import type { Insight } from './insight.ts';

export interface PipelineHandlers {
  /** An event reached an output node (`out`, `err`, `out/p`, ...). */
  onOutput(port: string, event: Event): void;
  /** An insight reached an input (`in`, `in/p`) and must go on to the source linked there. */
  onInsight(inputPort: string, insight: Insight): void;
}

export interface Pipeline {
  readonly id: string;
  /** Input ports (`in`, and `in/p` for each `from in/p`). */
  readonly inputs: readonly string[];
  /** Output ports (`out`, `err`, `metrics`, and `out/p` for each `into out/p`). */
  readonly outputs: readonly string[];
  /** Opens operator stores; call once before the first event. */
  start(handlers: PipelineHandlers): Promise<void>;
  /** Runs one event through the whole graph before returning (run to completion). */
  send(inputPort: string, event: Event): void;
  /** Declares whether the source linked to `inputPort` wants acks/fails (only those get them). */
  setTransactional(inputPort: string, transactional: boolean): void;
  /**
   * Declares that nothing is linked to `outputPort` (default: every output is linked): events
   * reaching it end there, and a transactional event that ends nowhere else is acked.
   */
  setOutputLinked?(outputPort: string, linked: boolean): void;
  /** An insight from a sink linked to `outputPort`. */
  contraflow(outputPort: string, insight: Insight): void;
  /** One 100 ms tick (the runtime drives the timer; tests call it directly). */
  tick(nowNs: number): void;
  /** Status figures per operator node that reports any (`on_disk_wal` -> {stored, inFlight, ...}). */
  stats(): Record<string, Record<string, number | string>>;
  /** Histograms per operator node that keeps any (`on_disk_wal` -> {commitSeconds, commitEvents}). */
  histograms(): Record<string, Record<string, BucketCounts>>;
  /** Closes every operator (the WAL closes its store). */
  close(): Promise<void>;
}
