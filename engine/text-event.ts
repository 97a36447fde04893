/**
 * An event that carries its payload as JSON text and parses it only when something reads `data`
 * (the first time; the value is kept). A WAL emits its stored events this way: in the usual flow
 * (the WAL, then a sink or a select that forwards the event as it is) nothing reads the payload,
 * the sink writes the text, and no parsed payload has to stay alive in memory from the event's
 * arrival to its commit. That was a large part of the garbage collector's work: every event's
 * parsed object outlived a few scavenges, was copied by each and promoted.
 *
 * The text may be held as its UTF-8 bytes instead of a string (`TextEvent.ofUtf8`): a view of
 * the buffer a source read them into, or of the WAL record that stores them. Then nothing decodes
 * them on the way: the WAL's record and a JSON sink's output copy the bytes (`utf8Text`), which
 * costs a memcpy where encoding a string cost a UTF-8 encoding, and no string of the text is made
 * at all (`dataJson` decodes one only when asked). A view keeps its whole buffer alive; the
 * sources' buffers and the WAL's record slabs are shared by consecutive events, which are
 * released together.
 */
import { ByteSlab } from './byte-slab.ts';
import type { EventId } from './event-id.ts';
import type { Event, OpMeta } from './event.ts';
import { parseJson } from '../queries/values/json.ts';
import type { RecordValue, Value } from '../queries/values/value.ts';

/** What an operator changes when it passes an event on with its payload as it is. */
export type EventChanges = Partial<Pick<Event, 'meta' | 'transactional' | 'opMeta'>>;

/** The UTF-8 bytes of a JSON text: `buffer` from `start` to `end` (a view: nothing is copied). */
export interface Utf8Text {
  buffer: Buffer;
  start: number;
  end: number;
  /**
   * Their CRC-32 (zlib's), when whoever read them computed it (the line reader's worker does), so
   * that a WAL's record checksum costs the engine thread only its header (-1: not known).
   */
  crc: number;
  /**
   * The set of the text's top-level keys as bits (connectors/json-text.mjs `jsonKeySet`), when
   * whoever read them computed it (the line reader's worker does): a key whose bit is not in it
   * is surely not a key of the payload (-1: not known).
   */
  keys: number;
}

/**
 * A JSON text in two pieces: the bytes of the view, then `tail` (empty when the text is all in the
 * view). A select that adds constant keys to a line (engine/extended-json.ts) makes its new text
 * this way, the line's bytes but its closing brace and then the keys' bytes, so that nothing is
 * copied until the WAL copies both into its record (`TextEvent.utf8Parts`).
 */
export interface Utf8Parts extends Utf8Text {
  tail: Buffer;
}

/** An empty view for callers to fill (`TextEvent.utf8Text`). */
export function utf8TextHolder(): Utf8Text {
  return { buffer: EMPTY, start: 0, end: 0, crc: -1, keys: -1 };
}

/** An empty pair of pieces for callers to fill (`TextEvent.utf8Parts`). */
export function utf8PartsHolder(): Utf8Parts {
  return { buffer: EMPTY, start: 0, end: 0, crc: -1, keys: -1, tail: EMPTY };
}

const EMPTY = Buffer.alloc(0);
/** Where texts given in two pieces are joined when a caller wants them in one (`utf8Text`). */
const joined = new ByteSlab();

/**
 * `event` passed on with `changes`. Not `{ ...event, ...changes }`: a spread copies own properties
 * only, and a TextEvent's `data` is a getter on its class, so the copy would have no payload.
 */
export function eventWith(event: Event, changes: EventChanges): Event {
  return event instanceof TextEvent ? event.with(changes) : { ...event, ...changes };
}

export class TextEvent implements Event {
  private isParsed: boolean;
  private text: string | undefined;
  /** The text's UTF-8 bytes, when it came as bytes: `utf8` from `utf8Start` to `utf8End`. */
  private utf8: Buffer | undefined = undefined;
  private utf8Start = 0;
  private utf8End = 0;
  private utf8Crc = -1;
  private utf8Keys = -1;
  /** The bytes that follow the view, when the text came in two pieces (`Utf8Parts`). */
  private utf8Tail: Buffer | undefined = undefined;

