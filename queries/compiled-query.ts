/**
 * What compiling a `.trickle` query produces, and what the engine builds a pipeline graph from.
 * The language side (`queries/`) produces it; the engine side (`engine/`) consumes it. Everything
 * here is already checked: streams named in `from` exist, names are unique and not reserved,
 * with-parameters are constants.
 */
import type { Diagnostic, SourceSpan } from './diagnostic.ts';
import type { RecordValue, Value } from './values/value.ts';
import type { WindowedSelectPlan } from './windows/grouped-windows.ts';
import type { OriginUri } from './stdlib/origin.ts';

export interface CompiledQuery {
  file: string;
  source: string;
  /** Non-fatal findings (non-standard seed syntax, match without default, ...). */
  warnings: Diagnostic[];
  /** In source order; statement order decides fan-out order. */
  statements: CompiledStatement[];
  /**
   * A troy pipeline's declared ports (`define pipeline P from … into …`), which its statements
   * read from and write into like `in` and `out`; undefined for a `.trickle` query (`in`; `out`, `err`).
   */
  ports?: { inputs: string[]; outputs: string[] };
}

export interface StreamRef {
  /** `in`, `out`, `err`, `metrics`, or a created operator/script/stream name. */
  node: string;
  /** `out` by default on the `from` side, `in` on the `into` side. */
  port: string;
  span: SourceSpan;
}

/** The input a select or script sees for one event. */
export interface EventView {
  data: Value;
  meta: RecordValue;
  ingestNs: number;
  /** Where the event came from (tremor::origin), when its source says. */
  origin?: OriginUri;
}

export interface SelectStatement {
  kind: 'select';
  /** `select_0`, `select_1`, ... in statement order. */
  nodeId: string;
  from: StreamRef;
  into: StreamRef;
  /**
   * `passthrough`: `select event from A into B` (forward unchanged).
   * `simple`: target `event` with where/having (filter, forward unchanged).
   * `normal`: any other target (new payload, original `$`).
   */
  shape: 'passthrough' | 'simple' | 'normal';
  /**
   * Runs where / target / having. Returns the output payload, or `undefined` when filtered out.
   * Throws a Diagnostic (runtime error with span) on a runtime error.
   */
  run(event: EventView): Value | undefined;
  /**
   * Set when the select is `select patch event of insert "k" => CONSTANT … end from … into …`
   * (only inserts of constant keys and values, no where/having): the engine may then build the
   * output's JSON text from the input's without evaluating `run` (engine/extended-json.ts).
   */
  constantInserts?: ConstantInserts;
  span: SourceSpan;
}

/** A patch that only inserts constant keys with constant values, known when compiled. */
export interface ConstantInserts {
  /** The inserted keys, distinct, in patch order. */
  keys: string[];
  /** `,"k1":v1,"k2":v2`: what the inserts add before the record's closing brace. */
  json: string;
  /**
   * The keys as JSON.stringify writes them (`"k1"`), to look for in a JSON text; undefined when a
   * key has a character it escapes, or a lone surrogate (a text may hold either written another way).
   */
  quotedKeys: string[] | undefined;
}

export type ScriptOutcome =
  | { kind: 'emit'; port: string; data: Value; meta: RecordValue }
  | { kind: 'drop' }
  /** Runtime error: `rendered` is the Dumb-highlighter text, `data` the payload at error time. */
  | { kind: 'error'; rendered: string; data: Value; meta: RecordValue; diagnostic?: Diagnostic };

/** One running instance of a script node; it owns its `state` (starts null, persists). */
export interface ScriptInstance {
  run(event: EventView): ScriptOutcome;
}

export interface ScriptStatement {
  kind: 'script';
  /** The node name from `create script NAME`. */
  nodeId: string;
  /** Builds a fresh instance (own state) with `args` already overlaid. */
  instantiate(): ScriptInstance;
  span: SourceSpan;
}

export interface OperatorStatement {
  kind: 'operator';
  /** The node name from `create operator NAME`. */
  nodeId: string;
  /** `qos::wal` */
  operatorType: string;
  /** Define-time params overlaid by create-time params; undefined when neither had any. */
  params: Record<string, Value> | undefined;
  /** Where each param key was written, for config errors that name the key. */
  paramSpans: Record<string, SourceSpan>;
  span: SourceSpan;
}

export interface StreamStatement {
  kind: 'stream';
  nodeId: string;
  span: SourceSpan;
}

/**
 * A select with windows (`from in[w]`), `group by` or aggregates: it keeps per-group state, emits
 * when windows close (on events and on ticks), and creates its own events.
 */
export interface WindowedSelectStatement {
  kind: 'windowedSelect';
  nodeId: string;
  from: StreamRef;
  into: StreamRef;
  /** What each running instance of the select is built from. */
  plan: WindowedSelectPlan;
  span: SourceSpan;
}

export type AnySelectStatement = SelectStatement | WindowedSelectStatement;

export type CompiledStatement = SelectStatement | WindowedSelectStatement | ScriptStatement | OperatorStatement | StreamStatement;
