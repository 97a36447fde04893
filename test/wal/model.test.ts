/**
 * Model test: fast-check drives a real `qos::wal` (real LMDB directory) through random sequences
 * of events in (transactional or not), downstream acks and fails (out of order, repeated, for
 * unknown ids, for deliveries of an earlier process), trigger/restore, ticks, commits landing and
 * close-and-reopen of the same directory, and checks every step against an in-memory model of
 * SEMANTICS.md section 3:
 * - durable before ack: an upstream ack only once the commit landed; nothing emitted before that;
 * - exactly one ack or fail per transactional input; none for the others;
 * - each read emits exactly min(read_count, what may go out) events; redeliveries only after a fail
 *   naming the event or an earlier one in flight, in sequence order; fresh events in sequence order;
 * - acks delete exactly the events they name; fails never resend acked events;
 * - limits: trigger/restore exactly on crossing; stored count <= max_elements + non-transactional
 *   events accepted while full; stored bytes < max_bytes + one record + those events' bytes;
 * - no loss: at the end every acked-upstream and every non-transactional event has been delivered
 *   and the store is empty only once each was acked;
 * - bounded duplication: deliveries <= distinct events + sum over fails and reopens of the events
 *   in flight at that moment;
 * - poison events: an event failed max_attempts times (in one lifetime) is emitted on `err` once
 *   and deleted, never re-sent. (The re-send backoff is off here, `resend_backoff_ms = 0`, so that
 *   every read is exact; poison-event.test.ts checks it.)
 * Runs: env RILL_WAL_MODEL_RUNS (default 1000).
 */
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import type { WalOperator } from '../../operators/qos/wal/operator.ts';
import { DEFAULT_MAX_ATTEMPTS } from '../../operators/qos/wal/config.ts';
import { encodeRecord } from '../../operators/qos/wal/record.ts';
import { KEY_BYTES } from '../../operators/qos/wal/store.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';
import { HarnessContext, inputEvent, settle, startWal, temporaryDirectory } from './harness.ts';

const RUNS = Number(process.env.RILL_WAL_MODEL_RUNS ?? 1000);
const SOURCE_UID = 1;

type Step =
  | { kind: 'event'; transactional: boolean; padding: number }
  | { kind: 'ack'; pick: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'ackUnknown' }
  | { kind: 'failUnknown' }
  | { kind: 'trigger' }
  | { kind: 'restore' }
  | { kind: 'tick' }
  | { kind: 'settle' }
  | { kind: 'reopen' };

interface Limits {
  readCount: number;
  maxElements?: number;
  maxBytes?: number;
  maxInFlight?: number;
  maxAttempts?: number;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('event' as const), transactional: fc.boolean(), padding: fc.nat(60) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'ackUnknown' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'failUnknown' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'trigger' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'restore' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'tick' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

const limitsArbitrary: fc.Arbitrary<Limits> = fc
  .record({
    readCount: fc.integer({ min: 1, max: 4 }),
    maxElements: fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined }),
    maxBytes: fc.option(fc.integer({ min: 200, max: 1500 }), { nil: undefined }),
    maxInFlight: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    maxAttempts: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  })
  .map((limits) => (limits.maxElements === undefined && limits.maxBytes === undefined ? { ...limits, maxElements: 6 } : limits));

/** What one input event became. */
interface Input {
  n: number;
  transactional: boolean;
  seq?: number;
  bytes: number;
  upstream?: 'ack' | 'fail';
  payload: Value;
}

/** One copy of an event that went downstream. */
interface Delivery {
  event: Event;
  seq: number;
  lifetime: number;
}

class Model {
  nextSeq = 0;
  /** seq -> input n, for events stored and not acked. */
  readonly stored = new Map<number, number>();
  storedBytes = 0;
  /** Sequence numbers whose commit has landed (appended before the last settle/reopen). */
  committedBelow = 0;
  broken = true;
  upstreamTriggered = false;
  lifetime = 0;
  uid = 100;
  readonly inFlight = new Set<number>();
  readonly awaitingResend = new Set<number>();
  /** Failures so far in this lifetime of events neither acked nor dead-lettered. */
  readonly failures = new Map<number, number>();
  /** Dead letters expected on `err` and not seen yet. */
  readonly expectedDeadLetters: number[] = [];
  readonly emittedThisLifetime = new Set<number>();
  readonly inputs: Input[] = [];
  readonly deliveries: Delivery[] = [];
  duplicateAllowance = 0;
  /** Acks whose deletion has not landed yet (until the next settle or reopen). */
  deletionsInProgress = 0;
  nonTransactionalWhileFull = { count: 0, bytes: 0 };
  largestRecord = 0;
  epoch: string | undefined;

