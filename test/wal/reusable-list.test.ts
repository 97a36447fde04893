import { describe, expect, it } from 'vitest';
import { ReusableList } from '../../operators/qos/wal/reusable-list.ts';

describe('ReusableList', () => {
  it('holds what was pushed since it was last cleared, in order', () => {
    const list = new ReusableList<string>();
    for (const item of ['a', 'b', 'c']) list.push(item);
    list.clear();
    list.push('d');
    expect(list.length).toBe(1);
    expect(list.at(0)).toBe('d');
    list.push('e');
    expect([list.at(0), list.at(1)]).toEqual(['d', 'e']);
  });

  it('drops its references when cleared, so a cleared item can be collected', async () => {
    const list = new ReusableList<object>();
    let item: object | undefined = {};
    let onCollected!: () => void;
    const collected = new Promise<void>((resolve) => (onCollected = resolve));
    // Held in a variable: a registry that is itself collected never calls back.
    const registry = new FinalizationRegistry<void>(() => onCollected());
    registry.register(item, undefined);
    list.push(item);
    item = undefined;
    list.clear();
    const gc = (globalThis as { gc?: () => void }).gc;
    // Without --expose-gc, allocate until a collection runs.
    for (let i = 0; i < 200; i++) {
      if (gc) gc();
      else new Array(100_000).fill(i);
      const done = await Promise.race([collected.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5))]);
      if (done) return;
    }
    throw new Error('the cleared item was never collected');
  });
});
