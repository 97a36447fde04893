import type { EventId } from './event-id.ts';
import type { OpMeta } from './event.ts';

/**
 * Contraflow: messages that travel from sinks back towards sources.
 * - `ack` / `fail`: guaranteed delivery, naming the event (and what it tracks) by id.
 * - `trigger`: circuit breaker, stop sending (Tremor's `Close`).
 * - `restore`: start sending again (Tremor's `Open`).
 */
export type InsightKind = 'ack' | 'fail' | 'trigger' | 'restore';

export interface Insight {
  kind: InsightKind;
  /** The event an ack/fail is about; for trigger/restore, the id of whatever caused it, if any. */
  id?: EventId;
  opMeta: OpMeta;
  /** For a `fail`: why delivery failed (a sink's `Delivery.fail(reason)`), for dead-letter records. */
  reason?: string;
}

export function isDeliveryInsight(insight: Insight): boolean {
  return insight.kind === 'ack' || insight.kind === 'fail';
}
