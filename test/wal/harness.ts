/**
 * Drives a real `qos::wal` operator (real LMDB in a real directory) without the engine: this class
 * is the operator's `OperatorContext`, collecting what it sends later (after a commit lands).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import type { Operator, OperatorContext } from '../../operators/operator.ts';
import { walOperatorFactory } from '../../operators/qos/wal/index.ts';
import type { WalOperator } from '../../operators/qos/wal/operator.ts';
import type { Value } from '../../queries/values/value.ts';

export class HarnessContext implements OperatorContext {
  readonly nodeId = 'wal';
  readonly pipelineId = 'test';
  readonly emittedLater: Event[] = [];
  /** Events emitted on `err` (dead letters). */
  readonly deadLetters: Event[] = [];
  readonly insightsLater: Insight[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly uid: number,
    readonly dataDir?: string,
  ) {}

  emitLater(port: string, event: Event): void {
    if (port === 'err') this.deadLetters.push(event);
    else if (port === 'out') this.emittedLater.push(event);
    else throw new Error(`WAL emitted on port ${port}`);
  }

  insightLater(insight: Insight): void {
    this.insightsLater.push(insight);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Takes (and clears) what arrived since the last call. */
  drain(): { events: Event[]; insights: Insight[] } {
    return { events: this.emittedLater.splice(0), insights: this.insightsLater.splice(0) };
  }
}

export function temporaryDirectory(prefix = 'rill-wal-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startWal(params: Record<string, Value>, context: HarnessContext): Promise<WalOperator> {
  const operator = walOperatorFactory.create(params, context) as WalOperator;
  await operator.start();
  return operator;
}

/** An input event from source `sourceId` numbered `n`, carrying `{n}` as data. */
export function inputEvent(sourceId: number, n: number, transactional: boolean, payload: Value = { n }): Event {
  return {
    id: new EventId(sourceId, 0, n),
    data: payload,
    meta: { origin: 'test' },
    ingestNs: 1_000_000 + n,
    transactional,
    opMeta: { '7': n },
  };
}

/** Lets every commit in progress land and its callbacks (acks upstream, emits) run. */
export async function settle(operator: Operator): Promise<void> {
  await (operator as WalOperator).flushed();
}

export function ackFor(event: Event): Insight {
  return { kind: 'ack', id: event.id, opMeta: event.opMeta };
}

export function failFor(event: Event): Insight {
  return { kind: 'fail', id: event.id, opMeta: event.opMeta };
}
