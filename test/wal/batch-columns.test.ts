/**
 * The store's batch columns (batch-columns.ts): what was pushed reads back in order across growth,
 * clearing keeps the memory but lets the records' buffers go, and spare columns come back empty.
 */
import { describe, expect, it } from 'vitest';
import { AppendColumns, RemovalColumns, SpareColumns } from '../../operators/qos/wal/batch-columns.ts';

describe('batch columns', () => {
  it('keep every append and removal, in order, past their first capacity', () => {
    const appends = new AppendColumns();
    const removals = new RemovalColumns();
    const slabs = [Buffer.alloc(10), Buffer.alloc(10)];
    for (let i = 0; i < 5000; i++) {
      appends.push(slabs[i % 2], i, i + 3);
      removals.push(2 ** 40 + i, i % 700);
    }
    expect(appends.count).toBe(5000);
    expect(removals.count).toBe(5000);
    for (const i of [0, 1023, 1024, 4999]) {
      expect(appends.buffers[i]).toBe(slabs[i % 2]);
      expect([appends.starts[i], appends.ends[i]]).toEqual([i, i + 3]);
      expect([removals.seqs[i], removals.bytes[i]]).toEqual([2 ** 40 + i, i % 700]);
    }
  });

  it('come back from the spares empty, with no record buffer held', () => {
    const spares = new SpareColumns(() => new AppendColumns());
    const appends = spares.take();
    const slab = Buffer.alloc(10);
    for (let i = 0; i < 3000; i++) appends.push(slab, 0, 1);
    const capacity = appends.starts.length;
    spares.giveBack(appends);
    const again = spares.take();
    expect(again).toBe(appends);
    expect(again.count).toBe(0);
    expect(again.starts.length).toBe(capacity);
    expect(again.buffers.includes(slab)).toBe(false);
    // More spares than the two batches alive at once are not kept.
    spares.giveBack(new AppendColumns());
    spares.giveBack(new AppendColumns());
    spares.giveBack(new AppendColumns());
    expect([spares.take(), spares.take(), spares.take()].filter((columns) => columns === again)).toHaveLength(0);
  });
});
