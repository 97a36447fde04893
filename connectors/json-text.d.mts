/** -1 if bytes[start, end) are not one JSON text; else the set of its top-level keys as bits (see json-text.mjs). */
export function jsonKeySet(bytes: Uint8Array, start: number, end: number): number;
/** The bit of the key whose UTF-8 bytes (without quotes) are bytes[start, end) in a key set. */
export function keyBit(bytes: Uint8Array, start: number, end: number): number;
/** The key set of a text with a top-level key written with an escape: every bit. */
export const ANY_KEYS: number;
