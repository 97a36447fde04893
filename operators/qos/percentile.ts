/**
 * `qos::percentile` (Tremor v0.11 `op/qos/percentile.rs`): passes a share of the events that
 * shrinks on bad feedback and grows on good. It starts passing all (1.0); a fail or a
 * circuit-breaker trigger for an event it passed takes `step_down` off (default 0.05), an ack adds
 * `step_up` (default 0.001). Whether an event passes is decided from its ingest time
 * (`(ingest_ns % 0xFFFF) / 0xFFFF` against the share), as in Tremor: deterministic, and spread
 * evenly. The rest goes to `overflow`. `timeout` (ms) is required, as in Tremor.
 */
import { eventWith } from '../../engine/text-event.ts';
import type { Insight } from '../../engine/insight.ts';
import { FloatValue } from '../../queries/values/value.ts';
import { OperatorConfigError, type OperatorFactory } from '../operator.ts';
import { checkOperatorConfig } from '../operator-config.ts';

const TYPE = 'qos::percentile';

export const percentileOperatorFactory: OperatorFactory = {
  create(params, context) {
    if (params === undefined) throw new OperatorConfigError(`Operator config for ${context.nodeId} is missing`);
    const config = checkOperatorConfig(TYPE, params, { timeout: { type: 'number', required: true }, step_up: { type: 'number' }, step_down: { type: 'number' } });
    const share = (key: string, fallback: number): number => {
      const raw = config[key];
      const value = raw === undefined ? fallback : raw instanceof FloatValue ? raw.value : (raw as number);
      if (value < 0 || value > 1) throw new OperatorConfigError(`${TYPE}: \`${key}\` must be between 0.0 and 1.0, got ${value}`, key);
      return value;
    };
    const stepUp = share('step_up', 0.001);
    const stepDown = share('step_down', 0.05);
    const uid = String(context.uid);
    let passing = 1;
    return {
      onEvent(_port, event) {
        const tagged = eventWith(event, { opMeta: { ...event.opMeta, [uid]: null } });
        const draw = (event.ingestNs % 0xffff) / 0xffff;
        return { events: [[draw > passing ? 'overflow' : 'out', tagged]], insights: [] };
      },
      onContraflow(insight: Insight) {
        if (!Object.hasOwn(insight.opMeta, uid)) return 'pass';
        if (insight.kind === 'fail' || insight.kind === 'trigger') passing = Math.max(0, passing - stepDown);
        else if (insight.kind === 'ack') passing = Math.min(1, passing + stepUp);
        return 'pass';
      },
      stats: () => ({ passing }),
    };
  },
};
