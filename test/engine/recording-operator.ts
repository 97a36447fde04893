/**
 * A test operator that records every call into a shared journal and does what the test tells it:
 * forward events, answer contraflow with 'stop' or 'pass', produce insights, emit on ticks.
 */
import type { Event } from '../../engine/event.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Insight } from '../../engine/insight.ts';
import { emptyOutput, type Operator, type OperatorContext, type OperatorFactory, type OperatorOutput } from '../../operators/operator.ts';
import type { Value } from '../../queries/values/value.ts';

export interface Behaviour {
  /** Which insight kinds this operator absorbs ('stop'). */
  absorbs?: Insight['kind'][];
  /** Insight to send upstream (returned from onEvent) for every event. */
  insightOnEvent?: Insight['kind'];
  /** Throw from onEvent when the payload has `fail: true`. */
  failOnFlag?: boolean;
  /** Emit `{tick: <node>}` on every tick. */
  emitOnTick?: boolean;
  /** Idle until told otherwise (for drain tests). */
  idle?: () => boolean;
}

export class Journal {
  readonly entries: string[] = [];
  readonly contexts = new Map<string, OperatorContext>();
  readonly closed: string[] = [];
}

export function recordingFactory(journal: Journal, behaviours: Record<string, Behaviour> = {}): (type: string) => OperatorFactory | undefined {
  return (type) => {
    if (type !== 'test::recorder') return undefined;
    return {
      create(_params: Record<string, Value> | undefined, context: OperatorContext): Operator {
        journal.contexts.set(context.nodeId, context);
        return new RecordingOperator(journal, context, behaviours[context.nodeId] ?? {});
      },
    };
  };
}

class RecordingOperator implements Operator {
  constructor(private readonly journal: Journal, private readonly context: OperatorContext, private readonly behaviour: Behaviour) {}

  onEvent(port: string, event: Event): OperatorOutput {
    this.journal.entries.push(`${this.context.nodeId}:event:${port}`);
    const data = event.data as Record<string, Value>;
    if (this.behaviour.failOnFlag && data.fail === true) throw new Error(`${this.context.nodeId} refused the event`);
    const output = emptyOutput();
    output.events.push(['out', event]);
    if (this.behaviour.insightOnEvent) output.insights.push({ kind: this.behaviour.insightOnEvent, id: event.id, opMeta: {} });
    return output;
  }

  onTick(nowNs: number): OperatorOutput {
    this.journal.entries.push(`${this.context.nodeId}:tick`);
    const output = emptyOutput();
    if (this.behaviour.emitOnTick) {
      output.events.push(['out', { id: new EventId(this.context.uid, 0, 0), data: { tick: this.context.nodeId }, meta: {}, ingestNs: nowNs, transactional: false, opMeta: {} }]);
    }
    return output;
  }

  onContraflow(insight: Insight): 'stop' | 'pass' {
    this.journal.entries.push(`${this.context.nodeId}:contraflow:${insight.kind}`);
    return this.behaviour.absorbs?.includes(insight.kind) ? 'stop' : 'pass';
  }

  isIdle(): boolean {
    return this.behaviour.idle?.() ?? true;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.journal.closed.push(this.context.nodeId);
  }
}
