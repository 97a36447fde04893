/**
 * The interface between the runtime and its connectors (Tremor 0.11 onramps and offramps).
 *
 * A **source** produces event payloads; the runtime wraps them into `Event`s (ids, ingest time)
 * and sends them to every pipeline linked to it. Circuit-breaker insights come back as
 * `trigger()` / `restore()`; a transactional source also gets `ack(eventId)` / `fail(eventId)`.
 *
 * A **sink** receives the events that reach a linked pipeline output. It reports its circuit
 * state with `context.trigger()` / `context.restore()` (the runtime forwards them to every linked
 * pipeline) and settles each event through the `Delivery` it was handed: `ack()` once written,
 * `fail()` when it could not be. The runtime only forwards these for transactional events, so a
 * sink can settle every event without checking.
 */
import type { Event } from '../engine/event.ts';
import type { RecordValue, Value } from '../queries/values/value.ts';
import type { Codec } from './codec.ts';

export interface SourceContext {
  /**
   * Hands one payload to the runtime, which numbers it (0, 1, 2, ... per source, in call order)
   * and sends it on. A transactional source knows the number before the call, which it needs:
   * the ack or fail may come back during it (a full `qos::wal` refuses the event at once).
   * `dataJson`: the JSON text `data` was decoded from, if it was (see `Event.dataJson`).
   */
  emit(data: Value, meta?: RecordValue, dataJson?: string): void;
  /**
   * The same for a payload given as JSON text that is known to parse (JSON.parse accepted it),
   * as its UTF-8 bytes in `utf8` from `start` to `end` (a view of the source's read buffer, which
   * it must not write again): the event carries the bytes, its payload is parsed only when a node
   * reads it, and a JSON sink or a WAL copies them as they are (engine/text-event.ts). `crc`:
   * their CRC-32 if the source computed it (`Utf8Text.crc`), `keys` the set of the payload's
   * top-level keys if it did (`Utf8Text.keys`). `ingestNs`: when the source read it (nowNs()), if
   * it keeps one time for a whole read (a clock read per line cost more than the rest of a line's
   * way to a WAL); else the runtime reads the clock.
   */
  emitJson(utf8: Buffer, start: number, end: number, meta?: RecordValue, crc?: number, keys?: number, ingestNs?: number): void;
  /** A problem that does not stop the source (printed on stderr). */
  warn(message: string): void;
  /**
   * Asks the runtime to stop everything gracefully (a debug source that has checked what it came
   * for: `cb`); `exitCode` is the process's exit status after that stop (default 0).
   */
  requestStop?(why: string, exitCode?: number): void;
}

export interface Source {
  /** Whether the events of this source want an ack or fail (only those get them). */
  readonly transactional: boolean;
  start(context: SourceContext): Promise<void>;
  /** Circuit breaker: stop producing until `restore()`. */
  trigger(): void;
  restore(): void;
  /**
   * Delivery confirmed for the events `first`..`last` (transactional sources only): usually one
   * event, or the range of this source's events an aggregate was derived from. Acks may arrive
   * in any order.
   */
  ack?(first: number, last: number): void;
  /** Delivery failed from this event number on (transactional sources only). */
  fail?(eventNumber: number): void;
  /** Stops producing; nothing is emitted after it resolves. */
  stop(): Promise<void>;
}

export interface Delivery {
  /** The event was written (for ws: the frame went to the socket or, with `ack_replies`, the receiver acknowledged it). */
  ack(): void;
  /** The event could not be written; `reason` is printed on stderr. */
  fail(reason: string): void;
}

export interface SinkContext {
  /** Circuit breaker: the sink cannot take events now. */
  trigger(): void;
  /** The sink can take events again. */
  restore(): void;
  warn(message: string): void;
  /** Asks the runtime to stop everything gracefully, as SIGTERM does (the `exit` connector); `why` is logged. */
  requestStop?(why: string, exitCode?: number): void;
}

