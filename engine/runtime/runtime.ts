/**
 * Runs a loaded plan: starts sinks, pipelines and sources, routes events downstream and insights
 * upstream between them, ticks every pipeline every 100 ms, and shuts everything down in order.
 *
 * Start order follows Tremor's `link_binding`: sinks first, then pipelines linked to them (each
 * linked pipeline output gets the sink's current circuit state: `restore` if it can take events,
 * `trigger` if not), and sources last, so no event is produced before its path exists.
 *
 * Routing:
 * - source event -> every pipeline input linked to it;
 * - pipeline output -> every sink or pipeline input linked to it;
 * - sink ack/fail (transactional events only) -> the pipeline output the event came from;
 * - sink trigger/restore -> every pipeline output linked to the sink;
 * - pipeline input insight -> the source(s) linked there (ack/fail only to transactional ones; a
 *   source linked to several inputs gets an ack once every copy is acked, fan-out-acks.ts), or
 *   the upstream pipeline output.
 */
import { EventId, allocateUid, DEFAULT_STREAM_ID } from '../event-id.ts';
import { nowNs, type Event, type OpMeta } from '../event.ts';
import type { Insight } from '../insight.ts';
import type { Pipeline } from '../pipeline.ts';
import type { Delivery } from '../../connectors/connector.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { TextEvent } from '../text-event.ts';
import { copyEvent } from '../copy-event.ts';
import type { PipelineInstance, RuntimePlan, SinkInstance, SourceInstance } from './load.ts';
import { instanceName, type Endpoint } from './endpoint.ts';
import { CircuitLog } from './circuit-log.ts';
import { FanOutAcks } from './fan-out-acks.ts';
import { SinkAcks } from './sink-acks.ts';
import { frozenRecord } from '../frozen-record.ts';
import type { BucketCounts } from '../histogram.ts';
import { MetricsSource } from '../../connectors/metrics.ts';
import { MetricsReporter } from './metrics-reporter.ts';

/**
 * The metadata and operator metadata of a source event that has none: one frozen record each,
 * shared (nodes never change them in place: engine/frozen-record.ts), instead of two fresh
 * objects per event that lived until its ack.
 */
const NO_META = frozenRecord({});
const NO_OP_META: OpMeta = Object.freeze({});

/** How long a clean shutdown waits for sinks to ack what they were already given. */
const SHUTDOWN_ACK_GRACE_MS = 1000;
export const TICK_INTERVAL_MS = 100;

export interface RuntimeOptions {
  /** Messages about the running system (connections, circuit changes, failures); default stderr. */
  log?: (message: string) => void;
  /**
   * A connector asked to stop everything (troy's `exit`, `cb` when it has its answers); the caller
   * stops the runtime as on SIGTERM and exits with `exitCode` (0 unless the connector says otherwise).
   */
  onStopRequested?: (why: string, exitCode: number) => void;
}

export interface SourceStats {
  name: string;
  emitted: number;
  /** Emitted but not sent on: while the runtime was stopping, or while linked to nothing. */
  dropped: number;
  /** `open` = producing, `triggered` = paused by a downstream trigger. */
  circuit: 'open' | 'triggered';
  transactional: boolean;
}

export interface PipelineStats {
  name: string;
  eventsIn: number;
  eventsOut: number;
  /** Events in per input port and out per output port. */
  portsIn: Record<string, number>;
  portsOut: Record<string, number>;
  /** Output events per port linked to nothing. */
  dropped: Record<string, number>;
  /** Per operator node that reports figures (a WAL: stored, inFlight, ...). */
  operators: Record<string, Record<string, number | string>>;
  /** Per operator node that keeps histograms (a WAL: commitSeconds, commitEvents). */
  histograms: Record<string, Record<string, BucketCounts>>;
}

export interface SinkStats {
  name: string;
  received: number;
  acked: number;
  failed: number;
  active: boolean;
}

export interface RuntimeStats {
  sources: SourceStats[];
  pipelines: PipelineStats[];
  sinks: SinkStats[];
}

type Target = { kind: 'sink'; node: SinkNode } | { kind: 'pipeline'; node: PipelineNode; port: string };
type Upstream = { kind: 'source'; node: SourceNode } | { kind: 'pipeline'; node: PipelineNode; port: string };

