/**
 * The running state of a windowed or grouped select (Tremor v0.11 `op/trickle/select.rs`
 * `TrickleSelect::on_event` / `on_signal`): groups, each with one frame per window of the tilt
 * frame (`from in[w1, w2, ...]`), each frame with its window state and aggregate states.
 *
 * Per event: `where`, then the event's groups (`group by`), then for each group the tilt frame:
 * 1. ask the windows in order whether they emit, stopping at the first that does not (a window
 *    only sees an event, or a tick, when the one before it emitted);
 * 2. accumulate the event into the first window, before emitting if it includes the event,
 *    after otherwise;
 * 3. each emitting window evaluates the target on its aggregates, passes its state up (the next
 *    window merges it) and starts empty; the last state passed up goes into the first window that
 *    did not emit.
 * Ticks do the same without an event. This is Tremor's algorithm step for step, so tilt frames
 * emit the same values in the same order (corpus `window_mixed_1`, `window_mixed_2`).
 *
 * Memory: one entry per group and window, with aggregate states that do not grow with events
 * (except `collect_*`). `max_groups` caps the groups (an event that would open one more fails);
 * `eviction_period` drops groups that saw no event for one to two periods (two generations, as
 * Tremor). Transactional events are remembered by their first window until its aggregate is
 * acked or failed (see windowed-select-node.ts): that list is what grows with events, and only
 * for sources that asked for delivery guarantees.
 */
import type { Loc } from '../ast.ts';
import type { EventView } from '../compiled-query.ts';
import type { AggregateCall } from '../compile/aggregate-calls.ts';
import type { Env, Evaluate } from '../compile/env.ts';
import type { RecordValue, Value } from '../values/value.ts';
import { stringifyJsonSorted } from '../values/json.ts';
import { typeName } from '../values/ops.ts';
import { AggregateError, type AggregateState } from '../aggregates/index.ts';
import type { CoveredEvent } from '../../engine/covered-delivery.ts';
import { NOTHING, type WindowActions, type WindowDefinition, type WindowState } from './window-kinds.ts';


/** What the select hands on for one emitted window. */
export interface WindowOutput {
  data: Value;
  meta: RecordValue | null;
  ingestNs: number;
  /** The transactional events the window covers (first window of a tilt frame only). */
  covered: CoveredEvent[] | undefined;
  /**
   * `having` dropped the window, or `where` the event: nothing goes downstream, but the events it
   * covers were processed, so they are delivered as far as this query goes.
   */
  filtered: boolean;
}

/** An incoming event as the select needs it: the view plus what delivery needs. */
export interface WindowedEvent extends EventView, CoveredEvent {
  transactional: boolean;
}

export interface WindowedSelectPlan {
  /** The tilt frame; empty for a `group by` without windows (every event emits on its own). */
  windows: readonly WindowDefinition[];
  aggregates: readonly AggregateCall[];
  /** What the target's aggregate calls read while it is evaluated. */
  slots: { states: AggregateState[] };
  /** The event's group values (`[[g1], [g2]]`), or `undefined` without `group by`. */
  groups: ((env: Env) => Value[][]) | undefined;
  /** Set instead of `groups` for `group by e` / `set(e)`: the one value of the event's one group. */
  groupValue?: Evaluate;
  where: Evaluate | undefined;
  target: Evaluate;
  having: Evaluate | undefined;
  /** A `where`/`having` that is not a boolean, an aggregate given a bad value. */
  fail(loc: Loc, message: string): Error;
  whereLoc?: Loc;
  havingLoc?: Loc;
  args: Value;
}

interface Frame {
  window: WindowState;
  states: AggregateState[];
  covered: CoveredEvent[] | undefined;
}

interface Group {
  /** The `group` value: the group's values, then their sorted serialisation. */
  value: Value[];
  frames: Frame[];
}

const NO_GROUPS: Value[][] = [[null]];

export class GroupedWindows {
  private current = new GroupTable();
  private previous = new GroupTable();
  private nextSwapNs = 0;
  private readonly env: Env;
  private readonly maxGroups: number;
  private readonly evictionNs: number | undefined;
  private readonly names: Value[];
  private readonly perEvent: boolean;

  constructor(private readonly plan: WindowedSelectPlan) {
    this.env = { event: null, meta: {}, state: null, args: plan.args, locals: [], ingestNs: 0, group: null, window: null };
    this.perEvent = plan.windows.length === 0;
    this.maxGroups = Math.min(Infinity, ...plan.windows.map((w) => w.maxGroups));
    const evictions = plan.windows.map((w) => w.evictionNs).filter((ns): ns is number => ns !== undefined);
    this.evictionNs = evictions.length > 0 ? Math.min(...evictions) : undefined;
    this.names = plan.windows.map((w) => w.name);
  }

  /** Groups currently held (both eviction generations). */
  get groupCount(): number {
    return this.current.size + this.previous.size;
  }

