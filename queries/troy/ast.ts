/**
 * The syntax tree of a troy file (Tremor 0.12 deployments) and of the module files `use` loads.
 * Like the trickle AST (queries/ast.ts, whose expression and query-statement nodes it reuses),
 * nodes only record what was written and where; every check is in queries/troy/deploy.ts.
 */
import type { ConstStmt, Expr, Loc, QueryStmt, ScriptItem, UseStmt, WithParam } from '../ast.ts';

/** A name and where it was written. */
export interface Name {
  name: string;
  loc: Loc;
}

/** `a::b::c`: `module` is the path before the last segment (empty for a bare `c`). */
export interface ModularTarget {
  module: string[];
  name: string;
  loc: Loc;
}

/** `args a, b = 1`: an argument without a default is mandatory. */
export interface ArgDecl {
  name: string;
  default?: Expr;
  loc: Loc;
}

/** `with a = 1, b = 2 end`, with the span of the whole clause. */
export interface WithClause {
  params: WithParam[];
  loc: Loc;
}

export interface DefineFlowStmt {
  kind: 'defineFlow';
  name: Name;
  args: ArgDecl[];
  body: FlowStmt[];
  loc: Loc;
}

export interface DeployFlowStmt {
  kind: 'deployFlow';
  /** The deployed flow's id: the flow's name unless `from` names another flow. */
  alias: Name;
  from?: ModularTarget;
  with?: WithClause;
  loc: Loc;
}

export interface DefineConnectorStmt {
  kind: 'defineConnector';
  name: Name;
  /** The connector type after `from` (`tcp_server`, `wal`, ...): one identifier, no module path. */
  connectorKind: Name;
  args: ArgDecl[];
  with?: WithClause;
  loc: Loc;
}

export interface DefinePipelineStmt {
  kind: 'definePipeline';
  name: Name;
  /** Declared input ports (`from`); `in` when none are declared. */
  inputs?: Name[];
  /** Declared output ports (`into`); `out, err` when none are declared. */
  outputs?: Name[];
  args: ArgDecl[];
  /** The trickle statements between `pipeline` and `end`. */
  body: QueryStmt[];
  loc: Loc;
}

export interface CreateStmt {
  kind: 'create';
  what: 'connector' | 'pipeline';
  alias: Name;
  /** The definition instantiated; without `from`, the definition named like the alias. */
  from?: ModularTarget;
  with?: WithClause;
  loc: Loc;
}

export interface Endpoint {
  what: 'connector' | 'pipeline';
  alias: Name;
  port?: Name;
  loc: Loc;
}

export interface ConnectStmt {
  kind: 'connect';
  from: Endpoint;
  to: Endpoint;
  loc: Loc;
}

/** `fn name(a, b) with <expressions> end` in a module file. */
export interface FnStmt {
  kind: 'fn';
  name: Name;
  params: Name[];
  body: ScriptItem[];
  loc: Loc;
}

export type FlowStmt = UseStmt | DefineConnectorStmt | DefinePipelineStmt | CreateStmt | ConnectStmt;

/** What a `.troy` file given to `rill server run` may hold at its top level. */
export type DeploymentStmt = UseStmt | DefineFlowStmt | DeployFlowStmt;

/** What a module file found through the module path may hold. */
export type ModuleStmt = UseStmt | ConstStmt | FnStmt | DefineFlowStmt | DefineConnectorStmt | DefinePipelineStmt;