interface SourceNode {
  instance: SourceInstance;
  uid: number;
  nextEventNumber: number;
  emitted: number;
  dropped: number;
  triggered: boolean;
  circuitLog: CircuitLog;
  targets: Array<{ node: PipelineNode; port: string }>;
  /** A transactional source with several targets: its acks are passed on once every copy is acked. */
  fanOut?: FanOutAcks;
}

interface PipelineNode {
  instance: PipelineInstance;
  pipeline: Pipeline;
  eventsIn: number;
  eventsOut: number;
  portsIn: Map<string, number>;
  portsOut: Map<string, number>;
  dropped: Map<string, number>;
  targets: Map<string, Target[]>;
  upstreams: Map<string, Upstream[]>;
}

interface SinkNode {
  instance: SinkInstance;
  received: number;
  acked: number;
  failed: number;
  /** Whether the last settled event failed: failures while a sink is down repeat, so only the first of a streak is logged. */
  failing: boolean;
  upstreams: Array<{ node: PipelineNode; port: string }>;
}

export class Runtime {
  private readonly sources = new Map<string, SourceNode>();
  private readonly pipelines = new Map<string, PipelineNode>();
  private readonly sinks = new Map<string, SinkNode>();
  private readonly log: (message: string) => void;
  private readonly onStopRequested?: (why: string, exitCode: number) => void;
  private tickTimer?: NodeJS.Timeout;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** While stopping: sources are stopped but pipelines still open, so late sink acks still reach the WAL. */
  private settlingAcks = false;
  /** Sinks may connect before the pipelines have opened their stores; their state is sent once they have. */
  private pipelinesStarted = false;
  /** Troy's `metrics_interval_s` reports, handed to every `metrics` connector on the tick. */
  private readonly metricsReporter: MetricsReporter;
  private readonly metricsSources: MetricsSource[];

  constructor(plan: RuntimePlan, options: RuntimeOptions = {}) {
    this.log = options.log ?? ((message) => process.stderr.write(`rill: ${message}\n`));
    this.onStopRequested = options.onStopRequested;
    for (const instance of plan.sinks) this.sinks.set(instance.name, { instance, received: 0, acked: 0, failed: 0, failing: false, upstreams: [] });
    for (const instance of plan.pipelines) {
      this.pipelines.set(instance.name, {
        instance,
        pipeline: instance.pipeline,
        eventsIn: 0,
        eventsOut: 0,
        portsIn: new Map(),
        portsOut: new Map(),
        dropped: new Map(),
        targets: new Map(),
        upstreams: new Map(),
      });
    }
    for (const instance of plan.sources) {
      this.sources.set(instance.name, { instance, uid: allocateUid(), nextEventNumber: 0, emitted: 0, dropped: 0, triggered: false, circuitLog: new CircuitLog(instance.name, (line) => this.log(line)), targets: [] });
    }
    for (const link of plan.links) this.wire(link.from, link.to);
    // Every linked port is counted from 0, so that /metrics and metrics reports show it before its first event.
    for (const node of this.pipelines.values()) {
      for (const port of node.upstreams.keys()) node.portsIn.set(port, 0);
      for (const port of node.targets.keys()) node.portsOut.set(port, 0);
    }
    this.metricsSources = plan.sources.flatMap((instance) => (instance.source instanceof MetricsSource ? [instance.source] : []));
    this.metricsReporter = new MetricsReporter(
      [...plan.sources, ...plan.sinks, ...plan.pipelines].flatMap((part) => (part.metricsIntervalS === undefined ? [] : [{ name: part.name, intervalMs: part.metricsIntervalS * 1000 }])),
    );
    for (const node of this.sources.values()) {
      if (node.instance.source.transactional && node.targets.length > 1) node.fanOut = new FanOutAcks(node.targets.length);
    }
  }

  /** `running` from start() until stop() begins (the API's flow status). */
  get phase(): 'new' | 'running' | 'stopping' | 'stopped' {
    return this.state;
  }

