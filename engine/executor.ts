/**
 * The executor: runs a pipeline graph (see graph.ts) and implements `Pipeline`.
 *
 * Execution model
 * - One *step* runs to completion before the next begins: an event sent in, one operator's tick
 *   output, an event an operator emits later, or an insight. Calls that arrive while a step is
 *   running (a sink acking from inside `onOutput`, an operator's `emitLater`) are queued and run
 *   right after it, so nothing re-enters the graph.
 * - Inside a step events travel depth-first; a port with several links feeds them in statement
 *   order (each link but the last gets a copy). This is the order Tremor's LIFO stack plus final
 *   reverse shows at the outputs.
 * - Outputs and insights are collected during the step. At its end the insights go upstream
 *   first, then the outputs are handed to `onOutput`. If the step threw (a select's runtime error,
 *   an operator failure), its outputs are discarded as a whole and the error is reported through
 *   `onError`; a transactional output that was discarded is failed back through contraflow, so
 *   whoever emitted it (a WAL) sends it again.
 * - Contraflow visits the upstream operators that handle it in reverse topological order and
 *   stops at one that returns `'stop'`; then trigger/restore go to every upstream input and
 *   ack/fail only to transactional ones. An operator's own insights start at its upstream side.
 * - Events that end inside the pipeline are acked. An event put in at an input or emitted by an
 *   operator is *kept* when some copy of it reaches a linked output or an operator (which then
 *   acks, fails or holds it). A transactional event that is not kept (a `where` filtered it, a
 *   script dropped it, it went to a stream or an output nothing is linked to) is acked back from
 *   where it entered, at the end of the step: a source or a WAL upstream would otherwise wait for
 *   it for ever (a transactional file source stalled at `max_in_flight` behind a filter). So is an
 *   event a select fails on (its runtime error is reported; sending it again fails the same way),
 *   see `finishStep`.
 */
import type { Event } from './event.ts';
import type { BucketCounts } from './histogram.ts';
import { isDeliveryInsight, type Insight } from './insight.ts';
import type { Pipeline, PipelineHandlers } from './pipeline.ts';
import type { PipelineGraph } from './graph.ts';
import type { CompiledQuery, OperatorStatement } from '../queries/compiled-query.ts';
import type { Operator, OperatorContext } from '../operators/operator.ts';
import { allocateUid } from './event-id.ts';
import { copyEvent } from './copy-event.ts';
import {
  InputNode,
  OperatorFailure,
  OperatorNode,
  OutputNode,
  RuntimeNode,
  ScriptNode,
  SelectNode,
  StreamNode,
  type StepSink,
} from './nodes.ts';
import { renderRuntimeError } from './render-runtime-error.ts';
import { WindowedSelectNode, WindowedSelectOperator } from './windowed-select-node.ts';

export interface ExecutorOptions {
  id: string;
  dataDir?: string;
  /** A runtime error that dropped an event; `rendered` shows the source line and a caret. */
  onError?: (error: Error, rendered: string) => void;
  /** An operator's `ctx.warn`. */
  onWarning?: (message: string) => void;
  /** Builds the operator of a `create operator` statement (throws on bad config). */
  createOperator(statement: OperatorStatement, context: OperatorContext): Operator;
}

type DeferredWork =
  | { kind: 'event'; node: RuntimeNode; port: string; event: Event }
  | { kind: 'insight'; node: RuntimeNode; insight: Insight }
  | { kind: 'tick'; nowNs: number };

