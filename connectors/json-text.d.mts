/** True if bytes[start, end) are exactly one JSON text (see json-text.mjs). */
export function isJsonText(bytes: Uint8Array, start: number, end: number): boolean;
