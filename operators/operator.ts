/**
 * The operator interface: every node of a pipeline that is not a built-in input/output implements it.
 *
 * Modelled on Tremor's `Operator` trait (`on_event`, `on_signal`, `on_contraflow`, with flags saying
 * which an operator handles). Calls are synchronous and run to completion; an operator whose work
 * finishes later (the WAL waits for an LMDB commit) reports it through `OperatorContext.emitLater` /
 * `insightLater`, which the executor routes as if the operator had returned them.
 */
import type { Event } from '../engine/event.ts';
import type { Insight } from '../engine/insight.ts';
import type { Value } from '../queries/values/value.ts';
import type { BucketCounts } from '../engine/histogram.ts';

/** What one call produced: events on output ports, and insights to send upstream. */
export interface OperatorOutput {
  events: Array<[port: string, event: Event]>;
  insights: Insight[];
}

export interface Operator {
  /** Called for every event that reaches one of the node's input ports. */
  onEvent(port: string, event: Event): OperatorOutput;
  /** Set when the operator wants the pipeline's 100 ms tick. */
  onTick?(nowNs: number): OperatorOutput;
  /**
   * Called for insights coming back from downstream (in reverse topological order).
   * Return `'stop'` to absorb the insight (the WAL is a firewall for what it handles),
   * `'pass'` to let it travel on upstream unchanged.
   */
  onContraflow?(insight: Insight): 'stop' | 'pass';
  /** Figures for the status line of `rill server run` (the WAL: stored, storedBytes, inFlight). */
  stats?(): Record<string, number | string>;
  /** Histograms for `/metrics` of `rill server run --api` (the WAL: commit latency and batch size). */
  histograms?(): Record<string, BucketCounts>;
  /** Opens what the operator needs (stores, files) before the first event. */
  start?(): Promise<void>;
  /**
   * Set when the operator can have work in flight that will produce events or insights later
   * (a pending commit, stored events not yet emitted while downstream is open). Returns true when
   * there is none; `rill run` waits for it at the end of its input before closing.
   */
  isIdle?(): boolean;
  /** Releases everything; after it resolves nothing is half-written. */
  close?(): Promise<void>;
}

export interface OperatorContext {
  /** The node's name in the query (`on_disk_wal`). */
  readonly nodeId: string;
  /** The pipeline's id (the `.trickle` file stem). */
  readonly pipelineId: string;
  /** Runtime-unique id of this operator instance; use it as the source id of events it creates. */
  readonly uid: number;
  /**
   * Where an operator with no explicit storage `dir` keeps persistent state (rill's
   * `server run --data-dir`), as `<dataDir>/<pipelineId>/<nodeId>`. Undefined: such operators use
   * a temporary store, as Tremor does.
   */
  readonly dataDir?: string;
  /** Emit an event on one of this node's output ports outside an `onEvent`/`onTick` call. */
  emitLater(port: string, event: Event): void;
  /** Send an insight upstream outside an `onEvent`/`onTick`/`onContraflow` call. */
  insightLater(insight: Insight): void;
  /** Report a problem that does not stop the operator (written to stderr by the runtime). */
  warn(message: string): void;
}

/** Thrown by a factory when the `with` parameters are wrong; the compiler adds the source position. */
export class OperatorConfigError extends Error {
  constructor(message: string, readonly key?: string) {
    super(message);
  }
}

export interface OperatorFactory {
  /** Validates `params` (throwing OperatorConfigError) and builds the operator. */
  create(params: Record<string, Value> | undefined, context: OperatorContext): Operator;
}

export function emptyOutput(): OperatorOutput {
  return { events: [], insights: [] };
}

/**
 * "Nothing": one shared, frozen output for calls that produce nothing, so that a per-event call
 * (a WAL storing an event it cannot emit yet) allocates no arrays. Never push to it. Loop over
 * an output's arrays by index: V8 does not optimise a for...of over a frozen array, and allocated
 * an iterator and its results for every event that came out with nothing (engine/nodes.ts).
 */
export const NO_OUTPUT: OperatorOutput = Object.freeze({
  events: Object.freeze([]) as unknown as OperatorOutput['events'],
  insights: Object.freeze([]) as unknown as Insight[],
});
