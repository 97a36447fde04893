/**
 * Definitions -> instances: the compile-time checks of `define connector` and `create`
 * (reference §1.3, §3.2), and the connector and pipeline entries of the plan.
 *
 * Args flow like Tremor's: a `create … with` may only set args its definition declares; the
 * definition's defaults are overlaid by those values; every arg without a default must be set.
 * The definition's `with` values are then evaluated where the definition was written, with those
 * args as `args`.
 */
import type { Loc, UseStmt, WithParam } from '../ast.ts';
import type { SourceSpan } from '../diagnostic.ts';
import { compileStatements } from '../compile/query.ts';
import { typeName } from '../values/ops.ts';
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import type { ArgDecl, DefineConnectorStmt, WithClause } from './ast.ts';
import { evaluateAtDeploy } from './constant.ts';
import type { ConnectorDefinition, Definition, Namespace, PipelineDefinition, SourceFile } from './namespace.ts';
import type { ModuleLoader } from './modules.ts';
import type { ConnectorPlan, PipelinePlan } from './plan.ts';

/** The `with` keys a connector definition may set (Tremor's ConnectorDefinition params). */
export const CONNECTOR_PARAMETERS = ['codec', 'config', 'metrics_interval_s', 'postprocessors', 'preprocessors', 'reconnect'];

export function checkConnectorDefinition(statement: DefineConnectorStmt, file: SourceFile): void {
  for (const param of statement.with?.params ?? []) {
    if (!CONNECTOR_PARAMETERS.includes(param.name)) {
      throw file.error(
        param.nameLoc,
        `Invalid \`with\` parameter "${param.name}" in definition of connector "${statement.name.name}".`,
        `Available parameters are: ${CONNECTOR_PARAMETERS.join(', ')}`,
      );
    }
  }
}

/** What a `create` (or `deploy flow … with`) passes: its values, already evaluated where it was written. */
export interface GivenArgs {
  values: Array<{ param: WithParam; value: Value }>;
  /** The file the `with` was written in, for errors about it. */
  file: SourceFile;
  /** The whole statement, for "missing arg" errors. */
  loc: Loc;
}

/** The `with` of a create (or deploy), evaluated in `namespace` with `args` (the flow's args) readable. */
export function givenArgs(clause: WithClause | undefined, namespace: Namespace, args: Value, loc: Loc): GivenArgs {
  const values = (clause?.params ?? []).map((param) => ({ param, value: evaluateAtDeploy(param.value, namespace, args) }));
  return { values, file: namespace.file, loc };
}

/**
 * A `with` may only set args the target declares (checked when a flow is defined, before any
 * value is known). `name` is the instance (or flow id) being created, as Tremor names it.
 */
export function checkWithKeys(declared: readonly ArgDecl[], name: string, clause: WithClause | undefined, file: SourceFile): void {
  for (const param of clause?.params ?? []) {
    if (declared.some((arg) => arg.name === param.name)) continue;
    const hint =
      declared.length === 0
        ? `The definition of "${name}" does not expose any args. Remove this \`with\`.`
        : `The definition of "${name}" exposes the args: ${declared.map((arg) => arg.name).join(', ')}`;
    throw file.error(param.nameLoc, `\`with\` parameter "${param.name}" does not correspond to an argument in the target definition "${name}"`, hint);
  }
}

/** The args an instance named `name` of `definition` (declaring `declared`) runs with. */
export function bindArgs(declared: readonly ArgDecl[], definition: Definition<unknown>, name: string, given: GivenArgs): RecordValue {
  const args: RecordValue = {};
  for (const arg of declared) {
    const set = given.values.find(({ param }) => param.name === arg.name);
    if (set) setField(args, arg.name, set.value);
    else if (arg.default) setField(args, arg.name, evaluateAtDeploy(arg.default, definition.namespace, null));
    else {
      throw given.file.error(given.loc, `Required key not provided: \`${arg.name}\` is an arg of "${name}" without a default`, `Set it with \`with ${arg.name} = … end\``);
    }
  }
  return args;
}

export function instantiateConnector(definition: ConnectorDefinition, alias: string, given: GivenArgs, span: SourceSpan): ConnectorPlan {
  const statement = definition.statement;
  const args = bindArgs(statement.args, definition, alias, given);
  const settings = new Map<string, { value: Value; param: WithParam }>();
  for (const param of statement.with?.params ?? []) {
    settings.set(param.name, { value: evaluateAtDeploy(param.value, definition.namespace, args), param });
  }
  const file = definition.namespace.file;
  const typed = <T extends Value>(key: string, expected: string, test: (value: Value) => value is T): T | undefined => {
    const setting = settings.get(key);
    if (setting === undefined) return undefined;
    if (!test(setting.value)) {
      throw file.error(setting.param.value.loc, `Invalid type for \`${key}\` of connector "${statement.name.name}": expected ${expected}, got ${typeName(setting.value)}`);
    }
    return setting.value;
  };
  return {
    alias,
    kind: statement.connectorKind.name,
    definition: statement.name.name,
    config: typed('config', 'a record', isRecord),
    codec: typed('codec', 'a string', (value): value is string => typeof value === 'string'),
    preprocessors: typed('preprocessors', 'an array', Array.isArray),
    postprocessors: typed('postprocessors', 'an array', Array.isArray),
    reconnect: typed('reconnect', 'a record', isRecord),
    metricsIntervalS: typed('metrics_interval_s', 'an integer', (value): value is number => Number.isInteger(value)),
    span,
  };
}

export function instantiatePipeline(
  definition: PipelineDefinition,
  alias: string,
  given: GivenArgs,
  span: SourceSpan,
  modules: ModuleLoader,
): PipelinePlan {
  const statement = definition.statement;
  const args = bindArgs(statement.args, definition, alias, given);
  const inputs = statement.inputs?.map((port) => port.name) ?? ['in'];
  const outputs = statement.outputs?.map((port) => port.name) ?? ['out', 'err'];
  const file = definition.namespace.file;
  const resolveUse = (use: UseStmt) => modules.functions(use, file);
  const statements = file.attribute(() => compileStatements(statement.body, file.context, { inputs, outputs, args, resolveUse }));
  return {
    alias,
    definition: statement.name.name,
    args,
    inputs,
    outputs,
    query: { file: file.file, source: file.source, warnings: file.context.warnings, statements, ports: { inputs, outputs } },
    span,
  };
}

/** Sets a key even when it is `__proto__` (records are plain objects). */
function setField(record: RecordValue, key: string, value: Value): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
