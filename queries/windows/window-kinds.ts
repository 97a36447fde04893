/**
 * Tumbling windows (Tremor v0.11 `op/trickle/select.rs` `TumblingWindowOnNumber` /
 * `TumblingWindowOnTime`): the per-group state that decides, for each event or tick, whether the
 * window emits and whether the event belongs to the window being emitted or to the next one.
 *
 * - `size = n`: counts events (or the weight a window script gives each); at n or more it emits
 *   *including* the event, and the count carries over what exceeded n.
 * - `interval = ns`: the first event opens a window ending `ns` later (by ingest time, or by the
 *   time a window script returns); the first event or tick at or past the end emits the window
 *   *without* that event, which opens the next. A tick emits only if the window had events,
 *   unless `emit_empty_windows`.
 */
import type { EventView } from '../compiled-query.ts';

export interface WindowActions {
  /** The event is part of the window being emitted (accumulate before emitting). */
  readonly include: boolean;
  readonly emit: boolean;
}

export const NOTHING: WindowActions = Object.freeze({ include: false, emit: false });
const EMIT_WITH_EVENT: WindowActions = Object.freeze({ include: true, emit: true });
const EMIT_BEFORE_EVENT: WindowActions = Object.freeze({ include: false, emit: true });

export interface WindowState {
  onEvent(event: EventView): WindowActions;
  onTick(nowNs: number): WindowActions;
}

/** A window script's value for one event: a weight (size) or a timestamp (interval). */
export type WindowScript = (event: EventView) => number;

export class TumblingBySize implements WindowState {
  private count = 0;

  constructor(
    private readonly size: number,
    private readonly script: WindowScript | undefined,
  ) {}

  onEvent(event: EventView): WindowActions {
    const next = this.count + (this.script ? this.script(event) : 1);
    if (next >= this.size) {
      this.count = next - this.size;
      return EMIT_WITH_EVENT;
    }
    this.count = next;
    return NOTHING;
  }

  onTick(): WindowActions {
    return NOTHING;
  }
}

export class TumblingByTime implements WindowState {
  private windowEnd: number | undefined;
  private events = 0;

  constructor(
    private readonly intervalNs: number,
    private readonly emitEmptyWindows: boolean,
    private readonly script: WindowScript | undefined,
  ) {}

  onEvent(event: EventView): WindowActions {
    this.events++;
    return this.at(this.script ? this.script(event) : event.ingestNs);
  }

  /** A window whose script gives the timestamps ignores ticks, as in Tremor. */
  onTick(nowNs: number): WindowActions {
    return this.script ? NOTHING : this.at(nowNs);
  }

  private at(time: number): WindowActions {
    if (this.windowEnd === undefined) {
      this.windowEnd = time + this.intervalNs;
      return NOTHING;
    }
    if (this.windowEnd > time) return NOTHING;
    const emit = this.events > 0 || this.emitEmptyWindows;
    this.windowEnd = time + this.intervalNs;
    this.events = 0;
    return emit ? EMIT_BEFORE_EVENT : NOTHING;
  }
}

/** A compiled `define tumbling window`: what every group's state for it is made from. */
export interface WindowDefinition {
  name: string;
  /** Groups a select may keep for this window at once (`max_groups`); Infinity by default. */
  maxGroups: number;
  /** `eviction_period`: a group that saw no event for between one and two periods is dropped. */
  evictionNs: number | undefined;
  create(): WindowState;
}
