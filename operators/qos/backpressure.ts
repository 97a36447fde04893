/**
 * `qos::backpressure` (Tremor v0.11 `op/qos/backpressure.rs`): backs off when downstream reports
 * trouble. Every event it passes is marked transactional (so its delivery is reported back) and
 * tagged in its op-meta. A fail or a circuit-breaker trigger for such an event moves the backoff
 * one step up `steps` (milliseconds, default 50, 100, 250, 500, 1000, 5000, 10000); an ack resets it.
 * While backing off, an event arriving sooner than `backoff` after the last one passed goes to
 * `overflow` (`method = "discard"`, the default), or still to `out` while a trigger is sent
 * upstream once and a restore when a tick finds the backoff over (`method = "pause"`).
 * `timeout` (ms) is required, as in Tremor, for insights that report a delivery time; rill's sinks
 * report none, so only fails and triggers back off.
 */
import { eventWith } from '../../engine/text-event.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { OperatorConfigError, type OperatorFactory } from '../operator.ts';
import { checkOperatorConfig } from '../operator-config.ts';

const TYPE = 'qos::backpressure';
const DEFAULT_STEPS_MS = [50, 100, 250, 500, 1000, 5000, 10000];

/** The first step above the current backoff, or the last one. */
function nextBackoff(steps: number[], current: number): number {
  let backoff = 0;
  for (const step of steps) {
    backoff = step;
    if (step > current) break;
  }
  return backoff;
}

export const backpressureOperatorFactory: OperatorFactory = {
  create(params, context) {
    if (params === undefined) throw new OperatorConfigError(`Operator config for ${context.nodeId} is missing`);
    const config = checkOperatorConfig(TYPE, params, { timeout: { type: 'number', required: true }, steps: { type: 'array' }, method: { type: 'string' } });
    const steps = readSteps(config.steps);
    const method = config.method ?? 'discard';
    if (method !== 'discard' && method !== 'pause') throw new OperatorConfigError(`${TYPE}: \`method\` must be "discard" or "pause", got ${JSON.stringify(method)}`, 'method');
    const uid = String(context.uid);
    let backoff = 0;
    let next = 0;
    return {
      onEvent(_port, event) {
        const tagged: Event = eventWith(event, { transactional: true, opMeta: { ...event.opMeta, [uid]: null } });
        if (next <= event.ingestNs) {
          next = event.ingestNs + backoff;
          return { events: [['out', tagged]], insights: [] };
        }
        return { events: [[method === 'pause' ? 'out' : 'overflow', tagged]], insights: [] };
      },
      onTick(nowNs) {
        if (backoff > 0 && next <= nowNs) {
          backoff = 0;
          next = 0;
          if (method === 'pause') return { events: [], insights: [{ kind: 'restore', opMeta: {} }] };
        }
        return { events: [], insights: [] };
      },
      onContraflow(insight: Insight) {
        if (!Object.hasOwn(insight.opMeta, uid) || insight.kind === 'restore') return 'pass';
        const wasOpen = backoff === 0;
        if (insight.kind === 'fail' || insight.kind === 'trigger') {
          backoff = nextBackoff(steps, backoff);
          // Insights carry no time: the backoff runs from when the trouble is reported.
          next = nowNs() + backoff;
        } else {
          backoff = 0;
          next = 0;
        }
        if (method === 'pause' && wasOpen && backoff > 0 && insight.kind !== 'trigger') context.insightLater({ kind: 'trigger', opMeta: {} });
        if (method === 'pause' && !wasOpen && backoff === 0) context.insightLater({ kind: 'restore', opMeta: {} });
        // Discarding is this operator's answer to a trigger: upstream need not stop.
        return method === 'discard' && insight.kind === 'trigger' ? 'stop' : 'pass';
      },
      stats: () => ({ backoffMs: backoff / 1_000_000 }),
    };

    function readSteps(value: unknown): number[] {
      if (value === undefined) return DEFAULT_STEPS_MS.map((ms) => ms * 1_000_000);
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
        throw new OperatorConfigError(`${TYPE}: \`steps\` must be a non-empty array of milliseconds (non-negative integers)`, 'steps');
      }
      return (value as number[]).map((ms) => ms * 1_000_000);
    }
  },
};

