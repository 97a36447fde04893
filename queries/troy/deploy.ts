/**
 * A troy file -> a checked DeploymentPlan (queries/troy/plan.ts), the way Tremor 0.12 loads one
 * (reference §1.3, §3): statements in source order; `deploy flow` resolves its flow when it is
 * reached; each deployed flow is instantiated in a fresh (hygienic) namespace, its `create`s
 * resolved as they come, its `connect`s checked once every instance exists.
 *
 * Errors are CompileErrors rendered against the file they point into (a module's own source for
 * an error in a module). Besides Tremor's compile errors, the checks Tremor leaves to its runtime
 * are made here with the file, line and what exists: a `connect` to an unknown instance or port,
 * a flow id deployed twice, an instance alias created twice in a flow.
 */
import type { CompileError } from '../diagnostic.ts';
import type { ConnectStmt, DefineConnectorStmt, DefineFlowStmt, DefinePipelineStmt, DeployFlowStmt, Endpoint, ModularTarget } from './ast.ts';
import { bindArgs, checkConnectorDefinition, checkWithKeys, givenArgs, instantiateConnector, instantiatePipeline } from './definitions.ts';
import { defaultModulePath, define, ModuleLoader, type ModuleMount } from './modules.ts';
import { Namespace, SourceFile, type ConnectorDefinition, type DefinitionKind, type FlowDefinition, type PipelineDefinition } from './namespace.ts';
import { parseDeployment } from './parse.ts';
import type { DeploymentPlan, FlowPlan, LinkEnd } from './plan.ts';

export interface DeployOptions {
  /** Where `use` looks; `TREMOR_PATH` then the bundled modules by default. */
  modulePath?: readonly ModuleMount[];
}

/** Parses and checks a troy file; throws a CompileError (never anything else for bad input). */
export function planDeployment(source: string, file: string, options: DeployOptions = {}): DeploymentPlan {
  const top = new Namespace(new SourceFile(file, source));
  const statements = top.file.attribute(() => parseDeployment(source, file));
  const modules = new ModuleLoader(options.modulePath ?? defaultModulePath());
  const flows: FlowPlan[] = [];
  for (const statement of statements) {
    switch (statement.kind) {
      case 'use':
        modules.use(statement, top);
        break;
      case 'defineFlow':
        // Tremor compiles a flow when it is defined: its errors show even if it is never deployed.
        walkFlow(statement, top.file, modules);
        define(top, 'flow', statement.name, { statement, namespace: top });
        break;
      case 'deployFlow': {
        const earlier = flows.find((flow) => flow.id === statement.alias.name);
        if (earlier) {
          throw top.file.error(
            statement.alias.loc,
            `Flow with id "${statement.alias.name}" is already deployed.`,
            `It was deployed at ${earlier.span.file}:${earlier.span.line}; deploy another instance with \`deploy flow OTHER_ID from ${earlier.definition};\``,
          );
        }
        flows.push(deployFlow(statement, top, modules));
        break;
      }
    }
  }
  return { flows };
}

function deployFlow(statement: DeployFlowStmt, top: Namespace, modules: ModuleLoader): FlowPlan {
  const target: ModularTarget = statement.from ?? { module: [], name: statement.alias.name, loc: statement.alias.loc };
  const definition = resolve(top, 'flow', target) as FlowDefinition;
  const flow = definition.statement;
  checkWithKeys(flow.args, statement.alias.name, statement.with, top.file);
  const args = bindArgs(flow.args, definition, statement.alias.name, givenArgs(statement.with, top, null, statement.loc));
  const plan: FlowPlan = {
    id: statement.alias.name,
    definition: flow.name.name,
    args,
    connectors: [],
    pipelines: [],
    links: [],
    span: top.file.context.sourceMap.span(statement.loc),
  };
  walkFlow(flow, definition.namespace.file, modules, plan);
  return plan;
}

/**
 * Goes through a flow body in a fresh namespace: `use`s, definitions, each `create`'s target and
 * `with` keys. Given a plan (a deployment, its args set), it also instantiates every `create` and
 * checks and links every `connect`.
 */
