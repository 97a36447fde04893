/**
 * The node of a windowed or grouped select. It is an OperatorNode so that the executor ticks it
 * (interval windows close on ticks) and routes contraflow through it; its operator wraps the
 * select's GroupedWindows.
 *
 * Guaranteed delivery: an emitted window is a new event (this node's id, `uid:0:n`), transactional
 * when the window covers transactional events. The node remembers which events each such output
 * covers; when the output is acked or failed downstream it absorbs that insight and acks or fails
 * every covered event upstream, each under its own id, so a `qos::wal` before the window deletes
 * (or replays) exactly those. Events a tilt frame's later windows merge were already settled by
 * the first window's output, so only first-window outputs are transactional.
 */
import type { Event } from './event.ts';
import type { Insight } from './insight.ts';
import { EventId } from './event-id.ts';
import { OperatorNode, type StepSink } from './nodes.ts';
import { emptyOutput, type Operator, type OperatorContext, type OperatorOutput } from '../operators/operator.ts';
import type { WindowedSelectStatement } from '../queries/compiled-query.ts';
import { GroupedWindows, type CoveredEvent, type WindowOutput } from '../queries/windows/grouped-windows.ts';
import type { OpMeta } from './event.ts';

export class WindowedSelectNode extends OperatorNode {
  /** Not wrapped as an operator failure: a select's runtime error is a Diagnostic that shows its source position. */
  receive(port: string, event: Event, sink: StepSink): void {
    const output = (this.operator as WindowedSelectOperator).handle(event);
    this.deliver(output.events, output.insights, sink);
  }
}

export class WindowedSelectOperator implements Operator {
  private readonly windows: GroupedWindows;
  private nextEventId = 0;
  /** Output event number -> the transactional events it covers, until it is acked or failed. */
  private readonly pending = new Map<number, CoveredEvent[]>();
  private output: OperatorOutput = emptyOutput();

  constructor(
    statement: WindowedSelectStatement,
    private readonly context: OperatorContext,
  ) {
    this.windows = new GroupedWindows(statement.plan);
  }

  handle(event: Event): OperatorOutput {
    this.output = emptyOutput();
    this.windows.onEvent(event, this.emit);
    return this.output;
  }

  onEvent(_port: string, event: Event): OperatorOutput {
    return this.handle(event);
  }

  onTick(nowNs: number): OperatorOutput {
    this.output = emptyOutput();
    this.windows.onTick(nowNs, this.emit);
    return this.output;
  }

  onContraflow(insight: Insight): 'stop' | 'pass' {
    const id = insight.id;
    if (!id || (insight.kind !== 'ack' && insight.kind !== 'fail')) return 'pass';
    const range = id.rangeFor(this.context.uid);
    if (!range) return 'pass';
    for (let n = range.min; n <= range.max; n++) {
      const covered = this.pending.get(n);
      if (!covered) continue;
      this.pending.delete(n);
      this.settle(insight.kind, covered, insight.reason);
    }
    return 'stop';
  }

  stats(): Record<string, number> {
    return { groups: this.windows.groupCount, awaitingDelivery: this.pending.size };
  }

  private readonly emit = (window: WindowOutput): void => {
    if (window.filtered) {
      if (window.covered) this.settle('ack', window.covered);
      return;
    }
    const n = this.nextEventId++;
    const transactional = window.covered !== undefined;
    if (transactional) this.pending.set(n, window.covered!);
    this.output.events.push([
      'out',
      {
        id: new EventId(this.context.uid, 0, n),
        data: window.data,
        meta: window.meta ?? {},
        ingestNs: window.ingestNs,
        transactional,
        opMeta: {},
      },
    ]);
  };

  private settle(kind: 'ack' | 'fail', covered: CoveredEvent[], reason?: string): void {
    for (const event of covered) {
      this.context.insightLater({ kind, id: event.id as EventId, opMeta: event.opMeta as OpMeta, reason });
    }
  }
}
