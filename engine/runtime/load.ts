/**
 * Loads the files given to `rill server run -f` into a plan: the connector and pipeline instances
 * to run and the links between them. Nothing is started here; every problem in any file is
 * collected and thrown at the end as LoadErrors, so a user sees all of them at once.
 *
 * As `tremor server run` does: `.trickle` files define pipelines (id = file stem), `.yaml`/`.yml`
 * files define onramps, offramps, bindings and mappings, and each mapping entry
 * `/binding/<id>/<instance>` instantiates a binding with its values substituted into the links.
 */
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { compileQuery, renderDiagnostic } from '../../queries/index.ts';
import { CompileError, Diagnostic } from '../../queries/diagnostic.ts';
import type { CompiledQuery } from '../../queries/compiled-query.ts';
import { buildPipeline } from '../build-pipeline.ts';
import type { Pipeline } from '../pipeline.ts';
import { ConnectorConfigError, type Sink, type Source } from '../../connectors/connector.ts';
import { requireConnectorKinds, sinkFactories, sourceFactories } from '../../connectors/registry.ts';
import { codecs } from '../../connectors/codec.ts';
import { parseArtefactFile, type BindingSpec, type ConnectorSpec, type LinkSpec, type MappingSpec } from './artefact-file.ts';
import { ConfigError, didYouMean, LoadErrors } from './config-error.ts';
import { instanceName, parseEndpoint, substitute, type Endpoint } from './endpoint.ts';
import { planDeployment, type DeploymentPlan } from '../../queries/troy/index.ts';
import { addDeployment } from './troy-plan.ts';

export interface LoadOptions {
  /** Default home for WALs without an explicit `dir` and for connector state such as file checkpoints (`--data-dir`). */
  dataDir?: string;
  /** Where warnings go (non-standard trickle, ignored keys). */
  warn: (message: string) => void;
  /** Runtime errors of pipelines (a select failing on an event). */
  onPipelineError?: (pipeline: string, rendered: string) => void;
  /** `--debug-connectors`: troy may use Tremor's debug connector kinds (`exit`, `null`). */
  debugConnectors?: boolean;
}

export interface SourceInstance {
  name: string;
  /** Troy's `metrics_interval_s`: report this part's counts to `metrics` connectors that often. */
  metricsIntervalS?: number;
  spec: ConnectorSpec;
  source: Source;
}

export interface SinkInstance {
  name: string;
  /** Troy's `metrics_interval_s`: report this part's counts to `metrics` connectors that often. */
  metricsIntervalS?: number;
  spec: ConnectorSpec;
  sink: Sink;
}

export interface PipelineInstance {
  name: string;
  /** Troy's `metrics_interval_s`: report this part's counts to `metrics` connectors that often. */
  metricsIntervalS?: number;
  pipeline: Pipeline;
}

export interface PlannedLink {
  from: Endpoint;
  to: Endpoint;
}

export interface RuntimePlan {
  sources: SourceInstance[];
  sinks: SinkInstance[];
  pipelines: PipelineInstance[];
  links: PlannedLink[];
}

interface LoadedQuery {
  file: string;
  query: CompiledQuery;
}

export function loadArtefacts(files: string[], options: LoadOptions): RuntimePlan {
  return new Loader(options).load(files);
}

class Loader {
  private readonly problems: string[] = [];
  private readonly queries = new Map<string, LoadedQuery>();
  private readonly connectors = new Map<string, ConnectorSpec>();
  private readonly bindings = new Map<string, BindingSpec>();
  private readonly mappings: MappingSpec[] = [];
  private readonly deployments: DeploymentPlan[] = [];

  constructor(private readonly options: LoadOptions) {}