export interface Sink {
  start(context: SinkContext): Promise<void>;
  /**
   * Whether the sink can take events right now. When a pipeline output is linked to it, the
   * runtime sends `restore` to that pipeline if true and `trigger` if false (Tremor's
   * `restore_or_break(is_active())`), so a `qos::wal` upstream starts emitting only when it should.
   */
  isActive(): boolean;
  send(event: Event, delivery: Delivery): void;
  /** Flushes and releases the sink's resources. */
  stop(): Promise<void>;
}

/**
 * One entry of a `preprocessors` / `postprocessors` list: a name (`"separate"`) or, in troy,
 * `{"name": "separate", "config": {...}}`.
 */
export type ProcessorSpec = string | { name: string; config?: RecordValue };

/** What an artefact's YAML gives a connector factory, already checked against `configKeys`. */
export interface ConnectorSettings {
  /** The artefact's `id`. */
  id: string;
  config: RecordValue;
  codec: Codec;
  /**
   * The artefact's `preprocessors` / `postprocessors` lists. Absent = not given to the factory
   * (the connector then frames as its docs say: tcp splits and joins lines); `[]` = none.
   */
  preprocessors?: readonly ProcessorSpec[];
  postprocessors?: readonly ProcessorSpec[];
  /** A troy definition's `reconnect` value (`"none"` or `{"retry": {...}}`); absent in YAML artefacts. */
  reconnect?: Value;
  /**
   * Where this connector instance may keep state across runs: `<data-dir>/<onramp|offramp>/<id>/<instance>`
   * under `server run --data-dir` (not created until the connector writes there); undefined without one.
   */
  stateDir?: string;
  /** Tells the user something about the configuration (printed on stderr with the file name). */
  warn(message: string): void;
}

/** How one `config` key is checked: its type and whether it must be present. */
export interface ConfigKeySpec {
  /** `array`: a list of anything (crononome's `entries`); `strings`: a list of strings (the NATS connectors' `hosts`). */
  type: 'string' | 'integer' | 'boolean' | 'number' | 'array' | 'strings';
  required?: boolean;
}

export interface SourceFactory {
  readonly kind: 'source';
  /** Tremor's onramp `type` (`metronome`). */
  readonly type: string;
  readonly configKeys: Readonly<Record<string, ConfigKeySpec>>;
  /** Builds the source; throws `ConnectorConfigError` for values the key specs cannot express. */
  create(settings: ConnectorSettings): Source;
}

export interface SinkFactory {
  readonly kind: 'sink';
  readonly type: string;
  readonly configKeys: Readonly<Record<string, ConfigKeySpec>>;
  create(settings: ConnectorSettings): Sink;
}

/** The halves one troy connector builds from one config; a half it does not have is absent. */
export interface ConnectorParts {
  /** Reads into the connector's `out` port. */
  source?: Source;
  /** Takes what is linked to the connector's `in` port. */
  sink?: Sink;
}

/**
 * A Tremor 0.12 connector kind (`define connector x from tcp_server`): one config builds the
 * source half, the sink half or both. Halves built by one `create` call share what they need (a
 * tcp_server's listening socket), so the runtime must start and stop both halves it links.
 */
export interface ConnectorFactory {
  readonly kind: 'connector';
  /** The troy kind (`tcp_server`). */
  readonly type: string;
  readonly configKeys: Readonly<Record<string, ConfigKeySpec>>;
  /**
   * Tremor's codec rule: `required` = a `codec` must be given, `structured` = none may be,
   * `optional` = json unless one is given (the debug connectors `cb` and `bench`).
   */
  readonly codec: 'required' | 'structured' | 'optional';
  create(settings: ConnectorSettings): ConnectorParts;
}

/** A configuration value a connector rejects; the runtime adds the file and artefact names. */
export class ConnectorConfigError extends Error {
  constructor(message: string, readonly key?: string) {
    super(message);
  }
}