  /** `parsed`: the payload when it is parsed already (no Value is undefined). */
  constructor(
    public id: EventId,
    dataJson: string | undefined,
    public meta: RecordValue,
    public ingestNs: number,
    public transactional: boolean,
    public opMeta: OpMeta,
    private parsed?: Value,
  ) {
    this.text = dataJson;
    this.isParsed = parsed !== undefined;
  }

  /**
   * An event whose payload is the JSON text in `buffer` from `start` to `end` (UTF-8, known to
   * parse) and then `tail`, if given (see `Utf8Parts`); `crc`: the CRC-32 of all those bytes if
   * known (see `Utf8Text.crc`); `keys`: the set of the payload's top-level keys if known (`Utf8Text.keys`).
   */
  static ofUtf8(id: EventId, buffer: Buffer, start: number, end: number, meta: RecordValue, ingestNs: number, transactional: boolean, opMeta: OpMeta, crc = -1, keys = -1, tail?: Buffer): TextEvent {
    const event = new TextEvent(id, undefined, meta, ingestNs, transactional, opMeta);
    event.utf8 = buffer;
    event.utf8Start = start;
    event.utf8End = end;
    event.utf8Crc = crc;
    event.utf8Keys = keys;
    event.utf8Tail = tail;
    return event;
  }

  get dataJson(): string | undefined {
    if (this.text === undefined && this.utf8 !== undefined) {
      const head = this.utf8.toString('utf8', this.utf8Start, this.utf8End);
      this.text = this.utf8Tail === undefined ? head : head + this.utf8Tail.toString('utf8');
    }
    return this.text;
  }

  /** A new text replaces the bytes too. */
  set dataJson(text: string | undefined) {
    this.text = text;
    this.utf8 = undefined;
  }

  /**
   * Fills `into` with the text's UTF-8 bytes and returns true, if the event holds them (no copy is
   * made, but for a text in two pieces: joined once, the first time).
   */
  utf8Text(into: Utf8Text): boolean {
    if (this.utf8 === undefined) return false;
    if (this.utf8Tail !== undefined) this.join(this.utf8, this.utf8Tail);
    into.buffer = this.utf8;
    into.start = this.utf8Start;
    into.end = this.utf8End;
    into.crc = this.utf8Crc;
    into.keys = this.utf8Keys;
    return true;
  }

  /** As `utf8Text`, with a text in two pieces given as they are (`into.tail`: empty when it is one). */
  utf8Parts(into: Utf8Parts): boolean {
    if (this.utf8 === undefined) return false;
    into.buffer = this.utf8;
    into.tail = this.utf8Tail ?? EMPTY;
    into.start = this.utf8Start;
    into.end = this.utf8End;
    into.crc = this.utf8Crc;
    into.keys = this.utf8Keys;
    return true;
  }

  get data(): Value {
    if (!this.isParsed) {
      // The text is one the WAL stored or a source checked: the JSON text of a value, so it parses.
      this.parsed = parseJson(this.dataJson as string);
      this.isParsed = true;
    }
    return this.parsed as Value;
  }

  /** A node that replaces the payload: the text no longer describes it. */
  set data(value: Value) {
    this.parsed = value;
    this.isParsed = true;
    this.text = undefined;
    this.utf8 = undefined;
  }

  /** The same payload (parsed or not, as now; as text or bytes, as now) with other metadata, delivery flag or opMeta. */
  with(changes: EventChanges): TextEvent {
    const copy = new TextEvent(
      this.id,
      this.text,
      changes.meta ?? this.meta,
      this.ingestNs,
      changes.transactional ?? this.transactional,
      changes.opMeta ?? this.opMeta,
      this.isParsed ? this.parsed : undefined,
    );
    copy.utf8 = this.utf8;
    copy.utf8Start = this.utf8Start;
    copy.utf8End = this.utf8End;
    copy.utf8Crc = this.utf8Crc;
    copy.utf8Keys = this.utf8Keys;
    copy.utf8Tail = this.utf8Tail;
    return copy;
  }

  private join(head: Buffer, tail: Buffer): void {
    const headBytes = this.utf8End - this.utf8Start;
    joined.reserve(headBytes + tail.length);
    const at = joined.start;
    joined.buffer.set(head.subarray(this.utf8Start, this.utf8End), at);
    joined.buffer.set(tail, at + headBytes);
    joined.commitAt(at + headBytes + tail.length);
    this.utf8 = joined.buffer;
    this.utf8Start = at;
    this.utf8End = at + headBytes + tail.length;
    this.utf8Tail = undefined;
  }
}
