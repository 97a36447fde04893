/**
 * ByteSlab (engine/byte-slab.ts): pieces one after the other, each as written for as long as it is
 * held, and the byte after the last piece 0 until the next piece takes it, so a view that ends where
 * its piece ends never sees a newline after it (stale memory held one, and a `file` sink took it as
 * the line's own and wrote two lines as one).
 */
import { describe, expect, it } from 'vitest';
import { ByteSlab } from '../../engine/byte-slab.ts';

describe('ByteSlab', () => {
  it('keeps every piece as written and a 0 after the newest one, in slabs whose memory held newlines', () => {
    const slab = new ByteSlab();
    const pieces: Array<{ buffer: Buffer; start: number; end: number; text: string }> = [];
    for (let n = 0; n < 5000; n++) {
      const text = `{"n":${n},"pad":"${'p'.repeat(n % 400)}"}`;
      slab.reserve(text.length);
      // Memory as reused memory may be: newlines up to the end of the slab.
      slab.buffer.fill(10, slab.start);
      const end = slab.start + slab.buffer.write(text, slab.start);
      slab.commitAt(end);
      expect(slab.buffer[end]).toBe(0);
      pieces.push({ buffer: slab.buffer, start: slab.start, end, text });
    }
    // Several slabs were filled; every piece is still what was written.
    expect(new Set(pieces.map((piece) => piece.buffer)).size).toBeGreaterThan(1);
    for (const { buffer, start, end, text } of pieces) expect(buffer.toString('utf8', start, end)).toBe(text);
  });
});
