/**
 * `generic::counter` (Tremor v0.11 `op/generic/counter.rs`): wraps each event as
 * `{"count": n, "event": payload}`, n counting from 1 over the operator's life. Takes no config.
 */
import type { OperatorFactory } from '../operator.ts';
import { checkOperatorConfig } from '../operator-config.ts';

export const counterOperatorFactory: OperatorFactory = {
  create(params) {
    checkOperatorConfig('generic::counter', params, {});
    let count = 0;
    return {
      onEvent(_port, event) {
        count++;
        return { events: [['out', { ...event, data: { count, event: event.data }, dataJson: undefined }]], insights: [] };
      },
    };
  },
};
