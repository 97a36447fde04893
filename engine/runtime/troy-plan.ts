/**
 * Turns a troy DeploymentPlan (queries/troy/plan.ts) into the RuntimePlan that 0.11 YAML artefacts
 * become too (load.ts), so both front ends run on one runtime: same start order, routing,
 * contraflow and shutdown.
 *
 * Each deployed flow's instances are named by the flow id, as a YAML mapping's instance is:
 * `pipeline/<alias>/<flow>`, and a connector's halves `onramp/<alias>/<flow>` (its `out` port) and
 * `offramp/<alias>/<flow>` (its `in` port; stdio's `stderr` port is `offramp/<alias>.stderr/<flow>`).
 * Only connectors that some `connect` names are built and started; the kind of every created one is
 * checked, as Tremor instantiates them all.
 *
 * The `wal` kind is not a connector object: it becomes a pipeline around the `qos::wal` operator
 * (`pipeline/connector.<alias>/<flow>`, `select event from in into wal; select event from wal into
 * out;`), so the `wal` connector and `qos::wal` share one store module, one on-disk format and one
 * set of guarantees, and its acks, fails, triggers and restores travel as between any two pipelines.
 * Its config: `dir` (or `path`, the 0.13 name), `chunk_size` and `max_chunks`, whose product is the
 * store's byte limit (`max_bytes`), plus the qos::wal keys rill adds (`read_count`, `max_in_flight`,
 * `max_attempts`, `dead_letter`, `resend_backoff_ms`). A missing `dir` is created (Tremor refuses).
 */
import { join, resolve } from 'node:path';
import { codecs } from '../../connectors/codec.ts';
import { ConnectorConfigError, type ConnectorFactory, type ConnectorParts, type ProcessorSpec, type Sink } from '../../connectors/connector.ts';
import { connectorFactories, debugConnectorFactories } from '../../connectors/registry.ts';
import { stdioSinkForPort } from '../../connectors/troy-kinds.ts';
import { compileQuery } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import type { CompiledQuery } from '../../queries/compiled-query.ts';
import type { ConnectorPlan, DeploymentPlan, FlowPlan, LinkEnd } from '../../queries/troy/plan.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { buildPipeline } from '../build-pipeline.ts';
import type { ConnectorSpec } from './artefact-file.ts';
import { didYouMean } from './config-error.ts';
import { configKeyProblems } from './config-keys.ts';
import type { Endpoint } from './endpoint.ts';
import type { LoadOptions, RuntimePlan } from './load.ts';

/** The `wal` kind's config keys: Tremor 0.12's three (`path` as 0.13 names `dir`) and rill's qos::wal extras. */
const WAL_KEYS = ['dir', 'path', 'chunk_size', 'max_chunks', 'read_count', 'max_in_flight', 'max_attempts', 'dead_letter', 'resend_backoff_ms'];
/**
 * Events the wal connector emits per read (per commit landed, tick or event): Tremor pops one at a
 * time. With 64, `npm run bench -- troy` drained at one batch per commit round trip (0.35-0.39 of
 * passthrough); with 1,000 and 4,096 in flight, 0.55-0.61.
 */
const WAL_DEFAULT_READ_COUNT = 1000;
/**
 * Events out and not yet acked: Tremor does not bound them; rill does, as it bounds the duplicates a
 * crash can cause (what was in flight is sent again). Acked events count until their deletion is
 * committed, so the bound must cover a commit round trip at full speed.
 */
const WAL_DEFAULT_MAX_IN_FLIGHT = 4096;

export interface TroyLoadOptions extends LoadOptions {
  /** `--debug-connectors`: registers Tremor's debug kinds (`exit`, `null`). */
  debugConnectors?: boolean;
}

/** Adds the plan's flows to `plan`; every problem goes to `problems` as `file:line:column: ...`. */
export function addDeployment(deployment: DeploymentPlan, options: TroyLoadOptions, plan: RuntimePlan, problems: string[]): void {
  for (const flow of deployment.flows) new FlowLoader(flow, options, plan, problems).load();
}

