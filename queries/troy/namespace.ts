/**
 * The names one troy scope sees: a file's top level, a module file, or one flow body. Flows are
 * hygienic (reference §1.3): a flow body starts from an empty Namespace and sees only its own `use`
 * aliases and definitions, never the enclosing file's. Connectors, pipelines, flows and functions
 * are separate namespaces, so `define connector x` and `define pipeline x` may coexist.
 *
 * A definition remembers the Namespace it was written in: its `with` values and default args are
 * evaluated there (a connector from `integration` calls `nanos::from_millis` through the
 * `use std::time::nanos` of integration.tremor, not of the flow that creates it).
 */
import type { Loc } from '../ast.ts';
import { CompileError, Diagnostic } from '../diagnostic.ts';
import { CompileContext, Scope } from '../compile/context.ts';
import type { StdModule } from '../stdlib/index.ts';
import { SourceMap } from '../source-map.ts';
import type { Value } from '../values/value.ts';
import type { DefineConnectorStmt, DefineFlowStmt, DefinePipelineStmt, ModularTarget } from './ast.ts';

/** One troy or module file: where its diagnostics point and what they render against. */
export class SourceFile {
  readonly context: CompileContext;

  constructor(
    readonly file: string,
    readonly source: string,
  ) {
    this.context = new CompileContext(new SourceMap(source, file));
  }

  /** A compile error at `loc` (two lines of context), ready to throw. */
  error(loc: Loc, message: string, hint?: string): CompileError {
    return new CompileError([this.context.compileError(loc, message, hint)], this.source);
  }

  /** Runs `work`; a Diagnostic it throws becomes a CompileError rendered against this file. */
  attribute<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof Diagnostic) throw new CompileError([error], this.source);
      throw error;
    }
  }
}

export interface Definition<Statement> {
  statement: Statement;
  /** Where it was written: its expressions are evaluated there. */
  namespace: Namespace;
}

export type ConnectorDefinition = Definition<DefineConnectorStmt>;
export type PipelineDefinition = Definition<DefinePipelineStmt>;
export type FlowDefinition = Definition<DefineFlowStmt>;

export type DefinitionKind = 'connector' | 'pipeline' | 'flow';

export class Namespace {
  /** `use` aliases: module files (their own Namespace) or built-in function modules. */
  readonly modules = new Map<string, Namespace | StdModule>();
  readonly connectors = new Map<string, ConnectorDefinition>();
  readonly pipelines = new Map<string, PipelineDefinition>();
  readonly flows = new Map<string, FlowDefinition>();
  readonly consts = new Map<string, Value>();
  /** This module's `fn`s, as a caller sees them through an alias. */
  readonly functions: StdModule = {};

  constructor(readonly file: SourceFile) {}

  definitions(kind: DefinitionKind): Map<string, Definition<unknown>> {
    return kind === 'connector' ? this.connectors : kind === 'pipeline' ? this.pipelines : this.flows;
  }

  /** The module file `a::b` names through the `use` aliases (nested ones too); this one for `[]`. */
  moduleAt(path: readonly string[]): Namespace | undefined {
    let namespace: Namespace = this;
    for (const segment of path) {
      const next = namespace.modules.get(segment);
      if (!(next instanceof Namespace)) return undefined;
      namespace = next;
    }
    return namespace;
  }

  /** `a::b::name`: the definition of that kind named `name` in module `a::b`. */
  lookup(kind: DefinitionKind, target: ModularTarget): Definition<unknown> | undefined {
    return this.moduleAt(target.module)?.definitions(kind).get(target.name);
  }

  /** A trickle compile scope for an expression written here: module functions by alias, and consts. */
  scope(localsAllowed = false): Scope {
    const scope = new Scope(this.file.context, localsAllowed);
    for (const [alias, module] of this.modules) scope.modules.set(alias, module instanceof Namespace ? module.functions : module);
    for (const [name, value] of this.consts) scope.consts.set(name, value);
    Object.assign(scope.ownFunctions, this.functions);
    return scope;
  }
}
