/**
 * `qos::roundrobin` (Tremor v0.11 `op/qos/roundrobin.rs`): sends each event to the next of
 * `outputs` (port names, default `["out"]`) in turn, skipping ports whose downstream triggered
 * the circuit breaker for an event sent there, until a restore for one of them. With every port
 * closed, events go to `overflow`.
 */
import { eventWith } from '../../engine/text-event.ts';
import type { Insight } from '../../engine/insight.ts';
import { OperatorConfigError, type OperatorFactory } from '../operator.ts';
import { checkOperatorConfig } from '../operator-config.ts';

const TYPE = 'qos::roundrobin';

export const roundRobinOperatorFactory: OperatorFactory = {
  create(params, context) {
    const config = checkOperatorConfig(TYPE, params, { outputs: { type: 'array' } });
    const names = (config.outputs as unknown[] | undefined) ?? ['out'];
    if (names.length === 0 || !names.every((name) => typeof name === 'string' && name !== '')) {
      throw new OperatorConfigError(`${TYPE}: \`outputs\` must be a non-empty array of port names`, 'outputs');
    }
    const outputs = (names as string[]).map((port) => ({ port, open: true }));
    const uid = String(context.uid);
    let next = 0;
    return {
      onEvent(_port, event) {
        for (let i = 0; i < outputs.length; i++) {
          const index = (next + i) % outputs.length;
          if (!outputs[index].open) continue;
          next = (index + 1) % outputs.length;
          return { events: [[outputs[index].port, eventWith(event, { opMeta: { ...event.opMeta, [uid]: index } })]], insights: [] };
        }
        return { events: [['overflow', event]], insights: [] };
      },
      onContraflow(insight: Insight) {
        const index = insight.opMeta[uid];
        if (typeof index !== 'number' || outputs[index] === undefined) return 'pass';
        if (insight.kind === 'trigger') outputs[index].open = false;
        else if (insight.kind === 'restore') outputs[index].open = true;
        else return 'pass';
        // One port's breaker is this operator's business; upstream stops only when all are closed.
        const anyOpen = outputs.some((output) => output.open);
        if (insight.kind === 'trigger' && !anyOpen) return 'pass';
        if (insight.kind === 'restore' && outputs.filter((output) => output.open).length === 1) return 'pass';
        return 'stop';
      },
      stats: () => ({ open: outputs.filter((output) => output.open).length }),
    };
  },
};