export class PipelineExecutor implements Pipeline, StepSink {
  readonly id: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];

  private readonly nodes: RuntimeNode[];
  private readonly inputNodes = new Map<string, InputNode>();
  private readonly outputNodes = new Map<string, OutputNode>();
  /** Operator nodes in topological order (ticks, start and close follow it). */
  private readonly operatorNodes: OperatorNode[] = [];
  private readonly tickingNodes: OperatorNode[] = [];

  private handlers: PipelineHandlers | undefined;
  private closed = false;
  private busy = false;
  private readonly deferred: DeferredWork[] = [];

  // Per-step buffers, reused so a step allocates nothing of its own. Outputs are counted rather
  // than pushed and truncated: setting an array's length costs more than a passthrough step.
  private readonly stepOutputPorts: string[] = [];
  private readonly stepOutputEvents: Array<Event | undefined> = [];
  private stepOutputCount = 0;
  private readonly stepInsightProducers: RuntimeNode[] = [];
  private readonly stepInsights: Insight[] = [];
  /** Grows whenever a copy of an event is kept (a linked output, an operator); see the header. */
  private kept = 0;
  /** Events of this step that ended inside the pipeline, with the node they entered at. */
  private readonly stepEnded: Array<{ node: RuntimeNode; event: Event }> = [];
  /** Outputs nothing is linked to (`setOutputLinked`). */
  private readonly unlinkedOutputs = new Set<string>();

  /** Counts outputs and insights handed out; `rill run` watches it to see when the pipeline is quiet. */
  deliveries = 0;

  constructor(
    private readonly query: CompiledQuery,
    graph: PipelineGraph,
    private readonly options: ExecutorOptions,
  ) {
    this.id = options.id;
    this.nodes = graph.nodes.map((node) => this.createNode(node.index, node.name, node.role, node.statement));
    for (const link of graph.links) {
      this.nodes[link.from].addLink(link.fromPort, { target: this.nodes[link.to], port: link.toPort });
    }
    this.inputs = [...this.inputNodes.keys()];
    this.outputs = [...this.outputNodes.keys()];
    for (const index of graph.topologicalOrder) {
      const node = this.nodes[index];
      if (!(node instanceof OperatorNode)) continue;
      this.operatorNodes.push(node);
      if (node.operator.onTick) this.tickingNodes.push(node);
    }
    this.planContraflow(graph);
  }

  async start(handlers: PipelineHandlers): Promise<void> {
    for (const node of this.operatorNodes) {
      // No await for operators without a start (windowed selects, batches): a pipeline of only
      // those is ready as soon as start() is called, as a pipeline without operators is.
      if (!node.operator.start) continue;
      try {
        await node.operator.start();
      } catch (error) {
        // Names the pipeline and the operator: the operator's own message (a WAL's) only names its path.
        throw new Error(`pipeline \`${this.id}\`, operator \`${node.name}\`: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    this.handlers = handlers;
    // Work queued before the handlers existed (an operator's emitLater during start) runs now.
    this.busy = true;
    try {
      this.drainDeferred();
    } finally {
      this.busy = false;
    }
  }

  send(inputPort: string, event: Event): void {
    const input = this.inputNodes.get(inputPort);
    if (!input) throw new Error(`pipeline \`${this.id}\` has no input \`${inputPort}\` (it has ${this.inputs.join(', ')})`);
    this.requireStarted('send');
    if (this.busy) {
      this.deferred.push({ kind: 'event', node: input, port: 'out', event });
      return;
    }
    this.busy = true;
    try {
      this.runEventStep(input, 'out', event);
      this.drainDeferred();
    } finally {
      this.busy = false;
    }
  }

  setTransactional(inputPort: string, transactional: boolean): void {
    const input = this.inputNodes.get(inputPort);
    if (!input) throw new Error(`pipeline \`${this.id}\` has no input \`${inputPort}\``);
    input.transactional = transactional;
  }

  setOutputLinked(outputPort: string, linked: boolean): void {
    if (!this.outputNodes.has(outputPort)) throw new Error(`pipeline \`${this.id}\` has no output \`${outputPort}\``);
    if (linked) this.unlinkedOutputs.delete(outputPort);
    else this.unlinkedOutputs.add(outputPort);
  }

  /** After `close()` insights are ignored: the operators they were for are gone. */
  contraflow(outputPort: string, insight: Insight): void {
    const output = this.outputNodes.get(outputPort);
    if (!output) throw new Error(`pipeline \`${this.id}\` has no output \`${outputPort}\` (it has ${this.outputs.join(', ')})`);
    this.requireStarted('contraflow');
    this.scheduleInsight(output, insight);
  }

  tick(nowNs: number): void {
    this.requireStarted('tick');
    this.schedule({ kind: 'tick', nowNs });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const node of this.operatorNodes) await node.operator.close?.();
  }

  get hasOperators(): boolean {
    return this.operatorNodes.length > 0;
  }

  /**
   * Whether `isIdle()` is the whole truth: every operator says when it has work in flight (a WAL
   * does). Otherwise one that emits later without saying so (on a tick, a timer) may still have
   * work when the pipeline looks idle, and `rill run` waits for a quiet period too.
   */
  get idleIsKnown(): boolean {
    return this.operatorNodes.every((node) => node.operator.isIdle !== undefined);
  }

  stats(): Record<string, Record<string, number | string>> {
    const figures: Record<string, Record<string, number | string>> = {};
    for (const node of this.operatorNodes) {
      const nodeFigures = node.operator.stats?.();
      if (nodeFigures !== undefined) figures[node.name] = nodeFigures;
    }
    return figures;
  }

  histograms(): Record<string, Record<string, BucketCounts>> {
    const histograms: Record<string, Record<string, BucketCounts>> = {};
    for (const node of this.operatorNodes) {
      const nodeHistograms = node.operator.histograms?.();
      if (nodeHistograms !== undefined) histograms[node.name] = nodeHistograms;
    }
    return histograms;
  }

  /** True when no step is queued and every operator that can tell says it has nothing in flight. */
  isIdle(): boolean {
    if (this.busy || this.deferred.length > 0) return false;
    return this.operatorNodes.every((node) => node.operator.isIdle?.() ?? true);
  }

  // StepSink: called by the nodes while a step runs.

  forward(node: RuntimeNode, port: string, event: Event): void {
    const links = port === 'out' ? node.outLinks : node.links.get(port);
    if (links === undefined || links.length === 0) return;
    const last = links.length - 1;
    for (let i = 0; i < last; i++) links[i].target.receive(links[i].port, copyEvent(event), this);
    links[last].target.receive(links[last].port, event, this);
  }

  output(port: string, event: Event): void {
    // An output nothing is linked to still goes to `onOutput` (the runtime counts it as dropped);
    // it does not keep the event, which is acked here if nothing else keeps it.
    if (this.unlinkedOutputs.size === 0 || !this.unlinkedOutputs.has(port)) this.kept++;
    this.stepOutputPorts[this.stepOutputCount] = port;
    this.stepOutputEvents[this.stepOutputCount] = event;
    this.stepOutputCount++;
  }

  insight(producer: RuntimeNode, insight: Insight): void {
    this.stepInsightProducers.push(producer);
    this.stepInsights.push(insight);
  }

  held(): void {
    this.kept++;
  }

  forwardEmitted(node: RuntimeNode, port: string, event: Event): void {
    if (!event.transactional) {
      this.forward(node, port, event);
      return;
    }
    const before = this.kept;
    this.forward(node, port, event);
    if (this.kept === before) this.stepEnded.push({ node, event });
  }

  // Steps.

  private schedule(work: DeferredWork): void {
    if (this.closed) return;
    if (this.busy || !this.handlers) {
      this.deferred.push(work);
      return;
    }
    this.busy = true;
    try {
      this.perform(work);
      this.drainDeferred();
    } finally {
      this.busy = false;
    }
  }

  /**
   * `schedule` for an insight, without the work object when it can run at once: a sink acks every
   * event, and a WAL acks every stored event upstream, so this is a per-event path.
   */
  private scheduleInsight(node: RuntimeNode, insight: Insight): void {
    if (this.closed) return;
    if (this.busy || !this.handlers) {
      this.deferred.push({ kind: 'insight', node, insight });
      return;
    }
    this.busy = true;
    try {
      this.routeInsight(node, insight);
      this.drainDeferred();
    } finally {
      this.busy = false;
    }
  }

  private drainDeferred(): void {
    while (this.deferred.length > 0) this.perform(this.deferred.shift()!);
  }

  private perform(work: DeferredWork): void {
    if (work.kind === 'event') this.runEventStep(work.node, work.port, work.event);
    else if (work.kind === 'insight') this.routeInsight(work.node, work.insight);
    else for (const node of this.tickingNodes) this.runTickStep(node, work.nowNs);
  }

  private runEventStep(node: RuntimeNode, port: string, event: Event): void {
    try {
      this.forwardEmitted(node, port, event);
    } catch (error) {
      this.finishStep(error, { node, event });
      return;
    }
    // No root object when nothing failed (the common case, once per event): only a failure needs it.
    this.finishStep(undefined);
  }

  private runTickStep(node: OperatorNode, nowNs: number): void {
    let failure: unknown;
    try {
      let output;
      try {
        output = node.operator.onTick!(nowNs);
      } catch (error) {
        throw new OperatorFailure(node.name, error);
      }
      node.deliver(output.events, output.insights, this);
    } catch (error) {
      failure = error;
    }
    this.finishStep(failure);
  }

  /**
   * Insights first, then outputs; on failure the outputs are dropped as a whole. An event whose
   * select or script failed (a runtime error: reported, and the same every time it is sent) ends
   * there and is acked, unless the step had already made transactional outputs, which are failed
   * back instead; an operator's failure acks nothing (the operator may work when sent again).
   */
  private finishStep(failure: unknown, root?: { node: RuntimeNode; event: Event }): void {
    const ports = this.stepOutputPorts;
    const events = this.stepOutputEvents;
    try {
      if (failure !== undefined) {
        this.stepEnded.length = 0;
        const endsHere = root !== undefined && root.event.transactional && !(failure instanceof OperatorFailure) && !this.hasTransactionalOutputs();
        this.abandonOutputs(failure);
        if (endsHere) this.stepEnded.push(root);
      }
      if (this.stepEnded.length > 0) this.ackEnded();
      if (this.stepInsights.length > 0) this.routeStepInsights();
      const handlers = this.handlers!;
      for (let i = 0; i < this.stepOutputCount; i++) {
        const event = events[i]!;
        events[i] = undefined;
        this.deliveries++;
        handlers.onOutput(ports[i], event);
      }
    } finally {
      this.stepOutputCount = 0;
      if (this.stepInsights.length > 0) {
        this.stepInsightProducers.length = 0;
        this.stepInsights.length = 0;
      }
    }
  }

  private hasTransactionalOutputs(): boolean {
    for (let i = 0; i < this.stepOutputCount; i++) if (this.stepOutputEvents[i]!.transactional) return true;
    return false;
  }

  /** Acks the events that ended inside the pipeline back from where they entered (see the header). */
  private ackEnded(): void {
    const ended = this.stepEnded;
    for (let i = 0; i < ended.length; i++) {
      const { node, event } = ended[i]!;
      const insight: Insight = { kind: 'ack', id: event.id, opMeta: event.opMeta };
      if (node instanceof InputNode) {
        if (!node.transactional) continue;
        this.deliveries++;
        this.handlers!.onInsight(node.name, insight);
        continue;
      }
      // An operator's own event: the operator hears the ack first (a WAL deletes what it stored).
      if (node instanceof OperatorNode && node.operator.onContraflow !== undefined) {
        let verdict: 'stop' | 'pass';
        try {
          verdict = node.operator.onContraflow(insight);
        } catch (error) {
          this.report(new OperatorFailure(node.name, error));
          verdict = 'pass';
        }
        if (verdict === 'stop') continue;
      }
      this.routeInsight(node, insight);
    }
    ended.length = 0;
  }

  /** Reports the failure; fails back every transactional output the step made, so its emitter resends it. */
  private abandonOutputs(failure: unknown): void {
    this.report(failure);
    const ports = this.stepOutputPorts;
    const events = this.stepOutputEvents;
    for (let i = 0; i < this.stepOutputCount; i++) {
      const dropped = events[i]!;
      events[i] = undefined;
      if (!dropped.transactional) continue;
      const insight: Insight = { kind: 'fail', id: dropped.id, opMeta: dropped.opMeta, reason: `dropped by a failing step: ${failure instanceof Error ? failure.message : String(failure)}` };
      this.deferred.push({ kind: 'insight', node: this.outputNodes.get(ports[i])!, insight });
    }
    this.stepOutputCount = 0;
  }

  private routeStepInsights(): void {
    const producers = this.stepInsightProducers;
    const insights = this.stepInsights;
    for (let i = 0; i < insights.length; i++) this.routeInsight(producers[i], insights[i]);
    producers.length = 0;
    insights.length = 0;
  }

  private routeInsight(from: RuntimeNode, insight: Insight): void {
    const route = from.route;
    for (const node of route.operators) {
      let verdict: 'stop' | 'pass';
      try {
        verdict = node.operator.onContraflow!(insight);
      } catch (error) {
        this.report(new OperatorFailure(node.name, error));
        verdict = 'pass';
      }
      if (verdict === 'stop') return;
    }
    const delivery = isDeliveryInsight(insight);
    for (const input of route.inputs) {
      if (delivery && !input.transactional) continue;
      this.deliveries++;
      this.handlers!.onInsight(input.name, insight);
    }
  }

  private report(failure: unknown): void {
    const error = failure instanceof Error ? failure : new Error(String(failure));
    const rendered = renderRuntimeError(error, this.query.source, this.id);
    if (this.options.onError) this.options.onError(error, rendered);
    else process.stderr.write(`${rendered}\n`);
  }

  private requireStarted(call: string): void {
    if (!this.handlers) throw new Error(`pipeline \`${this.id}\`: start() must be called before ${call}()`);
  }

  // Construction.

  private createNode(index: number, name: string, role: 'input' | 'output' | 'statement', statement: PipelineGraph['nodes'][number]['statement']): RuntimeNode {
    const uid = allocateUid();
    if (role === 'input') {
      const node = new InputNode(index, name, uid);
      this.inputNodes.set(name, node);
      return node;
    }
    if (role === 'output') {
      const node = new OutputNode(index, name, uid);
      this.outputNodes.set(name, node);
      return node;
    }
    switch (statement!.kind) {
      case 'select':
        return new SelectNode(index, name, uid, statement!);
      case 'windowedSelect': {
        const node = new WindowedSelectNode(index, name, uid);
        node.operator = new WindowedSelectOperator(statement!, this.operatorContext(node));
        return node;
      }
      case 'script':
        return new ScriptNode(index, name, uid, statement!.instantiate());
      case 'stream':
        return new StreamNode(index, name, uid);
      case 'operator': {
        const node = new OperatorNode(index, name, uid);
        node.operator = this.options.createOperator(statement!, this.operatorContext(node));
        return node;
      }
    }
  }

  private operatorContext(node: OperatorNode): OperatorContext {
    return {
      nodeId: node.name,
      pipelineId: this.id,
      uid: node.uid,
      dataDir: this.options.dataDir,
      emitLater: (port, event) => this.schedule({ kind: 'event', node, port, event }),
      insightLater: (insight) => this.scheduleInsight(node, insight),
      warn: (message) => {
        const text = `pipeline \`${this.id}\`, operator \`${node.name}\`: ${message}`;
        if (this.options.onWarning) this.options.onWarning(text);
        else process.stderr.write(`warning: ${text}\n`);
      },
    };
  }

  /** For every node: the contraflow operators (reverse topological) and the inputs (in order) upstream of it. */
  private planContraflow(graph: PipelineGraph): void {
    const predecessors: number[][] = graph.nodes.map(() => []);
    for (const link of graph.links) predecessors[link.to].push(link.from);
    const reverseTopological = [...graph.topologicalOrder].reverse();
    for (const node of this.nodes) {
      const upstream = new Set<number>();
      const pending = [...predecessors[node.index]];
      while (pending.length > 0) {
        const index = pending.pop()!;
        if (upstream.has(index)) continue;
        upstream.add(index);
        pending.push(...predecessors[index]);
      }
      const ordered = reverseTopological.filter((index) => upstream.has(index)).map((index) => this.nodes[index]);
      node.route = {
        operators: ordered.filter((n): n is OperatorNode => n instanceof OperatorNode && n.operator.onContraflow !== undefined),
        inputs: ordered.filter((n): n is InputNode => n instanceof InputNode).reverse(),
      };
    }
  }
}
