/**
 * A checked deployment plan: what a runtime starts for a troy file (Tremor 0.12), and the shape a
 * Tremor 0.11 YAML front end can produce as well. It holds no runtime objects, only names, values
 * (queries/values) and compiled queries, so it can be built, inspected and tested without
 * starting anything.
 *
 * What the front end has already checked: every `create` names an existing definition and sets
 * only its args; every mandatory arg has a value; connector settings are constants of the right
 * shape (`codec` a string, `config` and `reconnect` records, pre/postprocessors lists,
 * `metrics_interval_s` an integer); every `connect` names an instance of its flow and a port that
 * instance has; aliases are unique in a flow, flow ids unique in a plan. What it leaves to the
 * runtime: whether a connector kind exists, and whether its `config` suits that kind.
 */
import type { CompiledQuery } from '../compiled-query.ts';
import type { SourceSpan } from '../diagnostic.ts';
import type { RecordValue, Value } from '../values/value.ts';

export interface DeploymentPlan {
  /** In `deploy flow` order: the order a runtime starts them in. */
  flows: FlowPlan[];
}

export interface FlowPlan {
  /** The flow id: the `deploy flow` alias, unique in the plan. */
  id: string;
  /** The `define flow` it instantiates (`deploy flow ID from DEFINITION`). */
  definition: string;
  /** The flow's args after `deploy … with` (defaults overlaid by the deploy's values). */
  args: RecordValue;
  /** In `create` order. */
  connectors: ConnectorPlan[];
  /** In `create` order. */
  pipelines: PipelinePlan[];
  /** In `connect` order. */
  links: LinkPlan[];
  /** The `deploy flow` statement. */
  span: SourceSpan;
}

export interface ConnectorPlan {
  /** The instance name from `create connector ALIAS`, unique among the flow's connectors. */
  alias: string;
  /** The connector type after `define connector NAME from KIND` (`tcp_server`, `wal`, `file`, ...). */
  kind: string;
  /** The definition it was created from. */
  definition: string;
  /** The `config` record, with args substituted; `undefined` when the definition sets none. */
  config: RecordValue | undefined;
  codec: string | undefined;
  /** As written: names (`"separate"`) or records (`{"name": …, "config": …}`). */
  preprocessors: Value[] | undefined;
  postprocessors: Value[] | undefined;
  /** The `reconnect` record, as given. */
  reconnect: RecordValue | undefined;
  metricsIntervalS: number | undefined;
  /** The `create connector` statement. */
  span: SourceSpan;
}

export interface PipelinePlan {
  /** The instance name from `create pipeline ALIAS`, unique among the flow's pipelines. */
  alias: string;
  /** The definition it was created from. */
  definition: string;
  /** The definition's args with the create's `with` values overlaid; the query reads them as `args`. */
  args: RecordValue;
  /** Declared input ports (`from`, default `in`). */
  inputs: string[];
  /** Declared output ports (`into`, default `out, err`). */
  outputs: string[];
  /**
   * The pipeline body, compiled by the trickle compiler with `args` bound; `query.ports` repeats
   * the declared ports for the engine (which today knows only `in`, `out`, `err`, `metrics`).
   */
  query: CompiledQuery;
  /** The `create pipeline` statement. */
  span: SourceSpan;
}

export interface LinkEnd {
  kind: 'connector' | 'pipeline';
  alias: string;
  /** Lower case, as Tremor matches ports; `out` (from) or `in` (to) when none was written. */
  port: string;
}

export interface LinkPlan {
  from: LinkEnd;
  to: LinkEnd;
  /** The `connect` statement. */
  span: SourceSpan;
}