  load(files: string[]): RuntimePlan {
    // Tremor loads every .trickle file before any .yaml, so links can name any pipeline.
    const ordered = [...files.filter(isTrickle), ...files.filter((file) => !isTrickle(file))];
    for (const file of ordered) this.readFile(file);
    // Troy connectors are created one by one (troy-plan.ts): a kind not loaded yet must stop the load before any is.
    requireConnectorKinds(this.deployments.flatMap((deployment) => deployment.flows.flatMap((flow) => flow.connectors.map((connector) => connector.kind))));
    const plan = this.problems.length === 0 ? this.instantiate() : undefined;
    if (plan !== undefined) for (const deployment of this.deployments) addDeployment(deployment, this.options, plan, this.problems);
    if (plan === undefined || this.problems.length > 0) throw new LoadErrors(this.problems);
    return plan;
  }

  private readFile(file: string): void {
    const extension = extname(file);
    if (!['.trickle', '.yaml', '.yml', '.troy'].includes(extension)) {
      this.problems.push(`${file}: unsupported file type "${extension || '(none)'}" (expected .troy, .yaml, .yml or .trickle)`);
      return;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      this.problems.push(`${file}: cannot read the file: ${(error as Error).message}`);
      return;
    }
    if (isTrickle(file)) this.readQuery(file, text);
    else if (extension === '.troy') this.readTroy(file, text);
    else this.readYaml(file, text);
  }

  private readQuery(file: string, source: string): void {
    const id = basename(file, '.trickle');
    const existing = this.queries.get(id);
    if (existing) {
      this.problems.push(`${file}: pipeline "${id}" is already defined by ${existing.file}`);
      return;
    }
    try {
      const query = compileQuery(source, file);
      for (const warning of query.warnings) this.options.warn(renderWithFile(warning, source));
      this.queries.set(id, { file, query });
    } catch (error) {
      this.problems.push(...renderQueryError(error, source));
    }
  }

  /** A troy file (Tremor 0.12): parsed and checked into a deployment plan, instantiated after the YAML. */
  private readTroy(file: string, source: string): void {
    try {
      this.deployments.push(planDeployment(source, file));
    } catch (error) {
      this.problems.push(...renderQueryError(error, source));
    }
  }

  private readYaml(file: string, text: string): void {
    const { artefacts, errors } = parseArtefactFile(file, text);
    this.problems.push(...errors.map((error) => error.message));
    for (const warning of artefacts.warnings) this.options.warn(warning);
    for (const connector of artefacts.connectors) {
      const key = `${connector.kind}/${connector.id}`;
      const existing = this.connectors.get(key);
      if (existing) this.fail(file, connector.position, `${connector.kind} "${connector.id}" is already defined in ${existing.file}`);
      else this.connectors.set(key, connector);
    }
    for (const binding of artefacts.bindings) {
      const existing = this.bindings.get(binding.id);
      if (existing) this.fail(file, binding.position, `binding "${binding.id}" is already defined in ${existing.file}`);
      else this.bindings.set(binding.id, binding);
    }
    this.mappings.push(...artefacts.mappings);
  }