  onEvent(event: WindowedEvent, emit: (output: WindowOutput) => void): void {
    const plan = this.plan;
    const env = this.env;
    env.event = event.data;
    env.meta = event.meta;
    env.ingestNs = event.ingestNs;
    env.group = null;
    env.window = null;
    if (plan.where && !this.isTrue(plan.where(env), plan.whereLoc!)) {
      // Filtered out: processed, so delivered as far as this query goes.
      if (event.transactional) emit({ data: null, meta: null, ingestNs: event.ingestNs, covered: [event], filtered: true });
      return;
    }
    if (this.evictionNs !== undefined) this.evict(event.ingestNs);
    if (plan.groupValue) {
      // The common `group by set(event.key)`: no list of groups, no list per group.
      const value = plan.groupValue(env);
      const key = primitiveKey(value) ?? jsonKey([value]);
      this.process((!this.perEvent && this.current.get(key)) || this.groupFor(key, [value]), event, emit);
      return;
    }
    const groupValues = plan.groups ? plan.groups(env) : NO_GROUPS;
    for (const values of groupValues) this.process(this.groupFor(primitiveKey(values.length === 1 ? values[0] : undefined) ?? jsonKey(values), values), event, emit);
  }

  private process(group: Group, event: WindowedEvent, emit: (output: WindowOutput) => void): void {
    if (this.perEvent) this.emitSingle(group, event, emit);
    else if (group.frames.length === 1) this.stepOne(group, event, emit);
    else this.step(group, event, event.ingestNs, emit);
  }

  onTick(nowNs: number, emit: (output: WindowOutput) => void): void {
    if (this.perEvent) return;
    if (this.evictionNs !== undefined) this.evict(nowNs);
    for (const group of [...this.current.values(), ...this.previous.values()]) this.step(group, undefined, nowNs, emit);
  }

  private groupFor(key: GroupKey, values: Value[]): Group {
    // Without windows nothing outlives the event: the group is not kept (memory stays flat).
    if (this.perEvent) return { value: [...values, stringifyJsonSorted(values)], frames: this.newFrames() };
    let group = this.current.get(key);
    if (group) return group;
    group = this.previous.get(key);
    if (group) {
      this.previous.delete(key);
    } else {
      if (this.current.size >= this.maxGroups) {
        throw new Error(`Maximum number of groups reached: ${this.maxGroups} (group ${stringifyJsonSorted(values)})`);
      }
      group = { value: [...values, stringifyJsonSorted(values)], frames: this.newFrames() };
    }
    this.current.set(key, group);
    return group;
  }

  private newFrames(): Frame[] {
    const fresh = (window: WindowState): Frame => ({ window, states: this.plan.aggregates.map((call) => call.fn.create()), covered: undefined });
    if (this.perEvent) return [fresh(NEVER)];
    return this.plan.windows.map((definition) => fresh(definition.create()));
  }

  /** Retires groups idle for an eviction period; those idle for a second one are dropped. */
  private evict(nowNs: number): void {
    if (this.nextSwapNs >= nowNs) return;
    this.nextSwapNs = nowNs + this.evictionNs!;
    this.previous = this.current;
    this.current = new GroupTable();
  }

  /** `group by` without windows: the event is its own window. */
  private emitSingle(group: Group, event: WindowedEvent, emit: (output: WindowOutput) => void): void {
    const frame = group.frames[0];
    this.accumulate(frame, event);
    this.emitFrame(group, frame, null, event, event.ingestNs, emit);
    frame.covered = undefined;
    for (const state of frame.states) state.init();
  }

  /** `step` for a single window (no tilt frame), without the list of window actions. */
  private stepOne(group: Group, event: WindowedEvent, emit: (output: WindowOutput) => void): void {
    const frame = group.frames[0];
    const action = frame.window.onEvent(event);
    if (!action.emit) {
      this.accumulate(frame, event);
      return;
    }
    if (action.include) this.accumulate(frame, event);
    this.emitFrame(group, frame, this.names[0], event, event.ingestNs, emit);
    frame.covered = undefined;
    for (const state of frame.states) state.init();
    if (!action.include) this.accumulate(frame, event);
  }

  private step(group: Group, event: WindowedEvent | undefined, nowNs: number, emit: (output: WindowOutput) => void): void {
    const frames = group.frames;
    const actions: WindowActions[] = [];
    for (const frame of frames) {
      const action = event ? frame.window.onEvent(event) : frame.window.onTick(nowNs);
      if (!action.emit) break;
      actions.push(action);
    }
    const postpone = actions.length > 0 && !actions[0].include;
    if (event && !postpone) this.accumulate(frames[0], event);
    let passedUp: AggregateState[] | undefined;
    for (let i = 0; i < actions.length; i++) {
      const frame = frames[i];
      if (actions[i].include && passedUp) mergeStates(frame.states, passedUp);
      this.emitFrame(group, frame, this.names[i], event, nowNs, emit);
      // The frame's state goes up to the next window; the frame starts the next window empty.
      const emitted = frame.states;
      frame.states = this.plan.aggregates.map((call) => call.fn.create());
      frame.covered = undefined;
      if (!actions[i].include && passedUp) mergeStates(frame.states, passedUp);
      passedUp = emitted;
    }
    if (event && postpone) this.accumulate(frames[0], event);
    if (passedUp && actions.length < frames.length) mergeStates(frames[actions.length].states, passedUp);
  }

