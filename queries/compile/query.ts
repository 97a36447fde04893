/**
 * Query statements -> CompiledQuery (trickle-spec §2, §8). Walks the statements in order, the way
 * Tremor does: `from` must name `in` or a node created earlier, `into` is resolved after all
 * statements; node names are unique and not reserved; with-parameters are constants.
 */
import type {
  ForExpr,
  ModuleItem,
  CreateOperatorStmt,
  CreateScriptStmt,
  DefineOperatorStmt,
  DefineWindowStmt,
  DefineScriptStmt,
  Expr,
  QueryStmt,
  SelectStmt,
  StreamPort,
  UseStmt,
  WithParam,
} from '../ast.ts';
import type { StdModule } from '../stdlib/index.ts';
import type {
  CompiledStatement,
  EventView,
  OperatorStatement,
  ScriptInstance,
  ScriptStatement,
  SelectStatement,
  StreamRef,
} from '../compiled-query.ts';
import type { SourceSpan } from '../diagnostic.ts';
import { Diagnostic } from '../diagnostic.ts';
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import { typeName } from '../values/ops.ts';
import { renderDiagnostic } from '../diagnostics/render.ts';
import type { Env } from './env.ts';
import { CompileContext, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { compileScriptBody, type CompiledScriptBody } from './script.ts';
import { declareModuleItem, useModule } from './modules.ts';
import { ScriptNamespace } from './namespace.ts';
import { compileWindow } from './window.ts';
import { compileWindowedSelect, needsWindowing } from './windowed-select.ts';
import type { WindowDefinition } from '../windows/window-kinds.ts';

/** A read-only map whose values are computed on first `get` and kept. */
class LazyMap<K, V> {
  private readonly values = new Map<K, V | undefined>();
  constructor(private readonly compute: (key: K) => V | undefined) {}
  get(key: K): V | undefined {
    if (!this.values.has(key)) this.values.set(key, this.compute(key));
    return this.values.get(key);
  }
}

const RESERVED_NODES = new Set(['in', 'out', 'err', 'metrics']);

interface OperatorDefinition {
  statement: DefineOperatorStmt;
  params: Record<string, Value> | undefined;
  /** Where its with-parameters were written (a used `.trickle` module's, or the query's). */
  context: CompileContext;
}

interface ScriptDefinition {
  body: CompiledScriptBody;
  params: Record<string, Value> | undefined;
  /** The source its runtime errors are rendered against. */
  source: string;
}

/**
 * A troy pipeline (`define pipeline NAME from … into … args … pipeline … end`) declares its own
 * ports and args; a `.trickle` query has `in`, `out` and `err` and no args.
 */
export interface PipelineBoundary {
  inputs: readonly string[];
  outputs: readonly string[];
  /** What `args` reads in selects: the pipeline's args record. */
  args: Value;
  /** Resolves a `use` of a module file (troy's module path); built-in modules otherwise. */
  resolveUse?: (statement: UseStmt) => StdModule;
}

const TRICKLE_BOUNDARY: PipelineBoundary = { inputs: ['in'], outputs: ['out', 'err'], args: null };

export function compileStatements(
  statements: QueryStmt[],
  context: CompileContext,
  boundary: PipelineBoundary = TRICKLE_BOUNDARY,
  namespace: ScriptNamespace = new ScriptNamespace([]),
): CompiledStatement[] {
  const reservedNodes = new Set([...RESERVED_NODES, ...boundary.inputs, ...boundary.outputs]);
  const queryScope = new Scope(context, false, namespace);
  const nodes = new Set<string>();
  const compiled: CompiledStatement[] = [];
  const pendingOperators: Array<{ statement: CreateOperatorStmt; index: number }> = [];
  const pendingScripts: Array<{ statement: CreateScriptStmt; index: number }> = [];
  const intos: StreamPort[] = [];
  let selectCount = 0;
  // Windows may be defined after the select that uses them, as in Tremor (resolved at to_pipe);
  // each is compiled once, when first needed, with the modules `use`d by then in scope.
  const windowStatements = new Map<string, DefineWindowStmt>();
  for (const statement of statements) {
    if (statement.kind !== 'defineWindow') continue;
    if (windowStatements.has(statement.name)) throw context.compileError(statement.loc, `Window \`${statement.name}\` is already defined`);
    windowStatements.set(statement.name, statement);
  }
  const windows = new LazyMap<string, WindowDefinition>((name) => {
    const path = name.split('::');
    if (path.length > 1) {
      // `from in[m::w]`: a window of a module (a `mod` or a `.trickle` file a `use` brought in).
      const module = namespace.moduleAt(path.slice(0, -1));
      const defined = module instanceof ScriptNamespace ? module.definitionsOf<ModuleWindow>('window').get(path[path.length - 1]!) : undefined;
      return defined && compileWindow(defined.statement, defined.context, (params) => constantParams(params, defined.context, new Scope(defined.context, false, defined.namespace)));
    }
    const statement = windowStatements.get(name);
    return statement && compileWindow(statement, context, (params) => constantParams(params, context, queryScope));
  });

  const claimName = (name: string, loc: CreateOperatorStmt['loc']): void => {
    if (reservedNodes.has(name)) {
      throw context.compileError(loc, `Name \`${name}\` is reserved for built-in nodes, please use another name.`);
    }
    if (nodes.has(name)) throw context.compileError(loc, `Name \`${name}\` is already in use for another node, please use another name.`);
    nodes.add(name);
  };

  for (const statement of statements) {
    switch (statement.kind) {
      case 'use':
        if (boundary.resolveUse) queryScope.modules.set(statement.alias ?? statement.path[statement.path.length - 1], boundary.resolveUse(statement));
        else useModule(statement, queryScope);
        break;
      case 'module':
        declareQueryModule([statement], context, namespace);
        break;
      case 'defineOperator':
      case 'defineScript':
        declareDefinition(statement, context, namespace);
        break;
      case 'createOperator':
        claimName(statement.name, statement.loc);
        pendingOperators.push({ statement, index: compiled.length });
        compiled.push(undefined as never);
        break;
      case 'createScript':
        claimName(statement.name, statement.loc);
        pendingScripts.push({ statement, index: compiled.length });
        compiled.push(undefined as never);
        break;
      case 'createStream':
        // Tremor silently ignores a stream whose name is already taken.
        if (!nodes.has(statement.name) && !reservedNodes.has(statement.name)) {
          nodes.add(statement.name);
          compiled.push({ kind: 'stream', nodeId: statement.name, span: context.sourceMap.span(statement.loc) });
        }
        break;
      case 'defineWindow':
        windows.get(statement.name);
        break;
      case 'select': {
        if (!boundary.inputs.includes(statement.from.node) && !nodes.has(statement.from.node)) throw undefinedStream(statement.from, context);
        intos.push(statement.into);
        const nodeId = `select_${selectCount++}`;
        if (needsWindowing(statement)) {
          compiled.push(
            compileWindowedSelect(statement, {
              nodeId,
              from: streamRef(statement.from, 'out', context),
              into: streamRef(statement.into, 'in', context),
              queryScope,
              context,
              args: boundary.args,
              windows,
              usesLocals: (node) => usesLocals(node, queryScope),
            }),
          );
        } else {
          compiled.push(compileSelect(statement, nodeId, queryScope, context, boundary.args));
        }
        break;
      }
    }
  }
  for (const into of intos) {
    if (!reservedNodes.has(into.node) || boundary.inputs.includes(into.node)) {
      if (!nodes.has(into.node)) throw undefinedStream(into, context);
    }
  }
  for (const { statement, index } of pendingOperators) {
    compiled[index] = createOperator(statement, namespace, context);
  }
  for (const { statement, index } of pendingScripts) {
    compiled[index] = createScript(statement, namespace, context);
  }
  return compiled;
}

/** A `define window` of a query module, compiled when a select names it. */
interface ModuleWindow {
  statement: DefineWindowStmt;
  context: CompileContext;
  namespace: ScriptNamespace;
}

/** `define … operator` / `define script`, in a query or in a `.trickle` module a `use` brought in. */
function declareDefinition(statement: DefineOperatorStmt | DefineScriptStmt, context: CompileContext, namespace: ScriptNamespace): void {
  if (statement.kind === 'defineOperator') {
    if (statement.withoutWith) warnOperatorWithoutWith(statement, context);
    namespace.definitionsOf<OperatorDefinition>('operator').set(statement.name, {
      statement,
      params: statement.params ? constantParams(statement.params, context) : undefined,
      context,
    });
  } else {
    namespace.definitionsOf<ScriptDefinition>('script').set(statement.name, defineScript(statement, context, namespace));
  }
}

/**
 * The definitions of a query module: a `.trickle` file a `use` brought in (module-loader.ts), or a
 * `mod name with … end` in a query, whose `define`s, `use`s, `const`s, `fn`s and nested modules go
 * into the module's namespace.
 */
export function declareQueryModule(statements: Array<QueryStmt | ModuleItem>, context: CompileContext, namespace: ScriptNamespace): void {
  const scope = new Scope(context, false, namespace);
  for (const statement of statements) {
    switch (statement.kind) {
      case 'module': {
        const child = namespace.child(statement.name);
        namespace.modules.set(statement.name, child);
        declareQueryModule(statement.items, context, child);
        break;
      }
      case 'use':
      case 'const':
      case 'function':
        declareModuleItem(statement, scope);
        break;
      case 'defineOperator':
      case 'defineScript':
        declareDefinition(statement, context, namespace);
        break;
      case 'defineWindow': {
        const windows = namespace.definitionsOf<ModuleWindow>('window');
        if (windows.has(statement.name)) throw context.compileError(statement.loc, `Window \`${statement.name}\` is already defined`);
        // Compiled where it is used (`from in[m::w]`), with its own file's context for errors.
        windows.set(statement.name, { statement, context, namespace });
        break;
      }
      default:
        throw context.compileError(statement.loc, 'A query module holds only `use`, `const`, `fn`, `mod` and `define` statements');
    }
  }
}

/** The definitions of `kind` that `create … from a::b::name` looks in: module `a::b`'s, or the query's own. */
function definitionsFor<T>(kind: string, statement: CreateOperatorStmt | CreateScriptStmt, namespace: ScriptNamespace): Map<string, T> {
  const module = statement.from && statement.from.module.length > 0 ? namespace.moduleAt(statement.from.module) : namespace;
  return module instanceof ScriptNamespace ? module.definitionsOf<T>(kind) : new Map();
}

function undefinedStream(port: StreamPort, context: CompileContext): Diagnostic {
  const nodeLoc = { start: port.loc.start, end: port.loc.start + port.node.length };
  return context.compileError(nodeLoc, `Stream used in \`from\` or \`into\` is not defined: ${port.node}`);
}

function streamRef(port: StreamPort, defaultPort: string, context: CompileContext): StreamRef {
  return { node: port.node, port: port.port ?? defaultPort, span: context.sourceMap.span(port.loc) };
}

function warnOperatorWithoutWith(statement: DefineOperatorStmt, context: CompileContext): void {
  const source = context.sourceMap.source;
  const params = (statement.params ?? []).map((param) => source.slice(param.loc.start, param.loc.end)).join(', ');
  context.warn(
    statement.loc,
    `Non-standard operator definition without \`with … end\`: write \`define ${statement.module}::${statement.type} operator ${statement.name} with ${params} end;\``,
  );
}

/**
 * Whether an expression reads a local variable (a bare name that is not a constant). The names a
 * comprehension's `case (k, v)` binds are not: a select may use them (Tremor's query-for-locals).
 */
function usesLocals(node: unknown, scope: Scope, bound: ReadonlySet<string> = new Set()): boolean {
  if (typeof node !== 'object' || node === null) return false;
  const candidate = node as { kind?: string; root?: string; name?: string; module?: string[] };
  if (candidate.kind === 'path' && candidate.root === 'local' && !candidate.module && !scope.consts.has(candidate.name as string) && !bound.has(candidate.name as string)) return true;
  if (candidate.kind === 'for') {
    const comprehension = node as ForExpr;
    if (usesLocals(comprehension.target, scope, bound)) return true;
    return comprehension.cases.some((forCase) => {
      const inner = new Set([...bound, forCase.key, forCase.value]);
      return usesLocals(forCase.guard, scope, inner) || forCase.body.some((item) => usesLocals(item, scope, inner));
    });
  }
  return Object.values(node).some((child) => usesLocals(child, scope, bound));
}

function compileSelect(statement: SelectStmt, nodeId: string, queryScope: Scope, context: CompileContext, args: Value): SelectStatement {
  for (const clause of [statement.target, statement.where, statement.having]) {
    if (clause && usesLocals(clause, queryScope)) {
      throw context.compileError(clause.loc, 'Local variables are not allowed here');
    }
  }
  const compiledTarget = compileExpression(statement.target, queryScope, false);
  const target = compiledTarget.evaluate;
  const where = statement.where ? compileExpression(statement.where, queryScope, false).evaluate : undefined;
  const having = statement.having ? compileExpression(statement.having, queryScope, false).evaluate : undefined;
  const isBareEvent = statement.target.kind === 'path' && statement.target.root === 'event' && statement.target.segments.length === 0;
  const shape = isBareEvent ? (where || having ? 'simple' : 'passthrough') : 'normal';
  const whereLoc = statement.where?.loc;
  const havingLoc = statement.having?.loc;
  // One environment per select node, reused for every event: selects run synchronously and never
  // keep it, so this saves an allocation per event on the hot path.
  const env: Env = { event: null, meta: {}, state: null, args, locals: [], ingestNs: 0 };
  const requireBoolean = (value: Value, loc: SelectStmt['loc']): boolean => {
    if (typeof value !== 'boolean') throw context.diagnostic(loc, `Conflicting types, got ${typeName(value)} but expected boolean`);
    return value;
  };

  let run: (event: EventView) => Value | undefined;
  if (shape === 'passthrough') run = (event) => event.data;
  else if (shape === 'simple') {
    run = (event) => {
      env.event = event.data;
      env.meta = event.meta;
      env.ingestNs = event.ingestNs;
      if (where && !requireBoolean(where(env), whereLoc!)) return undefined;
      if (having && !requireBoolean(having(env), havingLoc!)) return undefined;
      return event.data;
    };
  } else {
    run = (event) => {
      env.event = event.data;
      env.meta = event.meta;
      env.ingestNs = event.ingestNs;
      if (where && !requireBoolean(where(env), whereLoc!)) return undefined;
      const output = target(env);
      if (having) {
        // `having` sees the select's output as `event` and no metadata.
        env.event = output;
        env.meta = null;
        if (!requireBoolean(having(env), havingLoc!)) return undefined;
      }
      return output;
    };
  }
  return {
    kind: 'select',
    nodeId,
    from: streamRef(statement.from, 'out', context),
    into: streamRef(statement.into, 'in', context),
    shape,
    run,
    constantInserts: shape === 'normal' && !where && !having ? compiledTarget.constantInserts : undefined,
    span: context.sourceMap.span(statement.loc),
  };
}

/** Each script body is its own top-level module: it needs its own `use`s (trickle-spec §4.8). */
function defineScript(statement: DefineScriptStmt, context: CompileContext, namespace: ScriptNamespace): ScriptDefinition {
  const scope = new Scope(context, true, new ScriptNamespace([], namespace.loader));
  return {
    body: compileScriptBody(statement.body, scope),
    params: statement.params ? constantParams(statement.params, context) : undefined,
    source: context.sourceMap.source,
  };
}

function constantParams(params: WithParam[], context: CompileContext, scope = new Scope(context, false)): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const param of params) {
    let compiled;
    try {
      compiled = compileExpression(param.value, scope, false);
    } catch (error) {
      if (error instanceof Diagnostic && error.message === 'Local variables are not allowed here') {
        throw context.compileError(param.value.loc, "The expression isn't constant and can't be evaluated at compile time");
      }
      throw error;
    }
    if (!compiled.constant) {
      throw context.compileError(param.value.loc, "The expression isn't constant and can't be evaluated at compile time");
    }
    Object.defineProperty(values, param.name, { value: compiled.constant.value, enumerable: true, writable: true, configurable: true });
  }
  return values;
}