class FlowLoader {
  /** Connector halves built so far, by alias. */
  private readonly parts = new Map<string, ConnectorParts>();
  private readonly sinkNames = new Set<string>();
  private readonly sourceNames = new Set<string>();
  private readonly failed = new Set<string>();

  constructor(
    private readonly flow: FlowPlan,
    private readonly options: TroyLoadOptions,
    private readonly plan: RuntimePlan,
    private readonly problems: string[],
  ) {}

  load(): void {
    // A pipeline's `metrics_interval_s` is read from its args (`args metrics_interval_s = 3`); rill's
    // lexer drops `#!config` directives, Tremor's other way of giving it.
    for (const pipeline of this.flow.pipelines) this.addPipeline(pipeline.alias, pipeline.query, metricsInterval(pipeline.args.metrics_interval_s));
    for (const link of this.flow.links) {
      const from = this.endpoint(link.from, 'from');
      const to = this.endpoint(link.to, 'to');
      if (from !== undefined && to !== undefined) this.plan.links.push({ from, to });
    }
    // Tremor instantiates every created connector, so a kind it does not know fails the
    // deployment even when nothing connects it (integration/unknown-connector); rill still builds
    // only the connected ones, but checks the kind of the others.
    for (const connector of this.flow.connectors) {
      if (connector.kind !== 'wal' && !this.parts.has(connector.alias) && !this.failed.has(connector.alias) && this.factory(connector) === undefined) {
        this.failed.add(connector.alias);
      }
    }
  }

