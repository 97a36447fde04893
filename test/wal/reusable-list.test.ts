import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
    // A full collection on demand: --expose-gc turned on now, `gc` taken from a fresh context.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let attempt = 0; attempt < 20; attempt++) {
      gc();
      const done = await Promise.race([collected.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20))]);
      if (done) return;
    }
    throw new Error('the cleared item was never collected');
  });
});