function walkFlow(flow: DefineFlowStmt, file: SourceFile, modules: ModuleLoader, plan?: FlowPlan): void {
  const scope = new Namespace(file);
  const connects: ConnectStmt[] = [];
  for (const statement of flow.body) {
    switch (statement.kind) {
      case 'use':
        modules.use(statement, scope);
        break;
      case 'defineConnector':
        checkConnectorDefinition(statement, file);
        define(scope, 'connector', statement.name, { statement, namespace: scope });
        break;
      case 'definePipeline':
        define(scope, 'pipeline', statement.name, { statement, namespace: scope });
        break;
      case 'create': {
        const target: ModularTarget = statement.from ?? { module: [], name: statement.alias.name, loc: statement.alias.loc };
        const definition = resolve(scope, statement.what, target);
        checkWithKeys((definition.statement as DefineConnectorStmt | DefinePipelineStmt).args, statement.alias.name, statement.with, file);
        if (!plan) break;
        const instances = statement.what === 'connector' ? plan.connectors : plan.pipelines;
        const earlier = instances.find((instance) => instance.alias === statement.alias.name);
        if (earlier) {
          throw file.error(
            statement.alias.loc,
            `The ${statement.what} \`${statement.alias.name}\` is already created in flow \`${flow.name.name}\``,
            `It was created at ${earlier.span.file}:${earlier.span.line}; give this instance another name`,
          );
        }
        const given = givenArgs(statement.with, scope, plan.args, statement.loc);
        const created = file.context.sourceMap.span(statement.loc);
        if (statement.what === 'connector') {
          plan.connectors.push(instantiateConnector(definition as ConnectorDefinition, statement.alias.name, given, created));
        } else {
          plan.pipelines.push(instantiatePipeline(definition as PipelineDefinition, statement.alias.name, given, created, modules));
        }
        break;
      }
      case 'connect':
        connects.push(statement);
        break;
    }
  }
  if (!plan) return;
  for (const connect of connects) {
    plan.links.push({
      from: linkEnd(connect.from, 'from', plan, file),
      to: linkEnd(connect.to, 'to', plan, file),
      span: file.context.sourceMap.span(connect.loc),
    });
  }
}

/** A definition by (module path and) name, or Tremor's "Artefact … is not defined" error. */
function resolve(namespace: Namespace, kind: DefinitionKind, target: ModularTarget) {
  const found = namespace.lookup(kind, target);
  if (found) return found;
  const name = [...target.module, target.name].join('::');
  const defined = [...(namespace.moduleAt(target.module)?.definitions(kind).keys() ?? [])];
  const where = target.module.length > 0 ? ` (looked up in module \`${target.module.join('::')}\`)` : '';
  throw namespace.file.error(
    target.loc,
    `Artefact \`${name}\` is not defined or not found, the following are defined: ${defined.join(', ')}`,
    `No ${kind} definition named \`${name}\` is visible here${where}; flows only see their own definitions and \`use\`s`,
  );
}

/**
 * Ports (reference §3.3), matched in lower case: a connector's outputs are `out` and `err`, its
 * inputs `in` (stdio also `stdout`, `stderr`); whether a connector kind has a source or a sink
 * part at all is the runtime's to check. A pipeline's ports are the ones its definition declares.
 */
const CONNECTOR_OUTPUTS = ['out', 'err'];
const CONNECTOR_INPUTS: Record<string, string[]> = { stdio: ['in', 'stdout', 'stderr'] };

function linkEnd(endpoint: Endpoint, side: 'from' | 'to', plan: FlowPlan, file: SourceFile): LinkEnd {
  const alias = endpoint.alias.name;
  const port = (endpoint.port?.name ?? (side === 'from' ? 'out' : 'in')).toLowerCase();
  let ports: string[];
  if (endpoint.what === 'connector') {
    const connector = plan.connectors.find((instance) => instance.alias === alias);
    if (!connector) throw unknownInstance(endpoint, plan.connectors.map((instance) => instance.alias), plan, file);
    ports = side === 'from' ? CONNECTOR_OUTPUTS : (CONNECTOR_INPUTS[connector.kind] ?? ['in']);
  } else {
    const pipeline = plan.pipelines.find((instance) => instance.alias === alias);
    if (!pipeline) throw unknownInstance(endpoint, plan.pipelines.map((instance) => instance.alias), plan, file);
    ports = (side === 'from' ? pipeline.outputs : pipeline.inputs).map((name) => name.toLowerCase());
  }
  if (!ports.includes(port)) {
    const direction = side === 'from' ? 'output' : 'input';
    throw file.error(
      endpoint.port?.loc ?? endpoint.loc,
      `Invalid Connect to ${alias} via port ${port}: the ${endpoint.what} \`${alias}\` has no ${direction} port \`${port}\``,
      `Its ${direction} ports are: ${ports.join(', ')}`,
    );
  }
  return { kind: endpoint.what, alias, port };
}

function unknownInstance(endpoint: Endpoint, existing: string[], plan: FlowPlan, file: SourceFile): CompileError {
  const what = endpoint.what === 'connector' ? 'Connector' : 'Pipeline';
  return file.error(
    endpoint.alias.loc,
    `${what} \`${endpoint.alias.name}\` not found in flow \`${plan.definition}\``,
    existing.length > 0
      ? `The flow creates the ${endpoint.what}s: ${existing.join(', ')}`
      : `The flow creates no ${endpoint.what}s: add \`create ${endpoint.what} ${endpoint.alias.name} …;\``,
  );
}