  private addPipeline(id: string, query: CompiledQuery, metricsIntervalS?: number): void {
    const name = `pipeline/${id}/${this.flow.id}`;
    try {
      const pipeline = buildPipeline(query, {
        id: `${this.flow.id}/${id}`,
        dataDir: this.options.dataDir,
        onError: (_error, rendered) => this.options.onPipelineError?.(name, rendered),
        onWarning: (message) => this.options.warn(`${name}: ${message}`),
      });
      this.plan.pipelines.push({ name, pipeline, metricsIntervalS });
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      this.problems.push(...error.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column}: ${d.message}`));
      this.failed.add(`pipeline:${id}`);
    }
  }

  /** The runtime endpoint a `connect` end names, building the connector's halves on first use. */
  private endpoint(end: LinkEnd, side: 'from' | 'to'): Endpoint | undefined {
    if (end.kind === 'pipeline') {
      if (this.failed.has(`pipeline:${end.alias}`)) return undefined;
      return { kind: 'pipeline', id: end.alias, instance: this.flow.id, port: end.port };
    }
    const connector = this.flow.connectors.find((candidate) => candidate.alias === end.alias)!;
    if (connector.kind === 'wal') {
      if (!this.parts.has(connector.alias) && !this.failed.has(connector.alias)) this.addWal(connector);
      if (this.failed.has(connector.alias)) return undefined;
      const port = side === 'from' ? 'out' : 'in';
      if (end.port !== port) return this.invalidConnect(connector, end.port);
      return { kind: 'pipeline', id: `connector.${connector.alias}`, instance: this.flow.id, port };
    }
    const parts = this.connectorParts(connector);
    if (parts === undefined) return undefined;
    if (side === 'from') {
      if (parts.source === undefined || (end.port !== 'out' && end.port !== 'err')) return this.invalidConnect(connector, end.port);
      // rill reports a source's decode errors as warnings; nothing is sent on `err` yet, so a link
      // from it carries nothing (and must not get the `out` events, which the runtime would send).
      if (end.port === 'err') return undefined;
      this.addSource(connector, parts);
      return { kind: 'onramp', id: connector.alias, instance: this.flow.id, port: 'out' };
    }
    const sinkPorts = connector.kind === 'stdio' ? ['in', 'stdout', 'stderr'] : ['in'];
    if (parts.sink === undefined || !sinkPorts.includes(end.port)) return this.invalidConnect(connector, end.port);
    const id = end.port === 'stderr' ? `${connector.alias}.stderr` : connector.alias;
    this.addSink(connector, id, end.port === 'stderr' ? stdioSinkForPort(this.settings(connector), 'stderr') : parts.sink);
    return { kind: 'offramp', id, instance: this.flow.id, port: 'in' };
  }

  private invalidConnect(connector: ConnectorPlan, port: string): undefined {
    this.problem(connector, `Invalid Connect to ${connector.alias} via port ${port}`);
    return undefined;
  }

  private addSource(connector: ConnectorPlan, parts: ConnectorParts): void {
    const name = `onramp/${connector.alias}/${this.flow.id}`;
    if (this.sourceNames.has(name)) return;
    this.sourceNames.add(name);
    this.plan.sources.push({ name, spec: this.spec(connector, 'onramp'), source: parts.source!, metricsIntervalS: connector.metricsIntervalS });
  }

  private addSink(connector: ConnectorPlan, id: string, sink: Sink): void {
    const name = `offramp/${id}/${this.flow.id}`;
    if (this.sinkNames.has(name)) return;
    this.sinkNames.add(name);
    this.plan.sinks.push({ name, spec: this.spec(connector, 'offramp'), sink, metricsIntervalS: connector.metricsIntervalS });
  }

  private connectorParts(connector: ConnectorPlan): ConnectorParts | undefined {
    const built = this.parts.get(connector.alias);
    if (built !== undefined || this.failed.has(connector.alias)) return built;
    const factory = this.factory(connector);
    if (factory === undefined) return this.fail(connector);
    const codecName = connector.codec;
    if (factory.codec === 'structured' && codecName !== undefined) {
      return this.fail(connector, `The connector ${connector.alias} (${connector.kind}) is structured and takes no codec, but \`codec = "${codecName}"\` is given`);
    }
    if (factory.codec === 'required' && codecName === undefined) return this.fail(connector, `Missing codec for connector ${connector.kind}`);
    if (codecName !== undefined && !codecs.has(codecName)) {
      return this.fail(connector, `Codec "${codecName}" not found.${didYouMean(codecName, codecs.keys()) || ` (rill has ${[...codecs.keys()].join(', ')})`}`);
    }
    const config = connector.config ?? {};
    const keyProblems = configKeyProblems(config, factory.configKeys);
    if (keyProblems.length > 0) {
      for (const problem of keyProblems) this.problem(connector, `connector ${connector.alias} (${connector.kind}): config: ${problem.message}`);
      return this.fail(connector, undefined);
    }
    try {
      const parts = factory.create(this.settings(connector));
      this.parts.set(connector.alias, parts);
      return parts;
    } catch (error) {
      if (!(error instanceof ConnectorConfigError)) throw error;
      return this.fail(connector, `connector ${connector.alias} (${connector.kind}): config: ${error.message}`);
    }
  }

  private factory(connector: ConnectorPlan): ConnectorFactory | undefined {
    const factory = connectorFactories.get(connector.kind) ?? (this.options.debugConnectors ? debugConnectorFactories.get(connector.kind) : undefined);
    if (factory !== undefined) return factory;
    const hint = debugConnectorFactories.has(connector.kind)
      ? ' (a debug connector: run with --debug-connectors, as Tremor)'
      : didYouMean(connector.kind, [...connectorFactories.keys(), 'wal']) || ` (rill has ${[...connectorFactories.keys(), 'wal'].sort().join(', ')})`;
    this.problem(connector, `Unknown connector type ${connector.kind}${hint}`);
    return undefined;
  }

  private settings(connector: ConnectorPlan) {
    return {
      id: connector.alias,
      config: connector.config ?? {},
      codec: codecs.get(connector.codec ?? 'json')!,
      preprocessors: connector.preprocessors as ProcessorSpec[] | undefined,
      postprocessors: connector.postprocessors as ProcessorSpec[] | undefined,
      reconnect: connector.reconnect,
      stateDir: this.options.dataDir === undefined ? undefined : join(this.options.dataDir, 'connector', this.flow.id, connector.alias),
      warn: (message: string) => this.options.warn(`${where(connector)}: connector ${connector.alias}: ${message}`),
    };
  }

  /** The `wal` connector as a pipeline around qos::wal (see the header). */
  private addWal(connector: ConnectorPlan): void {
    const config = connector.config ?? {};
    if (connector.codec !== undefined) {
      this.fail(connector, `The connector ${connector.alias} (wal) is structured and takes no codec, but \`codec = "${connector.codec}"\` is given`);
      return;
    }
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
      if (!WAL_KEYS.includes(key)) problems.push(`unknown key "${key}"${didYouMean(key, WAL_KEYS) || ` (expected ${WAL_KEYS.join(', ')})`}`);
    }
    const dir = config.dir ?? config.path;
    if (config.dir !== undefined && config.path !== undefined) problems.push('give `dir` or `path` (its 0.13 name), not both');
    if (typeof dir !== 'string' || dir === '') problems.push('missing required key "dir" (a directory; `path` is accepted as its 0.13 name)');
    for (const key of ['chunk_size', 'max_chunks']) {
      if (!isPositiveInteger(config[key])) problems.push(`\`${key}\` must be a positive integer${config[key] === undefined ? ' (required: chunk_size x max_chunks is the store\'s byte limit)' : `, got ${JSON.stringify(config[key])}`}`);
    }
    if (problems.length > 0) {
      for (const problem of problems) this.problem(connector, `connector ${connector.alias} (wal): config: ${problem}`);
      this.fail(connector, undefined);
      return;
    }
    const settings: Record<string, Value> = {
      dir: resolve(process.cwd(), dir as string),
      read_count: config.read_count ?? WAL_DEFAULT_READ_COUNT,
      max_bytes: (config.chunk_size as number) * (config.max_chunks as number),
      max_in_flight: config.max_in_flight ?? WAL_DEFAULT_MAX_IN_FLIGHT,
    };
    for (const key of ['max_attempts', 'dead_letter', 'resend_backoff_ms']) if (config[key] !== undefined) settings[key] = config[key];
    const withBlock = Object.entries(settings)
      .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
      .join(', ');
    const source = `define qos::wal operator wal with ${withBlock} end;\ncreate operator wal;\nselect event from in into wal;\nselect event from wal into out;\n`;
    let query: CompiledQuery;
    try {
      query = compileQuery(source, `${where(connector)} (connector ${connector.alias})`);
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      this.fail(connector, `connector ${connector.alias} (wal): config: ${error.diagnostics[0].message}`);
      return;
    }
    this.addPipeline(`connector.${connector.alias}`, query);
    if (this.failed.has(`pipeline:connector.${connector.alias}`)) this.failed.add(connector.alias);
    else this.parts.set(connector.alias, {});
  }

  private spec(connector: ConnectorPlan, kind: 'onramp' | 'offramp'): ConnectorSpec {
    return {
      kind,
      id: connector.alias,
      type: connector.kind,
      codec: connector.codec ?? 'json',
      preprocessors: [],
      postprocessors: [],
      config: connector.config ?? ({} as RecordValue),
      file: connector.span.file,
      position: { line: connector.span.line, column: connector.span.column },
    };
  }

  private fail(connector: ConnectorPlan, message?: string): undefined {
    if (message !== undefined) this.problem(connector, message);
    this.failed.add(connector.alias);
    return undefined;
  }

  private problem(connector: ConnectorPlan, message: string): void {
    this.problems.push(`${where(connector)}: ${message} (flow ${this.flow.id})`);
  }
}

function where(connector: ConnectorPlan): string {
  return `${connector.span.file}:${connector.span.line}:${connector.span.column}`;
}

function isPositiveInteger(value: Value | undefined): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A pipeline arg `metrics_interval_s` that is a positive number, else none. */
function metricsInterval(value: Value | undefined): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