  /** Starts everything; resolves once sources are producing. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('the runtime was already started');
    this.state = 'running';
    for (const node of this.sinks.values()) await this.startSink(node);
    for (const node of this.pipelines.values()) await this.startPipeline(node);
    this.pipelinesStarted = true;
    // Only now, with every pipeline started, can a sink's state be told to the pipelines linked to it.
    for (const sink of this.sinks.values()) {
      const kind = sink.instance.sink.isActive() ? 'restore' : 'trigger';
      for (const upstream of sink.upstreams) upstream.node.pipeline.contraflow(upstream.port, { kind, opMeta: {} });
    }
    this.tickTimer = setInterval(() => this.tick(), TICK_INTERVAL_MS);
    for (const node of this.sources.values()) await this.startSource(node);
  }

  /** Stops sources, closes pipelines (WALs close their stores), then stops sinks. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    for (const node of this.sources.values()) await this.guard(`stopping ${node.instance.name}`, () => node.instance.source.stop());
    this.settlingAcks = true;
    await this.settleSinkAcks(SHUTDOWN_ACK_GRACE_MS);
    this.settlingAcks = false;
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    for (const node of this.pipelines.values()) await this.guard(`closing ${node.instance.name}`, () => node.pipeline.close());
    for (const node of this.sinks.values()) await this.guard(`stopping ${node.instance.name}`, () => node.instance.sink.stop());
    for (const node of this.sources.values()) node.circuitLog.flush();
    this.state = 'stopped';
  }

  /**
   * Gives the acks of events already handed to sinks a moment to come back before the pipelines
   * close: an ack that arrives after its WAL closed is lost, and the event is sent again on the
   * next start (a duplicate, not a loss, but avoidable on a clean shutdown).
   */
  private async settleSinkAcks(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    const outstanding = () => [...this.sinks.values()].some((node) => node.instance.sink.isActive() && node.received > node.acked + node.failed);
    while (outstanding() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  stats(): RuntimeStats {
    return {
      sources: [...this.sources.values()].map((node) => ({
        name: node.instance.name,
        emitted: node.emitted,
        dropped: node.dropped,
        circuit: node.triggered ? 'triggered' : 'open',
        transactional: node.instance.source.transactional,
      })),
      pipelines: [...this.pipelines.values()].map((node) => ({
        name: node.instance.name,
        eventsIn: node.eventsIn,
        eventsOut: node.eventsOut,
        portsIn: Object.fromEntries(node.portsIn),
        portsOut: Object.fromEntries(node.portsOut),
        dropped: Object.fromEntries(node.dropped),
        // Operators have figures only between their start and their close (the API asks at any time).
        operators: this.pipelinesStarted && this.state !== 'stopped' ? node.pipeline.stats() : {},
        histograms: node.pipeline.histograms(),
      })),
      sinks: [...this.sinks.values()].map((node) => ({
        name: node.instance.name,
        received: node.received,
        acked: node.acked,
        failed: node.failed,
        active: node.instance.sink.isActive(),
      })),
    };
  }

  private wire(from: Endpoint, to: Endpoint): void {
    const fromName = instanceName(from);
    const toName = instanceName(to);
    if (from.kind === 'onramp') {
      const target = this.pipelines.get(toName)!;
      this.sources.get(fromName)!.targets.push({ node: target, port: to.port });
      addTo(target.upstreams, to.port, { kind: 'source', node: this.sources.get(fromName)! });
      return;
    }
    const pipeline = this.pipelines.get(fromName)!;
    if (to.kind === 'offramp') {
      const sink = this.sinks.get(toName)!;
      addTo(pipeline.targets, from.port, { kind: 'sink', node: sink });
      sink.upstreams.push({ node: pipeline, port: from.port });
    } else {
      const downstream = this.pipelines.get(toName)!;
      addTo(pipeline.targets, from.port, { kind: 'pipeline', node: downstream, port: to.port });
      addTo(downstream.upstreams, to.port, { kind: 'pipeline', node: pipeline, port: from.port });
    }
  }

  private async startSink(node: SinkNode): Promise<void> {
    const name = node.instance.name;
    const broadcast = (kind: 'trigger' | 'restore'): void => {
      if (this.state !== 'running' || !this.pipelinesStarted) return;
      for (const upstream of node.upstreams) upstream.node.pipeline.contraflow(upstream.port, { kind, opMeta: {} });
    };
    await node.instance.sink.start({
      trigger: () => broadcast('trigger'),
      restore: () => broadcast('restore'),
      warn: (message) => this.log(`${name}: ${message}`),
      requestStop: (why, exitCode) => this.requestStop(name, why, exitCode),
    });
  }

  private async startPipeline(node: PipelineNode): Promise<void> {
    for (const port of node.pipeline.outputs) node.pipeline.setOutputLinked?.(port, (node.targets.get(port)?.length ?? 0) > 0);
    for (const [port, upstreams] of node.upstreams) {
      const transactional = upstreams.some((upstream) => upstream.kind === 'pipeline' || upstream.node.instance.source.transactional);
      node.pipeline.setTransactional(port, transactional);
    }
    await node.pipeline.start({
      onOutput: (port, event) => this.routeOutput(node, port, event),
      onInsight: (port, insight) => this.routeInsight(node, port, insight),
    });
  }

  private async startSource(node: SourceNode): Promise<void> {
    const source = node.instance.source;
    await source.start({
      emit: (data, meta = NO_META, dataJson) => this.emit(node, this.newEvent(node, data, meta, dataJson)),
      emitJson: (utf8, start, end, meta = NO_META, crc = -1, keys = -1, ingestNs = nowNs()) =>
        this.emit(node, TextEvent.ofUtf8(this.nextId(node), utf8, start, end, meta, ingestNs, node.instance.source.transactional, NO_OP_META, crc, keys)),
      warn: (message) => this.log(`${node.instance.name}: ${message}`),
      requestStop: (why, exitCode) => this.requestStop(node.instance.name, why, exitCode),
    });
  }

  private requestStop(connector: string, why: string, exitCode = 0): void {
    if (this.state !== 'running') return;
    this.log(`${connector}: stop requested (${why})`);
    this.onStopRequested?.(why, exitCode);
  }

  private nextId(node: SourceNode): EventId {
    return new EventId(node.uid, DEFAULT_STREAM_ID, node.nextEventNumber++);
  }

  private newEvent(node: SourceNode, data: Value, meta: RecordValue, dataJson: string | undefined): Event {
    return { id: this.nextId(node), data, dataJson, meta, ingestNs: nowNs(), transactional: node.instance.source.transactional, opMeta: NO_OP_META };
  }

  private emit(node: SourceNode, event: Event): void {
    if (this.state !== 'running') {
      // A source that emits while the runtime stops (before its stop() took effect): not sent on.
      node.dropped++;
      return;
    }
    node.emitted++;
    if (node.targets.length === 0) node.dropped++;
    node.fanOut?.sent(event.id.eventId);
    const targets = node.targets;
    const last = targets.length - 1;
    for (let index = 0; index <= last; index++) this.sendToPipeline(targets[index], index === last ? event : copyEvent(event));
  }

  /**
   * One event into a pipeline's input, counted; a throw is logged. Not forEach and guardSync's
   * closure: this runs for every event, and two closures per event were garbage to collect.
   */
  private sendToPipeline(target: { node: PipelineNode; port: string }, event: Event): void {
    target.node.eventsIn++;
    countOn(target.node.portsIn, target.port);
    try {
      target.node.pipeline.send(target.port, event);
    } catch (error) {
      this.log(`${target.node.instance.name}: ${(error as Error).message}`);
    }
  }

  private routeOutput(node: PipelineNode, port: string, event: Event): void {
    node.eventsOut++;
    countOn(node.portsOut, port);
    const targets = node.targets.get(port);
    if (targets === undefined) {
      countOn(node.dropped, port);
      return;
    }
    const last = targets.length - 1;
    let copies: SinkCopies | undefined;
    if (event.transactional && last > 0) {
      let sinks = 0;
      for (const target of targets) if (target.kind === 'sink') sinks++;
      if (sinks > 1) copies = { waiting: sinks, settled: false };
    }
    for (let index = 0; index <= last; index++) {
      const target = targets[index];
      const copy = index === last ? event : copyEvent(event);
      if (target.kind === 'sink') {
        target.node.received++;
        target.node.instance.sink.send(copy, this.delivery(node, port, target.node, copy, copies));
      } else {
        this.sendToPipeline(target, copy);
      }
    }
  }

  private delivery(pipeline: PipelineNode, port: string, sink: SinkNode, event: Event, copies?: SinkCopies): Delivery {
    return new SinkDelivery(this, pipeline, port, sink, event, copies);
  }

  /** Called by SinkDelivery: the acks of this turn, sent back merged into runs. */
  readonly sinkAcks = new SinkAcks();

  /** Called by SinkDelivery: whether acks and fails still go back upstream. */
  get sendsInsights(): boolean {
    return this.state === 'running' || this.settlingAcks;
  }

  /** Called by SinkDelivery. */
  logLine(message: string): void {
    this.log(message);
  }

  private routeInsight(node: PipelineNode, port: string, insight: Insight): void {
    for (const upstream of node.upstreams.get(port) ?? []) {
      if (upstream.kind === 'pipeline') {
        if (this.state === 'running') upstream.node.pipeline.contraflow(upstream.port, insight);
        continue;
      }
      this.deliverToSource(upstream.node, insight);
    }
  }

  private deliverToSource(node: SourceNode, insight: Insight): void {
    const source = node.instance.source;
    switch (insight.kind) {
      case 'trigger':
        node.circuitLog.paused();
        node.triggered = true;
        source.trigger();
        break;
      case 'restore':
        node.circuitLog.resumed();
        node.triggered = false;
        source.restore();
        break;
      case 'ack':
      case 'fail': {
        const range = insight.id?.rangeFor(node.uid);
        if (!source.transactional || range === undefined) break;
        if (insight.kind === 'fail') {
          node.fanOut?.failed(range.min);
          source.fail?.(range.min);
        } else if (node.fanOut === undefined) source.ack?.(range.min, range.max);
        else for (const eventNumber of node.fanOut.acked(range.min, range.max)) source.ack?.(eventNumber, eventNumber);
        break;
      }
    }
  }

  private tick(): void {
    const now = nowNs();
    for (const node of this.pipelines.values()) this.guardSync(node.instance.name, () => node.pipeline.tick(now));
    if (this.metricsSources.length > 0 && this.metricsReporter.reporting) {
      for (const report of this.metricsReporter.due(Date.now(), () => this.stats())) for (const source of this.metricsSources) source.publish(report);
    }
  }

  /** A failure inside one pipeline must not stop the others; it is reported and the runtime goes on. */
  private guardSync(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.log(`${what}: ${(error as Error).message}`);
    }
  }

  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.log(`${what}: ${(error as Error).message}`);
    }
  }
}

