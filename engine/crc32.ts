/**
 * CRC-32 (ISO-HDLC, zlib's) of a few bytes, continuing a CRC already computed (`crc32(data, crc)`
 * of node:zlib, in JavaScript): a WAL record's checksum continues its payload's CRC over the ~50
 * header bytes (operators/qos/wal/record.ts). For so few bytes a table lookup per byte costs less
 * than the call into zlib (about 250 ns per call, whatever the length, on the 2-core bench machine).
 * And the other way, one byte back (crc32WithoutLast): the seed select's byte path turns a line's
 * CRC into that of the line without its closing brace, then continues it over what it inserts,
 * instead of the WAL taking the CRC of the whole new text again (engine/extended-json.ts).
 */
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/**
 * Which table entry has each top byte: the top bytes of the 256 entries are all different (what
 * makes CRC-32 reversible byte by byte), so the top byte of a state names the entry that made it.
 */
const ENTRY_OF_TOP_BYTE = new Uint8Array(256);
for (let n = 0; n < 256; n++) ENTRY_OF_TOP_BYTE[TABLE[n] >>> 24] = n;

/** The CRC-32 of the bytes whose CRC is `crc` without their last byte, which is `last`. */
export function crc32WithoutLast(crc: number, last: number): number {
  // One step forward is c' = TABLE[(c ^ last) & 0xff] ^ (c >>> 8): the top byte of c' is that of
  // the entry (c >>> 8 has none), which gives the entry, then c >>> 8, then c's low byte.
  const after = ~crc;
  const entry = ENTRY_OF_TOP_BYTE[after >>> 24];
  const before = ((after ^ TABLE[entry]) << 8) | ((entry ^ last) & 0xff);
  return ~before >>> 0;
}

/** The CRC-32 of the bytes whose CRC is `crc`, followed by `bytes[start..end)`. */
export function crc32After(crc: number, bytes: Uint8Array, start: number, end: number): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
