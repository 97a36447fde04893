/**
 * What compiled expressions run against, and how `emit`/`drop` leave a script early.
 */
import type { Value } from '../values/value.ts';
import type { OriginUri } from '../stdlib/origin.ts';

/** One evaluation's mutable world. Scripts reassign `event`, `meta`, `state` and locals. */
export interface Env {
  event: Value;
  meta: Value;
  state: Value;
  args: Value;
  /** Local variable slots, numbered at compile time; `undefined` = never assigned. */
  locals: Array<Value | undefined>;
  ingestNs: number;
  /** A grouped select's group: its values then their serialisation (`[1, "[1]"]`). */
  group?: Value;
  /** A windowed select's window name, while it emits that window. */
  window?: Value;
  /** The event's origin (tremor::origin); absent when its source gave none. */
  origin?: OriginUri;
}

/** A compiled expression: a closure built once, run per event (no AST walking per event). */
export type Evaluate = (env: Env) => Value;

/** Thrown by `emit`/`drop` to end the script; plain objects, so throwing them captures no stack. */
export type ScriptExit = { exit: 'emit'; value: Value | undefined; port: string } | { exit: 'drop' };

export const DROP: ScriptExit = { exit: 'drop' };

export function isScriptExit(thrown: unknown): thrown is ScriptExit {
  return typeof thrown === 'object' && thrown !== null && 'exit' in thrown;
}
