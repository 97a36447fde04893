/**
 * Guaranteed delivery through a window and through a generic::batch, with the real `qos::wal`
 * (LMDB in a temporary directory) before it: acking a window's aggregate deletes from the WAL exactly the events the window
 * covers — not the events of another group stored between them — and failing it makes the WAL
 * send those events again. After a restart on the same directory the WAL still holds (and
 * replays) only the events whose aggregate was never acked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';
import type { PipelineExecutor } from '../../engine/executor.ts';
import { compileQuery } from '../../queries/index.ts';
import type { RecordValue } from '../../queries/values/value.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

function windowedQuery(dir: string): string {
  return `define qos::wal operator wal with read_count = 100, max_elements = 1000, dir = ${JSON.stringify(dir)} end;
create operator wal;
define tumbling window two with size = 2 end;
select event from in into wal;
select {"g": group[0], "ns": aggr::win::collect_flattened(event.n)} from wal[two] group by set(event.g) into out;`;
}

async function until(condition: () => boolean, what: string, pipeline: PipelineExecutor): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    pipeline.tick(Date.now() * 1e6);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function batchQuery(dir: string): string {
  return `define qos::wal operator wal with read_count = 100, max_elements = 1000, dir = ${JSON.stringify(dir)} end;
create operator wal;
define generic::batch operator batch with count = 2 end;
create operator batch;
select event from in into wal;
select event from wal into batch;
select event from batch into out;`;
}

async function open(dir: string, source = windowedQuery(dir)) {
  const pipeline = buildPipeline(compileQuery(source, 'gd.trickle'), { id: 'gd' });
  const outputs: Event[] = [];
  await pipeline.start({ onOutput: (_port, event) => outputs.push(event), onInsight() {} });
  pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
  return { pipeline, outputs };
}

const stored = (pipeline: PipelineExecutor): number => pipeline.stats().wal.stored as number;

describe('a qos::wal before a window or a batch', () => {
  it('deletes only what an acked aggregate covers, replays what a failed one covers, keeps the rest across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-wal-window-'));
    directories.push(dir);
    const first = await open(dir);
    const groups = ['a', 'b', 'a', 'c', 'c', 'b'];
    groups.forEach((g, n) => first.pipeline.send('in', { id: new EventId(99, 0, n), data: { g, n }, meta: {}, ingestNs: n, transactional: false, opMeta: {} }));
    await until(() => first.outputs.length === 3, 'three windows (a, c, b)', first.pipeline);
    const byGroup = (g: string) => first.outputs.find((event) => (event.data as RecordValue).g === g)!;
    expect(first.outputs.map((event) => event.data)).toEqual([
      { g: 'a', ns: [0, 2] },
      { g: 'c', ns: [3, 4] },
      { g: 'b', ns: [1, 5] },
    ]);
    expect(first.outputs.every((event) => event.transactional)).toBe(true);
    expect(stored(first.pipeline)).toBe(6);

    // Ack a's window: the WAL deletes 0 and 2, and keeps 1 (b), stored between them.
    const a = byGroup('a');
    first.pipeline.contraflow('out', { kind: 'ack', id: a.id, opMeta: a.opMeta });
    await until(() => stored(first.pipeline) === 4, 'the WAL to delete a\'s two events', first.pipeline);

    // Fail c's window: the WAL sends 3 and 4 again, and c's window aggregates them again.
    const c = byGroup('c');
    first.pipeline.contraflow('out', { kind: 'fail', id: c.id, opMeta: c.opMeta });
    await until(() => first.outputs.length === 4, 'c\'s events to come round again', first.pipeline);
    expect(first.outputs[3].data).toEqual({ g: 'c', ns: [3, 4] });
    expect(stored(first.pipeline)).toBe(4);
    await first.pipeline.close();

    // Nothing else was acked: after a restart the WAL replays 1, 3, 4, 5 (b's and c's), not a's.
    const second = await open(dir);
    await until(() => second.outputs.length === 2, 'the replay', second.pipeline);
    expect(second.outputs.map((event) => event.data)).toEqual([
      { g: 'c', ns: [3, 4] },
      { g: 'b', ns: [1, 5] },
    ]);
    for (const event of second.outputs) second.pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
    await until(() => stored(second.pipeline) === 0, 'the WAL to be empty', second.pipeline);
    await second.pipeline.close();
  });

  it('through a generic::batch: an acked batch deletes its events from the WAL, a failed one has them resent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-wal-batch-'));
    directories.push(dir);
    const { pipeline, outputs } = await open(dir, batchQuery(dir));
    for (let n = 0; n < 4; n++) pipeline.send('in', { id: new EventId(99, 0, n), data: { n }, meta: {}, ingestNs: n, transactional: false, opMeta: {} });
    await until(() => outputs.length === 2, 'two batches', pipeline);
    expect(outputs.map((event) => event.data)).toEqual([[{ n: 0 }, { n: 1 }], [{ n: 2 }, { n: 3 }]]);
    pipeline.contraflow('out', { kind: 'ack', id: outputs[0].id, opMeta: outputs[0].opMeta });
    await until(() => stored(pipeline) === 2, 'the first batch deleted', pipeline);
    pipeline.contraflow('out', { kind: 'fail', id: outputs[1].id, opMeta: outputs[1].opMeta });
    await until(() => outputs.length === 3, 'the second batch again', pipeline);
    expect(outputs[2].data).toEqual([{ n: 2 }, { n: 3 }]);
    pipeline.contraflow('out', { kind: 'ack', id: outputs[2].id, opMeta: outputs[2].opMeta });
    await until(() => stored(pipeline) === 0, 'the WAL to be empty', pipeline);
    await pipeline.close();
  });
});