  constructor(readonly limits: Limits) {}

  get full(): boolean {
    const { maxElements, maxBytes } = this.limits;
    return (maxElements !== undefined && this.stored.size >= maxElements) || (maxBytes !== undefined && this.storedBytes >= maxBytes);
  }

  /** How many events a read may emit now. */
  readable(): number {
    if (this.broken) return 0;
    let budget = this.limits.readCount;
    if (this.limits.maxInFlight !== undefined) budget = Math.min(budget, this.limits.maxInFlight - this.inFlight.size - this.deletionsInProgress);
    let available = [...this.awaitingResend].filter((seq) => this.stored.has(seq)).length;
    for (const seq of this.stored.keys()) if (seq < this.committedBelow && !this.emittedThisLifetime.has(seq)) available++;
    return Math.max(0, Math.min(budget, available));
  }

  fullnessChange(): Insight['kind'] | undefined {
    if (this.full === this.upstreamTriggered) return undefined;
    this.upstreamTriggered = this.full;
    return this.full ? 'trigger' : 'restore';
  }

  /** Checks one emitted event and records it. */
  emitted(event: Event): void {
    const wal = (event.meta as RecordValue).wal as RecordValue;
    const seq = wal.seq as number;
    expect(event.id.sourceId).toBe(this.uid);
    expect(event.id.eventId).toBe(seq);
    expect(event.transactional).toBe(true);
    this.epoch ??= wal.epoch as string;
    expect(wal.epoch).toBe(this.epoch);
    expect(seq < this.committedBelow, `seq ${seq} emitted before its commit landed`).toBe(true);
    const n = this.stored.get(seq);
    expect(n, `seq ${seq} emitted but not stored (acked or never written)`).toBeDefined();
    const input = this.inputs[n as number];
    expect(event.data).toEqual(input.payload);
    expect(event.opMeta).toEqual({ '7': n });
    expect(event.ingestNs).toBe(1_000_000 + (n as number));
    expect(event.id.rangeFor(SOURCE_UID)).toEqual({ min: n, max: n });
    if (this.emittedThisLifetime.has(seq)) {
      expect(this.awaitingResend.has(seq), `seq ${seq} redelivered without a fail`).toBe(true);
      expect(seq).toBe(Math.min(...[...this.awaitingResend].filter((s) => this.stored.has(s))));
      this.awaitingResend.delete(seq);
    } else {
      const firstUnemitted = Math.min(...[...this.stored.keys()].filter((s) => !this.emittedThisLifetime.has(s)));
      expect(seq, 'fresh events go out in sequence order').toBe(firstUnemitted);
      this.emittedThisLifetime.add(seq);
    }
    this.inFlight.add(seq);
    if (this.limits.maxInFlight !== undefined) {
      expect(this.inFlight.size + this.deletionsInProgress).toBeLessThanOrEqual(this.limits.maxInFlight);
    }
    this.deliveries.push({ event, seq, lifetime: this.lifetime });
  }

  /** An ack or fail for `seq` sent by this lifetime's operator. */
  acked(seq: number): void {
    if (!this.inFlight.has(seq) && !this.awaitingResend.has(seq)) return;
    this.inFlight.delete(seq);
    this.awaitingResend.delete(seq);
    this.failures.delete(seq);
    const n = this.stored.get(seq) as number;
    this.stored.delete(seq);
    this.storedBytes -= this.inputs[n].bytes;
    this.deletionsInProgress++;
  }

