/**
 * The executor with the real `qos::wal` (real LMDB in a temporary directory): the seed's shape
 * `in -> select -> wal -> select -> out`, driven the way a GD sink drives it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import type { Event } from '../../engine/event.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { event, operator, query, select } from './hand-built-query.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('executor with qos::wal', () => {
  it('emits nothing before restore, then every stored event in order; acks through contraflow drain it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-engine-wal-'));
    directories.push(dir);
    const compiled = query(
      operator('wal', 'qos::wal', { read_count: 5, max_elements: 1000, dir }),
      select('in', 'wal', { run: (e) => ({ ...(e.data as RecordValue), hostname: 'here' }) }),
      select('wal', 'out'),
    );
    const pipeline = buildPipeline(compiled, { id: 'seed' });
    const received: Event[] = [];
    await pipeline.start({ onOutput: (_port, e) => received.push(e), onInsight() {} });
    for (let n = 0; n < 20; n++) pipeline.send('in', event({ n }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);

    pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
    while (received.length < 20) {
      pipeline.tick(Date.now() * 1e6);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(received.map((e) => (e.data as RecordValue).n)).toEqual([...Array(20).keys()]);
    expect(received.every((e) => e.transactional && (e.data as RecordValue).hostname === 'here')).toBe(true);

    for (const e of received) pipeline.contraflow('out', { kind: 'ack', id: e.id, opMeta: e.opMeta });
    await until(() => pipeline.isIdle(), 'the WAL to be idle');
    await pipeline.close();
  });

  it('a stored event that a select after the WAL filters out is acked back to the WAL, which deletes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-engine-wal-'));
    directories.push(dir);
    const compiled = query(
      operator('wal', 'qos::wal', { read_count: 5, max_elements: 1000, dir }),
      select('in', 'wal'),
      select('wal', 'out', { shape: 'simple', run: (e) => (((e.data as RecordValue).n as number) < 5 ? e.data : undefined) }),
    );
    const pipeline = buildPipeline(compiled, { id: 'filtered' });
    const received: Event[] = [];
    await pipeline.start({ onOutput: (_port, e) => received.push(e), onInsight() {} });
    pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
    for (let n = 0; n < 20; n++) pipeline.send('in', event({ n }));
    // The WAL reads what it stored on its commits and on ticks.
    const ticking = (condition: () => boolean) => () => (pipeline.tick(Date.now() * 1e6), condition());
    await until(ticking(() => received.length === 5 && Number(pipeline.stats().wal?.stored) === 5), 'the 15 filtered events to be deleted');
    expect(received.map((e) => (e.data as RecordValue).n)).toEqual([0, 1, 2, 3, 4]);
    for (const e of received) pipeline.contraflow('out', { kind: 'ack', id: e.id, opMeta: e.opMeta });
    await until(ticking(() => Number(pipeline.stats().wal?.stored) === 0), 'the WAL to be empty');
    await pipeline.close();
  });
});
