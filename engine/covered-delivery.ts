/**
 * Delivery for nodes that turn many events into one (a window's aggregate, a batch): the node's
 * output is a new event under the node's own id, and this remembers which transactional input
 * events each output covers. A downstream ack or fail of the output is absorbed and becomes an
 * ack or fail of every covered event, each under its own id and op-meta, so an upstream
 * `qos::wal` deletes or replays exactly those — never the interleaved events of another group
 * that an id range would also name.
 */
import type { EventId } from './event-id.ts';
import type { OpMeta } from './event.ts';
import type { Insight } from './insight.ts';

/** An input event as delivery needs it. */
export interface CoveredEvent {
  readonly id: EventId;
  readonly opMeta: OpMeta;
}

export class CoveredDelivery {
  /** Output event number -> the transactional events it covers, until it is acked or failed. */
  private readonly pending = new Map<number, CoveredEvent[]>();

  constructor(
    /** The node's uid: the source id of its outputs. */
    private readonly uid: number,
    private readonly sendUpstream: (insight: Insight) => void,
  ) {}

  get awaiting(): number {
    return this.pending.size;
  }

  /** Output `n` covers `covered`; it is sent transactional and must be acked or failed. */
  track(n: number, covered: CoveredEvent[]): void {
    this.pending.set(n, covered);
  }

  /** `covered` will have no output (filtered out): processed, so acked at once. */
  settleNow(covered: CoveredEvent[]): void {
    this.settle('ack', covered);
  }

  /** For Operator.onContraflow: absorbs acks and fails of this node's outputs. */
  onContraflow(insight: Insight): 'stop' | 'pass' {
    const id = insight.id;
    if (!id || (insight.kind !== 'ack' && insight.kind !== 'fail')) return 'pass';
    const range = id.rangeFor(this.uid);
    if (!range) return 'pass';
    for (let n = range.min; n <= range.max; n++) {
      const covered = this.pending.get(n);
      if (!covered) continue;
      this.pending.delete(n);
      this.settle(insight.kind, covered, insight.reason);
    }
    return 'stop';
  }

  private settle(kind: 'ack' | 'fail', covered: CoveredEvent[], reason?: string): void {
    for (const event of covered) this.sendUpstream({ kind, id: event.id, opMeta: event.opMeta, reason });
  }
}
