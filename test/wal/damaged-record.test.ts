/**
 * Damaged records (record.ts checksum, operator.ts decodeOrSetAside, store.ts `damaged` database):
 * events are written through the real engine pipeline `in -> qos::wal (dir) -> out` and the store
 * closed; then bits are flipped inside two records' payloads in data.mdb (found by a unique marker
 * in the payload, so LMDB's page structure stays intact: LMDB checks nothing of its values). One
 * flip keeps the JSON valid (an altered payload, only a checksum can tell), the other breaks it.
 * Reopened through the real pipeline: the other events are all delivered, in order, the damaged
 * ones are reported with path and sequence number and set aside (counted in `stats()` and by
 * `rill wal inspect`, listed by `--verify` with exit status 1), and a second restart reports
 * nothing again.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectWal } from '../../bin/commands/wal.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import type { PipelineExecutor } from '../../engine/executor.ts';
import { compileQuery } from '../../queries/index.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { runScript } from './child-process.ts';
import { temporaryDirectory } from './harness.ts';

const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
const EVENTS = 40;
/** Altered in place, JSON still valid: `MARKER` becomes `MCRKER`. */
const ALTERED = 7;
/** Broken: its closing quote becomes `#`, so the payload is no JSON any more. */
const BROKEN = 23;
const SOURCE_UID = 4242;

const base = temporaryDirectory('rill-wal-damaged-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function marker(n: number): string {
  return `MARKER-${String(n).padStart(4, '0')}-END`;
}

interface Run {
  pipeline: PipelineExecutor;
  delivered: Event[];
  warnings: string[];
}

async function startPipeline(dir: string): Promise<Run> {
  const query = `define qos::wal operator wal with dir = ${JSON.stringify(dir)}, read_count = 8, max_elements = 1000 end;
create operator wal;
select event from in into wal;
select event from wal into out;
`;
  const warnings: string[] = [];
  const pipeline = buildPipeline(compileQuery(query, 'damaged.trickle'), { id: 'damaged', onWarning: (text) => warnings.push(text) });
  pipeline.setTransactional('in', true);
  const run: Run = { pipeline, delivered: [], warnings };
  await pipeline.start({
    onOutput: (_port, event) => {
      run.delivered.push(event);
      pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta });
    },
    onInsight: () => undefined,
  });
  return run;
}

/** Ticks until the pipeline is idle (everything readable delivered and acked, commits landed). */
async function drain(run: Run): Promise<void> {
  for (let i = 0; i < 600; i++) {
    run.pipeline.tick(nowNs());
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (run.pipeline.isIdle() && i > 5) return;
  }
  throw new Error('pipeline did not go idle');
}

/** Flips one bit of `target` (an ASCII byte inside `text`) in every copy of `text` in data.mdb. */
function flipInDataFile(dir: string, text: string, offset: number, bit: number): number {
  const file = join(dir, 'data.mdb');
  const data = readFileSync(file);
  const needle = Buffer.from(text);
  let copies = 0;
  for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) {
    data[at + offset] ^= bit;
    copies++;
  }
  writeFileSync(file, data);
  return copies;
}

describe('a damaged record in the WAL', () => {
  it(
    'is reported with its seq and set aside; the other events are delivered; it is not reported again',
    async () => {
      const dir = join(base, 'wal');
      const writer = await startPipeline(dir);
      for (let n = 0; n < EVENTS; n++) {
        writer.pipeline.send('in', { id: new EventId(SOURCE_UID, 0, n), data: { n, text: marker(n) }, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} });
      }
      await drain(writer); // downstream never restores: everything stays stored
      expect(writer.delivered).toEqual([]);
      await writer.pipeline.close();

      // 'A' ^ 0x02 = 'C'; '"' (0x22) ^ 0x01 = '#'.
      expect(flipInDataFile(dir, marker(ALTERED), 1, 0x02)).toBeGreaterThan(0);
      expect(flipInDataFile(dir, `${marker(BROKEN)}"`, marker(BROKEN).length, 0x01)).toBeGreaterThan(0);

      // Before any WAL reads them, --verify finds both, still stored, by seq (a fresh store: seq = n).
      const before = await inspectWal(dir, true);
      expect(before.verification?.damaged.map(({ seq, where }) => [seq, where])).toEqual([
        [ALTERED, 'stored'],
        [BROKEN, 'stored'],
      ]);
      expect(before.verification?.checkedRecords).toBe(EVENTS);

      const reader = await startPipeline(dir);
      reader.pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
      await drain(reader);
      const expected = [...Array(EVENTS).keys()].filter((n) => n !== ALTERED && n !== BROKEN);
      expect(reader.delivered.map((event) => (event.data as RecordValue).n)).toEqual(expected);
      for (const event of reader.delivered) expect((event.data as RecordValue).text).toBe(marker((event.data as RecordValue).n as number));
      expect(reader.warnings).toHaveLength(2);
      expect(reader.warnings[0]).toContain(`${dir}: damaged record seq ${ALTERED} (checksum mismatch: stored `);
      expect(reader.warnings[1]).toContain(`${dir}: damaged record seq ${BROKEN} (checksum mismatch: stored `);
      expect(reader.pipeline.stats().wal).toMatchObject({ stored: 0, damaged: 2 });
      await reader.pipeline.close();

      // Set aside, kept, counted; `rill wal inspect --verify` (a real process) lists them and exits 1.
      const after = await inspectWal(dir, true);
      expect(after).toMatchObject({ storedEvents: 0, damagedEvents: 2, nextSeq: EVENTS });
      expect(after.verification?.damaged.map(({ seq, where }) => [seq, where])).toEqual([
        [ALTERED, 'set aside'],
        [BROKEN, 'set aside'],
      ]);
      const verify = await runScript(RILL, ['wal', 'inspect', dir, '--verify'], { deadlineMs: 60_000 }).exited;
      expect(verify.code, verify.stderr).toBe(1);
      expect(verify.stdout).toMatch(/damaged\s+2\n/);
      expect(verify.stdout).toContain(`verified         2 records, 2 damaged\ndamaged seq ${ALTERED} (set aside): checksum mismatch: stored `);
      expect(verify.stdout).toContain(`damaged seq ${BROKEN} (set aside): checksum mismatch`);

      // A second restart: nothing to report, nothing delivered again.
      const again = await startPipeline(dir);
      again.pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
      await drain(again);
      expect({ delivered: again.delivered.length, warnings: again.warnings }).toEqual({ delivered: 0, warnings: [] });
      expect(again.pipeline.stats().wal).toMatchObject({ stored: 0, damaged: 2 });
      await again.pipeline.close();
    },
    180_000,
  );

  it('`rill wal inspect --verify` exits 0 on a healthy store and says how many records it checked', async () => {
    const dir = join(base, 'healthy');
    const run = await startPipeline(dir);
    for (let n = 0; n < 5; n++) run.pipeline.send('in', { id: new EventId(SOURCE_UID, 0, n), data: { n }, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} });
    await drain(run);
    await run.pipeline.close();
    const verify = await runScript(RILL, ['wal', 'inspect', dir, '--verify'], { deadlineMs: 60_000 }).exited;
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('verified         5 records, 0 damaged\n');
  }, 120_000);
});