/**
 * Settles one event at most once; only transactional events send an insight back. With `copies`
 * (one output sent to several sinks), the ack goes back once every sink has acked its copy and a
 * fail as soon as one fails: a WAL upstream must not delete an event that one of its sinks has
 * not written yet (the seed echoes each event to the client and writes it to a file).
 * A class, not closures: one object per event sent to a sink instead of three functions and a
 * record (every event of a whole-process flow makes one).
 */
class SinkDelivery implements Delivery {
  private settled = false;
  /**
   * Of the event, only what its ack or fail carries: the delivery lives until the sink has written
   * the event (a file sink holds up to 16 MiB of lines), and the event itself (its metadata, its
   * text's view) would live as long, be copied by every scavenge meanwhile and then promoted.
   */
  private readonly id: EventId;
  private readonly opMeta: OpMeta;
  private readonly transactional: boolean;

  constructor(
    private readonly runtime: Runtime,
    private readonly pipeline: PipelineNode,
    private readonly port: string,
    private readonly sink: SinkNode,
    event: Event,
    private readonly copies: SinkCopies | undefined,
  ) {
    this.id = event.id;
    this.opMeta = event.opMeta;
    this.transactional = event.transactional;
  }

  ack(): void {
    this.settle('ack', undefined);
  }

  fail(reason: string): void {
    if (this.settle('fail', `${this.sink.instance.name}: ${reason}`)) {
      this.runtime.logLine(`${this.sink.instance.name}: event failed: ${reason} (further failures in a row are only counted)`);
    }
  }

