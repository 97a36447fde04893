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
import { emptyOutput, NO_OUTPUT, type Operator, type OperatorContext, type OperatorOutput } from '../operators/operator.ts';
import type { WindowedSelectStatement } from '../queries/compiled-query.ts';
import { GroupedWindows, type WindowOutput } from '../queries/windows/grouped-windows.ts';
import { CoveredDelivery } from './covered-delivery.ts';

export class WindowedSelectNode extends OperatorNode {
  /** Not wrapped as an operator failure: a select's runtime error is a Diagnostic that shows its source position. */
  receive(port: string, event: Event, sink: StepSink): void {
    // The select takes every event: it acks it with the window that covers it (or at once, filtered out).
    sink.held();
    const output = (this.operator as WindowedSelectOperator).handle(event);
    this.deliver(output.events, output.insights, sink);
  }
}

export class WindowedSelectOperator implements Operator {
  private readonly windows: GroupedWindows;
  private readonly delivery: CoveredDelivery;
  private nextEventId = 0;
  /** What the current call emitted; undefined (NO_OUTPUT returned) until a window emits, which most events do not. */
  private output: OperatorOutput | undefined;

  constructor(
    statement: WindowedSelectStatement,
    private readonly context: OperatorContext,
  ) {
    this.windows = new GroupedWindows(statement.plan);
    this.delivery = new CoveredDelivery(context.uid, (insight) => context.insightLater(insight));
  }

  handle(event: Event): OperatorOutput {
    this.output = undefined;
    this.windows.onEvent(event, this.emit);
    return this.output ?? NO_OUTPUT;
  }

  onEvent(_port: string, event: Event): OperatorOutput {
    return this.handle(event);
  }

  onTick(nowNs: number): OperatorOutput {
    this.output = undefined;
    this.windows.onTick(nowNs, this.emit);
    return this.output ?? NO_OUTPUT;
  }

  onContraflow(insight: Insight): 'stop' | 'pass' {
    return this.delivery.onContraflow(insight);
  }

  stats(): Record<string, number> {
    return { groups: this.windows.groupCount, awaitingDelivery: this.delivery.awaiting };
  }

  private readonly emit = (window: WindowOutput): void => {
    if (window.filtered) {
      if (window.covered) this.delivery.settleNow(window.covered);
      return;
    }
    const n = this.nextEventId++;
    if (window.covered) this.delivery.track(n, window.covered);
    (this.output ??= emptyOutput()).events.push([
      'out',
      {
        id: new EventId(this.context.uid, 0, n),
        data: window.data,
        meta: window.meta ?? {},
        ingestNs: window.ingestNs,
        transactional: window.covered !== undefined,
        opMeta: {},
      },
    ]);
  };
}
