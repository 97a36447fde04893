/**
 * The running form of each graph node. A node receives an event on one of its input ports and
 * hands what it produces to the `StepSink` (the executor), which forwards it along the links of
 * the output port, depth-first, or collects it when it reaches a pipeline output.
 *
 * Every node's `receive` may throw: a select's runtime error (a Diagnostic) or an operator's
 * failure aborts the whole event (the executor discards what the event had produced so far).
 */
import type { Event } from './event.ts';
import { eventWithInserts, extendedJson } from './extended-json.ts';
import type { Insight } from './insight.ts';
import type { ScriptInstance, SelectStatement } from '../queries/compiled-query.ts';
import type { Operator } from '../operators/operator.ts';

/** What a node does with its results; the executor implements it. */
export interface StepSink {
  /** Sends `event` along every link leaving `port` of `node`. */
  forward(node: RuntimeNode, port: string, event: Event): void;
  /** `event` reached the pipeline output `port`. */
  output(port: string, event: Event): void;
  /** `producer` sent an insight upstream. */
  insight(producer: RuntimeNode, insight: Insight): void;
  /**
   * `node` emitted `event` on `port`: forwarded like `forward`, and if nothing downstream keeps
   * it (no output, no operator takes it), a transactional event is acked back from `node`.
   */
  forwardEmitted(node: RuntimeNode, port: string, event: Event): void;
  /** An operator took the event: it acks, fails or holds it from now on. */
  held(): void;
}

export interface Link {
  target: RuntimeNode;
  port: string;
}

/** Insights from a node (or a sink behind an output) go to these, in this order. */
export interface ContraflowRoute {
  /** Upstream operators that handle contraflow, in reverse topological order. */
  operators: OperatorNode[];
  /** Upstream inputs. */
  inputs: InputNode[];
}

const NO_LINKS: Link[] = [];

export abstract class RuntimeNode {
  /** Links leaving each output port, in statement order. */
  readonly links = new Map<string, Link[]>();
  /** The links of port `out`, kept apart because nearly every event leaves through it. */
  outLinks: Link[] = NO_LINKS;
  route: ContraflowRoute = { operators: [], inputs: [] };

  constructor(
    readonly index: number,
    readonly name: string,
    readonly uid: number,
  ) {}

  addLink(port: string, link: Link): void {
    const links = this.links.get(port) ?? [];
    links.push(link);
    this.links.set(port, links);
    if (port === 'out') this.outLinks = links;
  }

  abstract receive(port: string, event: Event, sink: StepSink): void;
}

/** `in` or `in/p`: where `Pipeline.send` puts events in. */
export class InputNode extends RuntimeNode {
  /** Set by `Pipeline.setTransactional`: only transactional inputs get acks and fails. */
  transactional = false;

  receive(_port: string, event: Event, sink: StepSink): void {
    sink.forward(this, 'out', event);
  }
}

/** `out`, `out/p`, `err`, `metrics`: events reaching it leave the pipeline. */
export class OutputNode extends RuntimeNode {
  receive(_port: string, event: Event, sink: StepSink): void {
    sink.output(this.name, event);
  }
}

/** `create stream S`: forwards everything it gets on `out`. */
export class StreamNode extends RuntimeNode {
  receive(_port: string, event: Event, sink: StepSink): void {
    sink.forward(this, 'out', event);
  }
}

/**
 * A select. Passthrough forwards the event; simple (target `event` with where/having) forwards it
 * unchanged when it passes; normal builds a new payload and keeps the original `$`, ids and ingest time.
 * Forwarding the same event object keeps its `dataJson` true: query expressions never change a
 * value in place (patch and merge copy), so `where`/`having` cannot have changed `data`.
 */
export class SelectNode extends RuntimeNode {
  constructor(index: number, name: string, uid: number, private readonly select: SelectStatement) {
    super(index, name, uid);
  }

  receive(_port: string, event: Event, sink: StepSink): void {
    const shape = this.select.shape;
    if (shape === 'passthrough') {
      sink.forward(this, 'out', event);
      return;
    }
    // The seed's `select patch event of insert "hostname" => system::hostname() end`: the new
    // text is the incoming one with the key added, made without reading (parsing) or copying the
    // payload; the new payload is parsed from that text only if something reads it.
    const inserts = this.select.constantInserts;
    if (inserts !== undefined) {
      const extended = eventWithInserts(event, inserts);
      if (extended !== undefined) {
        sink.forward(this, 'out', extended);
        return;
      }
    }
    // An Event is itself an EventView (data, meta, ingestNs), so no view object is allocated.
    const data = this.select.run(event);
    if (data === undefined) return;
    if (shape === 'simple') {
      sink.forward(this, 'out', event);
      return;
    }
    // A new payload: its text is the incoming one extended when only keys were added
    // (extended-json.ts), else none and whoever needs it serialises `data`.
    sink.forward(this, 'out', {
      id: event.id,
      data,
      dataJson: event.dataJson === undefined ? undefined : extendedJson(event.data, event.dataJson, data),
      meta: event.meta,
      ingestNs: event.ingestNs,
      transactional: event.transactional,
      opMeta: event.opMeta,
    });
  }
}

/**
 * A script node (`create script`). Its runtime errors do not abort the event: they become an event
 * on the node's `err` port, `{"error": <rendered>, "event": <payload>}` with the original `$`.
 */
export class ScriptNode extends RuntimeNode {
  constructor(index: number, name: string, uid: number, private readonly instance: ScriptInstance) {
    super(index, name, uid);
  }

  receive(_port: string, event: Event, sink: StepSink): void {
    const outcome = this.instance.run(event);
    if (outcome.kind === 'drop') return;
    // A script may have changed the payload in place (`let event.x = ...`): no `dataJson`.
    const emitted: Event = {
      id: event.id,
      data: outcome.kind === 'emit' ? outcome.data : { error: outcome.rendered, event: outcome.data },
      meta: outcome.kind === 'emit' ? outcome.meta : event.meta,
      ingestNs: event.ingestNs,
      transactional: event.transactional,
      opMeta: event.opMeta,
    };
    sink.forward(this, outcome.kind === 'emit' ? outcome.port : 'err', emitted);
  }
}

/** Raised when an operator's own code fails; names the node so the report says where. */
export class OperatorFailure extends Error {
  constructor(readonly nodeName: string, cause: unknown) {
    super(`operator \`${nodeName}\` failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** `create operator X` of some `module::name` type. */
export class OperatorNode extends RuntimeNode {
  operator!: Operator;

  receive(port: string, event: Event, sink: StepSink): void {
    sink.held();
    let output;
    try {
      output = this.operator.onEvent(port, event);
    } catch (error) {
      throw new OperatorFailure(this.name, error);
    }
    this.deliver(output.events, output.insights, sink);
  }

  deliver(events: Array<[port: string, event: Event]>, insights: Insight[], sink: StepSink): void {
    // Indexed loops: usually these are NO_OUTPUT's frozen arrays, and V8 does not optimise a
    // for...of over a frozen array (an iterator and its results allocated on every call).
    for (let i = 0; i < insights.length; i++) sink.insight(this, insights[i]);
    for (let i = 0; i < events.length; i++) sink.forwardEmitted(this, events[i][0], events[i][1]);
  }
}