  /** True when this fail starts a streak of failures (worth a log line). */
  private settle(kind: 'ack' | 'fail', reason: string | undefined): boolean {
    if (this.settled) return false;
    this.settled = true;
    const sink = this.sink;
    const streakStarts = kind === 'fail' && !sink.failing;
    sink.failing = kind === 'fail';
    if (kind === 'ack') sink.acked++;
    else sink.failed++;
    const copies = this.copies;
    if (copies !== undefined) {
      if (copies.settled) return streakStarts;
      if (kind === 'ack' && --copies.waiting > 0) return streakStarts;
      copies.settled = true;
    }
    if (this.transactional && this.runtime.sendsInsights) {
      const acks = this.runtime.sinkAcks;
      if (reason === undefined) acks.add(this.pipeline.pipeline, this.port, this.id, this.opMeta);
      else acks.sendAfterPending(this.pipeline.pipeline, this.port, { kind, id: this.id, opMeta: this.opMeta, reason });
    }
    return streakStarts;
  }
}

/** The sink copies of one transactional output event, settled together (see SinkDelivery). */
interface SinkCopies {
  waiting: number;
  settled: boolean;
}

function countOn(counts: Map<string, number>, port: string): void {
  counts.set(port, (counts.get(port) ?? 0) + 1);
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
