/**
 * Codecs turn payloads into bytes for sinks and bytes into payloads for sources (Tremor's
 * `codec:` key). `json` is the default, as for every Tremor 0.11 connector used here.
 * `json-sorted` (Tremor 0.12) decodes as `json` and encodes with every record's keys sorted.
 */
import type { Event } from '../engine/event.ts';
import { TextEvent, type Utf8Parts } from '../engine/text-event.ts';
import type { Delivery } from './connector.ts';
import { parseJson, stringifyJson, stringifyJsonSorted } from '../queries/values/json.ts';
import type { Value } from '../queries/values/value.ts';

export interface Codec {
  readonly name: string;
  /** An event's payload as the sink writes it. Throws when it cannot be encoded. */
  encode(event: Pick<Event, 'data' | 'dataJson'>): string;
  /** Throws when the text is not valid for the codec. */
  decode(text: string): Value;
  /** The text `decode` took is the JSON text of what it returned (so it can travel as `Event.dataJson`). */
  readonly decodesJsonText: boolean;
}

/** An event that still carries the JSON text it came as (`dataJson`) is written as that text. */
function json(event: Pick<Event, 'data' | 'dataJson'>): string {
  return event.dataJson ?? stringifyJson(event.data);
}

const jsonCodec: Codec = {
  name: 'json',
  encode: json,
  decode: parseJson,
  decodesJsonText: true,
};

const jsonSortedCodec: Codec = {
  name: 'json-sorted',
  encode: (event) => stringifyJsonSorted(event.data), // `dataJson` keeps the input's key order: not used
  decode: parseJson,
  decodesJsonText: true,
};

/** Strings are written as they are, anything else as JSON; input lines become strings. */
const stringCodec: Codec = {
  name: 'string',
  encode: (event) => (typeof event.data === 'string' ? event.data : json(event)),
  decode: (text) => text,
  decodesJsonText: false,
};

export const codecs: ReadonlyMap<string, Codec> = new Map([
  [jsonCodec.name, jsonCodec],
  [jsonSortedCodec.name, jsonSortedCodec],
  [stringCodec.name, stringCodec],
]);

export const DEFAULT_CODEC = jsonCodec;

/**
 * A sink's encoding of one event: the text, or undefined after failing the event with the codec's
 * error (an event a codec cannot write is failed, never dropped silently).
 */
export function encodeOrFail(codec: Codec, event: Pick<Event, 'data' | 'dataJson'>, delivery: Delivery): string | undefined {
  try {
    return codec.encode(event);
  } catch (error) {
    delivery.fail(`cannot encode event as ${codec.name}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Whether the codec's encoding of `event` is UTF-8 bytes the event holds already (a JSON event
 * as a source read it or a WAL stored it: engine/text-event.ts); if so `into` shows them, in the
 * two pieces a select that added keys left them in (`into.tail` empty when it is one), and the
 * sink writes them instead of encoding a text. Joining the pieces first was a copy of every line
 * of the seed's flow into memory nobody used again (TextEvent `utf8Text`).
 */
export function encodingHeld(codec: Codec, event: Event, into: Utf8Parts): boolean {
  return codec === jsonCodec && event instanceof TextEvent && event.utf8Parts(into);
}