  failed(seq: number): void {
    if (!this.inFlight.has(seq)) return;
    const failures = (this.failures.get(seq) ?? 0) + 1;
    if (failures >= (this.limits.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      this.inFlight.delete(seq);
      this.failures.delete(seq);
      this.storedBytes -= this.inputs[this.stored.get(seq) as number].bytes;
      this.stored.delete(seq);
      this.deletionsInProgress++;
      this.expectedDeadLetters.push(seq);
      return;
    }
    this.failures.set(seq, failures);
    this.duplicateAllowance += this.inFlight.size;
    for (const other of [...this.inFlight]) {
      if (other >= seq) {
        this.inFlight.delete(other);
        this.awaitingResend.add(other);
      }
    }
  }

  checkLimits(): void {
    const { maxElements, maxBytes } = this.limits;
    if (maxElements !== undefined) expect(this.stored.size).toBeLessThanOrEqual(maxElements + this.nonTransactionalWhileFull.count);
    if (maxBytes !== undefined) {
      expect(this.storedBytes).toBeLessThan(maxBytes + this.largestRecord + this.nonTransactionalWhileFull.bytes);
    }
  }
}

function recordBytes(n: number, payload: Value): number {
  const event = inputEvent(SOURCE_UID, n, false, payload);
  return KEY_BYTES + encodeRecord(event.id, event).length;
}

function params(limits: Limits, dir: string): Record<string, Value> {
  const result: Record<string, Value> = { read_count: limits.readCount, dir, resend_backoff_ms: 0 };
  if (limits.maxElements !== undefined) result.max_elements = limits.maxElements;
  if (limits.maxBytes !== undefined) result.max_bytes = limits.maxBytes;
  if (limits.maxInFlight !== undefined) result.max_in_flight = limits.maxInFlight;
  if (limits.maxAttempts !== undefined) result.max_attempts = limits.maxAttempts;
  return result;
}

/** Applies insights that reached upstream (sync or later) to the inputs and checks them. */
function upstreamInsights(model: Model, insights: Insight[], synchronous: boolean): void {
  for (const insight of insights) {
    if (insight.kind === 'trigger' || insight.kind === 'restore') {
      expect(insight.kind).toBe(model.fullnessChange());
      continue;
    }
    const n = insight.id?.eventId as number;
    expect(insight.id?.sourceId).toBe(SOURCE_UID);
    const input = model.inputs[n];
    expect(input.transactional, 'acks and fails only for transactional inputs').toBe(true);
    expect(input.upstream, `input ${n} got a second ${insight.kind}`).toBeUndefined();
    expect(insight.opMeta).toEqual({ '7': n });
    if (insight.kind === 'ack') {
      expect(synchronous, 'an upstream ack can only follow a landed commit').toBe(false);
      expect(input.seq).toBeDefined();
    } else {
      expect(input.seq, 'a stored input must not be failed').toBeUndefined();
    }
    input.upstream = insight.kind;
  }
}

async function settleAndCheck(model: Model, wal: WalOperator, context: HarnessContext): Promise<void> {
  model.committedBelow = model.nextSeq;
  await settle(wal);
  model.deletionsInProgress = 0;
  const later = context.drain();
  upstreamInsights(model, later.insights, false);
  for (const event of later.events) model.emitted(event);
  for (const input of model.inputs) {
    if (input.transactional && input.seq !== undefined) expect(input.upstream, `input ${input.n} stored but not acked upstream`).toBe('ack');
  }
}

function checkOutput(model: Model, output: { events: Array<[string, Event]>; insights: Insight[] }): void {
  upstreamInsights(model, output.insights, true);
  for (const [port, event] of output.events) {
    expect(port).toBe('out');
    model.emitted(event);
  }
}

async function runScenario(limits: Limits, steps: Step[]): Promise<void> {
  const dir = temporaryDirectory();
  const model = new Model(limits);
  let context = new HarnessContext(model.uid);
  let wal = await startWal(params(limits, dir), context);
  try {
    for (const step of steps) {
      switch (step.kind) {
        case 'event': {
          const n = model.inputs.length;
          const payload = { n, padding: 'x'.repeat(step.padding) };
          const input: Input = { n, transactional: step.transactional, bytes: recordBytes(n, payload), payload };
          model.inputs.push(input);
          const wasFull = model.full;
          const expectedReads = () => model.readable();
          if (!(step.transactional && wasFull)) {
            input.seq = model.nextSeq++;
            model.stored.set(input.seq, n);
            model.storedBytes += input.bytes;
            model.largestRecord = Math.max(model.largestRecord, input.bytes);
            if (wasFull) {
              model.nonTransactionalWhileFull.count++;
              model.nonTransactionalWhileFull.bytes += input.bytes;
            }
          }
          const expected = expectedReads();
          const output = wal.onEvent('in', inputEvent(SOURCE_UID, n, step.transactional, payload));
          expect(output.events.length, 'an event emits exactly min(read_count, available)').toBe(expected);
          if (step.transactional && wasFull) expect(output.insights.some((i) => i.kind === 'fail')).toBe(true);
          checkOutput(model, output);
          break;
        }
        case 'tick': {
          const expected = model.readable();
          const output = wal.onTick();
          expect(output.events.length, 'a tick emits exactly min(read_count, available)').toBe(expected);
          checkOutput(model, output);
          break;
        }
        case 'ack':
        case 'fail': {
          if (model.deliveries.length === 0) break;
          const delivery = model.deliveries[step.pick % model.deliveries.length];
          const insight: Insight = { kind: step.kind, id: delivery.event.id, opMeta: delivery.event.opMeta };
          const verdict = wal.onContraflow!(insight);
          const ours = delivery.lifetime === model.lifetime;
          expect(verdict).toBe(ours ? 'stop' : 'pass');
          if (ours && step.kind === 'ack') model.acked(delivery.seq);
          if (ours && step.kind === 'fail') model.failed(delivery.seq);
          const deadLetters = context.deadLetters.splice(0).map((event) => (event.data as RecordValue).seq);
          expect(deadLetters, 'dead letters on err').toEqual(model.expectedDeadLetters.splice(0));
          const later = context.drain();
          upstreamInsights(model, later.insights, false);
          for (const event of later.events) model.emitted(event);
          break;
        }
        case 'ackUnknown':
        case 'failUnknown': {
          const kind = step.kind === 'ackUnknown' ? 'ack' : 'fail';
          expect(wal.onContraflow!({ kind, id: new EventId(model.uid, 0, 1_000_000), opMeta: {} })).toBe('stop');
          expect(wal.onContraflow!({ kind, id: new EventId(model.uid + 5_000, 0, 0), opMeta: {} })).toBe('pass');
          break;
        }
        case 'trigger':
        case 'restore':
          expect(wal.onContraflow!({ kind: step.kind, opMeta: {} })).toBe('stop');
          model.broken = step.kind === 'trigger';
          break;
        case 'settle':
          await settleAndCheck(model, wal, context);
          break;
        case 'reopen': {
          model.committedBelow = model.nextSeq;
          await wal.close();
          model.deletionsInProgress = 0;
          const later = context.drain();
          upstreamInsights(model, later.insights, false);
          expect(later.events, 'nothing emitted while closing').toEqual([]);
          model.duplicateAllowance += model.inFlight.size + model.awaitingResend.size;
          model.inFlight.clear();
          model.awaitingResend.clear();
          model.failures.clear();
          model.emittedThisLifetime.clear();
          model.broken = true;
          model.lifetime++;
          model.uid++;
          // A new process starts with no trigger sent: a full store triggers on its first event or tick.
          model.upstreamTriggered = false;
          context = new HarnessContext(model.uid);
          wal = await startWal(params(limits, dir), context);
          expect(wal.epoch).toBe(model.epoch ?? wal.epoch);
          model.epoch ??= wal.epoch;
          break;
        }
      }
      model.checkLimits();
      const store = (wal as unknown as { store: { storedEvents: number; storedBytes: number } }).store;
      expect(store.storedEvents).toBe(model.stored.size);
      expect(store.storedBytes).toBe(model.storedBytes);
    }

    // Drain: downstream open, ack every delivery of this lifetime until the store is empty.
    await settleAndCheck(model, wal, context);
    if (model.broken) {
      wal.onContraflow!({ kind: 'restore', opMeta: {} });
      model.broken = false;
    }
    for (let round = 0; model.stored.size > 0; round++) {
      expect(round, 'drain makes progress').toBeLessThan(1000);
      const output = wal.onTick();
      checkOutput(model, output);
      for (const delivery of model.deliveries.filter((d) => d.lifetime === model.lifetime && model.inFlight.has(d.seq))) {
        expect(wal.onContraflow!({ kind: 'ack', id: delivery.event.id, opMeta: delivery.event.opMeta })).toBe('stop');
        model.acked(delivery.seq);
      }
      const later = context.drain();
      upstreamInsights(model, later.insights, false);
      for (const event of later.events) model.emitted(event);
      await settleAndCheck(model, wal, context);
    }

    // No loss: every stored event (acked upstream or non-transactional) was delivered.
    const delivered = new Set(model.deliveries.map((d) => d.seq));
    for (const input of model.inputs) {
      if (input.seq !== undefined) expect(delivered.has(input.seq), `input ${input.n} (seq ${input.seq}) never delivered`).toBe(true);
      else expect(input.upstream, `refused input ${input.n} was failed upstream`).toBe('fail');
    }
    // Bounded duplication.
    expect(model.deliveries.length).toBeLessThanOrEqual(delivered.size + model.duplicateAllowance);
    const store = (wal as unknown as { store: { storedEvents: number } }).store;
    expect(store.storedEvents).toBe(0);
  } finally {
    await wal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('qos::wal against its model', () => {
  it(
    `keeps no-loss, bounded duplication, order and limits over ${RUNS} random runs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(limitsArbitrary, fc.array(stepArbitrary, { minLength: 1, maxLength: 40 }), runScenario),
        { numRuns: RUNS },
      );
    },
    20 * 60_000,
  );
});
