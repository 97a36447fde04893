/**
 * `debug::history` (Tremor v0.11 `op/debug/history.rs`): appends `"evt: <op>(<event id>)"` to the
 * array `$<name>` of each event it passes (creating it), so a pipeline's path through several
 * history operators can be read off the event. Config: `op` (the label) and `name` (the metadata key).
 */
import { eventWith } from '../../engine/text-event.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import type { OperatorFactory } from '../operator.ts';
import { checkOperatorConfig } from '../operator-config.ts';

export const historyOperatorFactory: OperatorFactory = {
  create(params) {
    const config = checkOperatorConfig('debug::history', params, { op: { type: 'string', required: true }, name: { type: 'string', required: true } });
    const op = config.op as string;
    const name = config.name as string;
    return {
      onEvent(_port, event) {
        const meta: RecordValue = { ...event.meta };
        const history = meta[name];
        const entry = `evt: ${op}(${event.id.toString()})`;
        meta[name] = Array.isArray(history) ? [...history, entry] : [entry];
        return { events: [['out', eventWith(event, { meta })]], insights: [] };
      },
    };
  },
};
