/**
 * engine/crc32.ts against node:zlib's crc32: continuing a CRC over more bytes, and taking one byte
 * back off it, give the CRC of exactly the bytes that are left.
 */
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32After, crc32WithoutLast } from '../../engine/crc32.ts';

describe('CRC-32 in JavaScript', () => {
  it('continues a CRC as zlib does', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (first, more) => {
        expect(crc32After(crc32(first), more, 0, more.length)).toBe(crc32(Buffer.concat([first, more])));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the last byte back off a CRC', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.integer({ min: 0, max: 255 }), (kept, last) => {
        expect(crc32WithoutLast(crc32(Buffer.concat([kept, Uint8Array.of(last)])), last)).toBe(crc32(kept));
      }),
      { numRuns: 5000 },
    );
  });
});
