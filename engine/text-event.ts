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
}

/** An empty view for callers to fill (`TextEvent.utf8Text`). */
export function utf8TextHolder(): Utf8Text {
  return { buffer: EMPTY, start: 0, end: 0, crc: -1 };
}

const EMPTY = Buffer.alloc(0);

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
   * parse); `crc`: the CRC-32 of those bytes if known (see `Utf8Text.crc`).
   */
  static ofUtf8(id: EventId, buffer: Buffer, start: number, end: number, meta: RecordValue, ingestNs: number, transactional: boolean, opMeta: OpMeta, crc = -1): TextEvent {
    const event = new TextEvent(id, undefined, meta, ingestNs, transactional, opMeta);
    event.utf8 = buffer;
    event.utf8Start = start;
    event.utf8End = end;
    event.utf8Crc = crc;
    return event;
  }

  get dataJson(): string | undefined {
    if (this.text === undefined && this.utf8 !== undefined) this.text = this.utf8.toString('utf8', this.utf8Start, this.utf8End);
    return this.text;
  }

  /** A new text replaces the bytes too. */
  set dataJson(text: string | undefined) {
    this.text = text;
    this.utf8 = undefined;
  }

  /** Fills `into` with the text's UTF-8 bytes and returns true, if the event holds them (no copy is made). */
  utf8Text(into: Utf8Text): boolean {
    if (this.utf8 === undefined) return false;
    into.buffer = this.utf8;
    into.start = this.utf8Start;
    into.end = this.utf8End;
    into.crc = this.utf8Crc;
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
    return copy;
  }
}
