/**
 * `generic::batch` (Tremor v0.11 `op/generic/batch.rs`): collects events and sends them on as one
 * event whose payload is the array of their payloads, when `count` events are in (default 1000),
 * or when the batch's first event is older than `timeout` nanoseconds (checked on each event and
 * each tick). The batch event keeps the first event's ingest time.
 *
 * Delivery: a batch of transactional events is transactional; its ack or fail acks or fails
 * every event in it (engine/covered-delivery.ts). Memory: at most `count` events are held.
 */
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import { CoveredDelivery, type CoveredEvent } from '../../engine/covered-delivery.ts';
import type { Value } from '../../queries/values/value.ts';
import { NO_OUTPUT, type OperatorFactory, type OperatorOutput } from '../operator.ts';
import { atLeast, checkOperatorConfig } from '../operator-config.ts';

const TYPE = 'generic::batch';
const DEFAULT_COUNT = 1000;

export const batchOperatorFactory: OperatorFactory = {
  create(params, context) {
    const config = checkOperatorConfig(TYPE, params, { count: { type: 'integer' }, timeout: { type: 'integer' } });
    atLeast(TYPE, config, 'count', 1);
    atLeast(TYPE, config, 'timeout', 0);
    const count = (config.count as number | undefined) ?? DEFAULT_COUNT;
    const timeoutNs = config.timeout as number | undefined;
    const delivery = new CoveredDelivery(context.uid, (insight) => context.insightLater(insight));
    let payloads: Value[] = [];
    let covered: CoveredEvent[] = [];
    let firstNs = 0;
    let nextId = 0;

    const flush = (): OperatorOutput => {
      const n = nextId++;
      const transactional = covered.length > 0;
      if (transactional) delivery.track(n, covered);
      const batch: Event = { id: new EventId(context.uid, 0, n), data: payloads, meta: {}, ingestNs: firstNs, transactional, opMeta: {} };
      payloads = [];
      covered = [];
      return { events: [['out', batch]], insights: [] };
    };

    return {
      onEvent(_port, event) {
        payloads.push(event.data);
        if (event.transactional) covered.push({ id: event.id, opMeta: event.opMeta });
        if (payloads.length === 1) firstNs = event.ingestNs;
        const late = timeoutNs !== undefined && event.ingestNs - firstNs > timeoutNs;
        return late || payloads.length >= count ? flush() : NO_OUTPUT;
      },
      onTick(nowNs) {
        return timeoutNs !== undefined && payloads.length > 0 && nowNs - firstNs > timeoutNs ? flush() : NO_OUTPUT;
      },
      onContraflow: (insight) => delivery.onContraflow(insight),
      stats: () => ({ batched: payloads.length, awaitingDelivery: delivery.awaiting }),
    };
  },
};
