/**
 * `module::name` -> operator factory. A query that creates an operator of a type not listed here
 * fails to build with an error naming the type.
 */
import type { OperatorFactory } from './operator.ts';
import { walOperatorFactory } from './qos/wal/index.ts';
import { batchOperatorFactory } from './generic/batch.ts';
import { counterOperatorFactory } from './generic/counter.ts';
import { bucketOperatorFactory } from './grouper/bucket.ts';
import { backpressureOperatorFactory } from './qos/backpressure.ts';
import { percentileOperatorFactory } from './qos/percentile.ts';
import { roundRobinOperatorFactory } from './qos/roundrobin.ts';
import { historyOperatorFactory } from './debug/history.ts';

const factories = new Map<string, OperatorFactory>([
  ['qos::wal', walOperatorFactory],
  ['generic::batch', batchOperatorFactory],
  ['generic::counter', counterOperatorFactory],
  ['grouper::bucket', bucketOperatorFactory],
  ['qos::backpressure', backpressureOperatorFactory],
  ['qos::percentile', percentileOperatorFactory],
  ['qos::roundrobin', roundRobinOperatorFactory],
  ['debug::history', historyOperatorFactory],
]);

export function lookupOperator(operatorType: string): OperatorFactory | undefined {
  return factories.get(operatorType);
}

export function knownOperatorTypes(): string[] {
  return [...factories.keys()];
}
