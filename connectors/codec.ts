/**
 * Codecs turn payloads into bytes for sinks and bytes into payloads for sources (Tremor's
 * `codec:` key). `json` is the default, as for every Tremor 0.11 connector used here.
 */
import { parseJson, stringifyJson } from '../queries/values/json.ts';
import type { Value } from '../queries/values/value.ts';

export interface Codec {
  readonly name: string;
  /** Throws when the value cannot be encoded. */
  encode(value: Value): string;
  /** Throws when the text is not valid for the codec. */
  decode(text: string): Value;
}

const json: Codec = {
  name: 'json',
  encode: stringifyJson,
  decode: parseJson,
};

/** Strings are written as they are, anything else as JSON; input lines become strings. */
const string: Codec = {
  name: 'string',
  encode: (value) => (typeof value === 'string' ? value : stringifyJson(value)),
  decode: (text) => text,
};

export const codecs: ReadonlyMap<string, Codec> = new Map([
  [json.name, json],
  [string.name, string],
]);

export const DEFAULT_CODEC = json;