  private accumulate(frame: Frame, event: WindowedEvent): void {
    const calls = this.plan.aggregates;
    const env = this.env;
    env.event = event.data;
    env.meta = event.meta;
    env.ingestNs = event.ingestNs;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      // Reused per call: selects run synchronously and no aggregate keeps its argument list.
      const argv = call.argv;
      for (let a = 0; a < argv.length; a++) argv[a] = call.args[a](env);
      try {
        frame.states[i].accumulate(argv);
      } catch (error) {
        if (!(error instanceof AggregateError)) throw error;
        const signature = `${call.fn.name}/${argv.length}`;
        throw this.plan.fail(call.loc, error.badType ? `Bad type passed to function ${signature}` : `Runtime error in function ${signature}: ${error.message}`);
      }
    }
    if (event.transactional) (frame.covered ??= []).push({ id: event.id, opMeta: event.opMeta });
  }

  private emitFrame(group: Group, frame: Frame, windowName: Value, event: WindowedEvent | undefined, nowNs: number, emit: (output: WindowOutput) => void): void {
    const plan = this.plan;
    const env = this.env;
    env.event = event ? event.data : null;
    env.meta = event ? event.meta : null;
    env.ingestNs = nowNs;
    env.group = group.value;
    env.window = windowName;
    plan.slots.states = frame.states;
    let data: Value;
    let passes = true;
    try {
      data = plan.target(env);
      if (plan.having) {
        env.event = data;
        env.meta = null;
        passes = this.isTrue(plan.having(env), plan.havingLoc!);
      }
    } catch (error) {
      this.abandonWindow(frame, event, emit);
      throw error;
    }
    if (!passes) {
      // Filtered out, but processed: what it covers is delivered as far as this query goes.
      if (frame.covered) emit({ data: null, meta: null, ingestNs: nowNs, covered: frame.covered, filtered: true });
      return;
    }
    emit({ data, meta: event ? event.meta : null, ingestNs: nowNs, covered: frame.covered, filtered: false });
  }

  /**
   * The window failed to evaluate (a runtime error in the target or `having`): it starts over
   * empty, as it would fail the same way again, and the events it covered end here — acked, as
   * the executor acks the event a select fails on (that one, the event being processed, it acks
   * itself).
   */
  private abandonWindow(frame: Frame, event: WindowedEvent | undefined, emit: (output: WindowOutput) => void): void {
    const covered = frame.covered?.filter((entry) => entry.id !== event?.id);
    frame.covered = undefined;
    frame.states = this.plan.aggregates.map((call) => call.fn.create());
    if (covered && covered.length > 0) emit({ data: null, meta: null, ingestNs: event?.ingestNs ?? 0, covered, filtered: true });
  }

  private isTrue(value: Value, loc: Loc): boolean {
    if (typeof value !== 'boolean') throw this.plan.fail(loc, `Conflicting types, got ${typeName(value)} but expected boolean`);
    return value;
  }
}

/** A window that never emits by itself (the implicit window of a group by without windows). */
const NEVER: WindowState = { onEvent: () => NOTHING, onTick: () => NOTHING };

function mergeStates(into: AggregateState[], from: AggregateState[]): void {
  for (let i = 0; i < into.length; i++) into[i].merge(from[i]);
}

/**
 * The key of a group. One string or integer value (the usual `group by set(event.key)`) is its
 * own key, with no string built per event; anything else is keyed by its sorted JSON, which tells
 * `1` from `1.0`, in a map of its own so that it never meets a string group.
 */
type GroupKey = string | number | JsonKey;

class JsonKey {
  constructor(readonly json: string) {}
}

function primitiveKey(value: Value | undefined): string | number | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return undefined;
}

function jsonKey(values: Value[]): JsonKey {
  return new JsonKey(stringifyJsonSorted(values));
}

/** Groups by key: strings and integers in one map (a Map tells 1 from "1"), JSON keys in another. */
class GroupTable {
  private readonly primitive = new Map<string | number, Group>();
  private readonly json = new Map<string, Group>();

  get size(): number {
    return this.primitive.size + this.json.size;
  }

  get(key: GroupKey): Group | undefined {
    return key instanceof JsonKey ? this.json.get(key.json) : this.primitive.get(key);
  }

  set(key: GroupKey, group: Group): void {
    if (key instanceof JsonKey) this.json.set(key.json, group);
    else this.primitive.set(key, group);
  }

  delete(key: GroupKey): void {
    if (key instanceof JsonKey) this.json.delete(key.json);
    else this.primitive.delete(key);
  }

  values(): Group[] {
    return [...this.primitive.values(), ...this.json.values()];
  }
}