  private instantiate(): RuntimePlan {
    const links = this.resolveMappings();
    const plan: RuntimePlan = { sources: [], sinks: [], pipelines: [], links: [] };
    const created = new Set<string>();
    const pipelineInstances = new Map<string, Pipeline>();
    const instancesPerPipeline = countInstances(links.flatMap(({ from, to }) => [from, to]).filter((e) => e.kind === 'pipeline'));

    const ensure = (endpoint: Endpoint): boolean => {
      const name = instanceName(endpoint);
      if (created.has(name)) return true;
      if (endpoint.kind === 'pipeline') {
        const loaded = this.queries.get(endpoint.id)!;
        const id = instancesPerPipeline.get(endpoint.id)! > 1 ? `${endpoint.id}-${endpoint.instance}` : endpoint.id;
        try {
          const pipeline = buildPipeline(loaded.query, {
            id,
            dataDir: this.options.dataDir,
            onError: (_error, rendered) => this.options.onPipelineError?.(name, rendered),
            onWarning: (message) => this.options.warn(`${name}: ${message}`),
          });
          pipelineInstances.set(name, pipeline);
          plan.pipelines.push({ name, pipeline });
        } catch (error) {
          this.problems.push(...renderQueryError(error, loaded.query.source));
          return false;
        }
      } else {
        const spec = this.connectors.get(`${endpoint.kind}/${endpoint.id}`)!;
        const connector = this.createConnector(spec, endpoint.instance);
        if (connector === undefined) return false;
        if (spec.kind === 'onramp') plan.sources.push({ name, spec, source: connector as Source });
        else plan.sinks.push({ name, spec, sink: connector as Sink });
      }
      created.add(name);
      return true;
    };

    for (const link of links) {
      if (!ensure(link.from) || !ensure(link.to)) continue;
      if (this.checkPorts(link, pipelineInstances)) plan.links.push({ from: link.from, to: link.to });
    }
    for (const [id, { file }] of this.queries) {
      if (!instancesPerPipeline.has(id)) this.options.warn(`${file}: pipeline "${id}" is not linked by any binding a mapping instantiates; it is not run`);
    }
    if (this.mappings.length === 0 && this.deployments.length === 0) this.options.warn('no mapping instantiates a binding: nothing will run');
    return plan;
  }

  private createConnector(spec: ConnectorSpec, instance: string): Source | Sink | undefined {
    const factory = spec.kind === 'onramp' ? sourceFactories.get(spec.type)! : sinkFactories.get(spec.type)!;
    const label = `${spec.kind} "${spec.id}"`;
    try {
      return factory.create({
        id: spec.id,
        config: spec.config,
        codec: codecs.get(spec.codec)!,
        // Absent when the artefact gives none: the connector then frames as its docs say (tcp: lines).
        preprocessors: spec.preprocessors.length > 0 ? spec.preprocessors : undefined,
        postprocessors: spec.postprocessors.length > 0 ? spec.postprocessors : undefined,
        stateDir: this.options.dataDir === undefined ? undefined : join(this.options.dataDir, spec.kind, spec.id, instance),
        warn: (message) => this.options.warn(`${spec.file}: ${label}: ${message}`),
      });
    } catch (error) {
      if (!(error instanceof ConnectorConfigError)) throw error;
      this.fail(spec.file, spec.position, `${label}: config: ${error.message}`);
      return undefined;
    }
  }

  /** Checks the ports a link names against what the connector or pipeline offers. */
  private checkPorts(link: ResolvedLink, pipelines: Map<string, Pipeline>): boolean {
    const problems: string[] = [];
    const { from, to } = link;
    if (from.kind === 'onramp' && from.port !== 'out') problems.push(`onramp "${from.id}" has only the port "out", not "${from.port}"`);
    if (to.kind === 'offramp' && to.port !== 'in') problems.push(`offramp "${to.id}" has only the port "in", not "${to.port}"`);
    if (from.kind === 'pipeline') {
      const outputs = pipelines.get(instanceName(from))!.outputs;
      if (!outputs.includes(from.port)) problems.push(`pipeline "${from.id}" has no output port "${from.port}"${didYouMean(from.port, outputs) || ` (it has ${outputs.join(', ')})`}`);
    }
    if (to.kind === 'pipeline') {
      const inputs = pipelines.get(instanceName(to))!.inputs;
      if (!inputs.includes(to.port)) problems.push(`pipeline "${to.id}" has no input port "${to.port}"${didYouMean(to.port, inputs) || ` (it has ${inputs.join(', ')})`}`);
    }
    for (const problem of problems) this.fail(link.binding.file, link.spec.position, `${link.where}: ${problem}`);
    return problems.length === 0;
  }