function paramSpans(params: WithParam[] | undefined, context: CompileContext): Record<string, SourceSpan> {
  const spans: Record<string, SourceSpan> = {};
  for (const param of params ?? []) spans[param.name] = context.sourceMap.span(param.nameLoc);
  return spans;
}

function createOperator(statement: CreateOperatorStmt, namespace: ScriptNamespace, context: CompileContext): OperatorStatement {
  const definitionName = statement.from?.name ?? statement.name;
  const found = definitionsFor<OperatorDefinition>('operator', statement, namespace).get(definitionName);
  if (!found) throw context.compileError(statement.loc, `Operator definition \`${definitionName}\` is not defined`);
  const definition = found.statement;
  const defined = found.params;
  const created = statement.params ? constantParams(statement.params, context) : undefined;
  const params = defined || created ? { ...defined, ...created } : undefined;
  return {
    kind: 'operator',
    nodeId: statement.name,
    operatorType: `${definition.module}::${definition.type}`,
    params,
    paramSpans: { ...paramSpans(definition.params, found.context), ...paramSpans(statement.params, context) },
    span: context.sourceMap.span(statement.loc),
  };
}

function createScript(statement: CreateScriptStmt, namespace: ScriptNamespace, context: CompileContext): ScriptStatement {
  const definitionName = statement.from?.name ?? statement.name;
  const definition = definitionsFor<ScriptDefinition>('script', statement, namespace).get(definitionName);
  if (!definition) throw context.compileError(statement.loc, `Script definition \`${definitionName}\` is not defined`);
  // Create-time params overlay the defined ones, but only when the definition had a `with` clause
  // (op/trickle/script.rs ignores them otherwise).
  const created = statement.params ? constantParams(statement.params, context) : undefined;
  const args: Value = definition.params ? { ...definition.params, ...created } : null;
  const body = definition.body;
  return {
    kind: 'script',
    nodeId: statement.name,
    instantiate: () => instantiateScript(body, args, definition.source),
    span: context.sourceMap.span(statement.loc),
  };
}

export function instantiateScript(body: CompiledScriptBody, args: Value, source: string): ScriptInstance {
  let state: Value = null;
  return {
    run(event) {
      const env: Env = {
        event: event.data,
        meta: event.meta,
        state,
        args,
        locals: new Array(body.localCount),
        ingestNs: event.ingestNs,
        origin: event.origin,
      };
      try {
        const result = body.run(env);
        state = env.state;
        if (result.kind === 'drop') return { kind: 'drop' };
        return { kind: 'emit', port: result.port, data: result.value, meta: metaRecord(env.meta) };
      } catch (error) {
        state = env.state;
        if (!(error instanceof Diagnostic)) throw error;
        return {
          kind: 'error',
          rendered: renderDiagnostic(error, source),
          data: env.event,
          meta: metaRecord(env.meta),
          diagnostic: error,
        };
      }
    },
  };
}

function metaRecord(meta: Value): RecordValue {
  return isRecord(meta) ? meta : {};
}