  /** Every link of every binding a mapping instantiates, with placeholders filled in and targets checked. */
  private resolveMappings(): ResolvedLink[] {
    const resolved: ResolvedLink[] = [];
    for (const mapping of this.mappings) {
      const match = /^\/binding\/([^/]+)\/([^/]+)$/.exec(mapping.key);
      if (!match) {
        this.fail(mapping.file, mapping.position, `mapping "${mapping.key}": the key must be "/binding/<binding id>/<instance>"`);
        continue;
      }
      const binding = this.bindings.get(match[1]);
      if (!binding) {
        const known = [...this.bindings.keys()];
        this.fail(mapping.file, mapping.position, `mapping "${mapping.key}": no binding "${match[1]}"${didYouMean(match[1], known) || (known.length ? ` (defined: ${known.join(', ')})` : ' (no file defines a binding)')}`);
        continue;
      }
      for (const spec of binding.links) {
        const where = `binding "${binding.id}": link "${spec.from}"`;
        const from = this.resolveEndpoint(substitute(spec.from, mapping.values), 'from', binding, spec, where);
        for (const target of spec.to) {
          const to = this.resolveEndpoint(substitute(target, mapping.values), 'to', binding, spec, where);
          if (from && to) resolved.push({ from, to, binding, spec, where });
        }
      }
    }
    return resolved;
  }

  private resolveEndpoint(url: string, side: 'from' | 'to', binding: BindingSpec, spec: LinkSpec, where: string): Endpoint | undefined {
    const endpoint = parseEndpoint(url, side);
    const fail = (problem: string): undefined => {
      this.fail(binding.file, spec.position, `${where}: ${problem}`);
      return undefined;
    };
    if (typeof endpoint === 'string') return fail(endpoint);
    const allowed = side === 'from' ? ['onramp', 'pipeline'] : ['pipeline', 'offramp'];
    if (!allowed.includes(endpoint.kind)) {
      return fail(`"${url}": a link goes from an onramp or pipeline to a pipeline or offramp`);
    }
    if (endpoint.kind === 'pipeline') {
      if (!this.queries.has(endpoint.id)) {
        const known = [...this.queries.keys()];
        return fail(`"${url}": no pipeline "${endpoint.id}"${didYouMean(endpoint.id, known) || ''} (pipelines are named after their .trickle file: ${known.length ? known.map((id) => `${id}.trickle`).join(', ') : 'none was given'})`);
      }
    } else {
      const known = [...this.connectors.values()].filter((c) => c.kind === endpoint.kind).map((c) => c.id);
      if (!this.connectors.has(`${endpoint.kind}/${endpoint.id}`)) {
        return fail(`"${url}": no ${endpoint.kind} "${endpoint.id}"${didYouMean(endpoint.id, known) || (known.length ? ` (defined: ${known.join(', ')})` : '')}`);
      }
    }
    return endpoint;
  }

  private fail(file: string, position: { line: number; column: number } | undefined, detail: string): void {
    this.problems.push(new ConfigError(file, detail, position).message);
  }
}

interface ResolvedLink {
  from: Endpoint;
  to: Endpoint;
  binding: BindingSpec;
  spec: LinkSpec;
  /** `binding "default": link "/onramp/..."`, for messages. */
  where: string;
}

function isTrickle(file: string): boolean {
  return extname(file) === '.trickle';
}

function countInstances(endpoints: Endpoint[]): Map<string, number> {
  const instances = new Map<string, Set<string>>();
  for (const endpoint of endpoints) {
    const set = instances.get(endpoint.id) ?? new Set<string>();
    set.add(endpoint.instance);
    instances.set(endpoint.id, set);
  }
  return new Map([...instances].map(([id, set]) => [id, set.size]));
}

function renderQueryError(error: unknown, source: string): string[] {
  if (error instanceof CompileError) return error.diagnostics.map((diagnostic) => renderWithFile(diagnostic, error.source));
  if (error instanceof Diagnostic) return [renderWithFile(error, source)];
  throw error;
}

/** `file:line:column: ` before the highlighted source, whose caret line carries the message. */
function renderWithFile(diagnostic: Diagnostic, source: string): string {
  const { file, line, column } = diagnostic.span;
  return `${file}:${line}:${column}: ${renderDiagnostic(diagnostic, source).trimEnd()}`;
}
