/**
 * A poison event (issue "Durability under faults", item 6): an event that no sink can write. Here,
 * the real pipeline
 *   in -> qos::wal (dir, max_attempts, dead_letter) -> select {n, body} -> out -> file sink
 *   wal/err -> err
 * with a numbering transactional source, and the real `file` sink (StreamSink, json codec) writing
 * to a real file, acking on the write callback and failing with its reason what it cannot encode.
 * One event is 100,000 arrays deep: the WAL stores its input text as it is, but the select makes a
 * new record of it, which the sink must serialise, and JSON.stringify overflows the stack.
 *
 * Before the fix the WAL re-sent it on every fail for ever (and its neighbours with it) and never
 * drained. Checks: the poison event reaches the sink exactly max_attempts times, then is
 * dead-lettered with the sink's reason (one fsynced line in the dead-letter file, one event on
 * `err`), counted in the stats, and deleted; every other event is written; extra copies of its
 * neighbours stay within (max_attempts - 1) x max_in_flight; the WAL drains (nothing stored).
 */
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { Delivery } from '../../connectors/connector.ts';
import { StreamSink } from '../../connectors/stream-sink.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import { nowNs, type Event } from '../../engine/event.ts';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { compileQuery } from '../../queries/index.ts';
import { parseJson } from '../../queries/values/json.ts';
import type { RecordValue } from '../../queries/values/value.ts';
import { temporaryDirectory } from './harness.ts';

const SOURCE_UID = 720_000;
const TOTAL = 200;
const POISON = 77;
const MAX_ATTEMPTS = 3;
const MAX_IN_FLIGHT = 20;
const DEPTH = 100_000;

function queryText(dir: string, deadLetter: string): string {
  return `define qos::wal operator wal with
  dir = ${JSON.stringify(dir)}, read_count = 10, max_elements = 100000, max_in_flight = ${MAX_IN_FLIGHT},
  max_attempts = ${MAX_ATTEMPTS}, dead_letter = ${JSON.stringify(deadLetter)}
end;
create operator wal;
select event from in into wal;
select {"n": event.n, "body": event.body} from wal into out;
select event from wal/err into err;
`;
}

/** Event n's input text: a small body, or, for the poison event, one nested DEPTH arrays deep. */
function inputText(n: number): string {
  const body = n === POISON ? '['.repeat(DEPTH) + ']'.repeat(DEPTH) : JSON.stringify(`event ${n}`);
  return `{"n":${n},"body":${body}}`;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('qos::wal and a poison event', () => {
  it('dead-letters it after exactly max_attempts, delivers the events behind it and drains', { timeout: 120_000 }, async () => {
    const base = temporaryDirectory();
    try {
      const dir = join(base, 'wal');
      const deadLetterFile = join(base, 'dead-letters.jsonl');
      const outFile = join(base, 'out.jsonl');
      const warnings: string[] = [];
      const pipeline = buildPipeline(compileQuery(queryText(dir, deadLetterFile), 'poison.trickle'), { id: 'poison', onWarning: (text) => warnings.push(text) });
      pipeline.setTransactional('in', true);
      const sink = new StreamSink(createWriteStream(outFile), DEFAULT_CODEC, '');
      await sink.start({ trigger: () => undefined, restore: () => undefined, warn: (text) => warnings.push(text) });

      const sentToSink = new Map<number, number>();
      const acked = new Set<number>();
      const errEvents: Event[] = [];
      const toSend: number[] = Array.from({ length: TOTAL }, (_, n) => n);
      await pipeline.start({
        onOutput(port, event) {
          if (port === 'err') {
            errEvents.push(event);
            return;
          }
          const n = (event.data as RecordValue).n as number;
          sentToSink.set(n, (sentToSink.get(n) ?? 0) + 1);
          const delivery: Delivery = {
            ack: () => pipeline.contraflow('out', { kind: 'ack', id: event.id, opMeta: event.opMeta }),
            fail: (reason) => pipeline.contraflow('out', { kind: 'fail', id: event.id, opMeta: event.opMeta, reason }),
          };
          sink.send(event, delivery);
        },
        onInsight(_port, insight) {
          // One insight may confirm a range of events (the WAL merges a commit's acks).
          const range = insight.id?.rangeFor(SOURCE_UID);
          for (let n = range?.min ?? 0; range !== undefined && n <= range.max; n++) {
            if (insight.kind === 'ack') acked.add(n);
            else if (insight.kind === 'fail') toSend.push(n);
          }
        },
      });
      pipeline.contraflow('out', { kind: 'restore', opMeta: {} });
      const ticker = setInterval(() => pipeline.tick(nowNs()), 100);
      const feeder = setInterval(() => {
        for (let i = 0; i < 10 && toSend.length > 0; i++) {
          const n = toSend.shift() as number;
          const text = inputText(n);
          pipeline.send('in', { id: new EventId(SOURCE_UID, 0, n), data: parseJson(text), dataJson: text, meta: {}, ingestNs: nowNs(), transactional: true, opMeta: {} });
        }
      }, 2);

      try {
        await waitFor(() => acked.size === TOTAL && pipeline.stats().wal?.stored === 0 && pipeline.isIdle(), 'every event acked upstream and the WAL drained');
      } finally {
        clearInterval(feeder);
        clearInterval(ticker);
      }
      const stats = pipeline.stats().wal;
      await pipeline.close();
      await sink.stop();

      expect(sentToSink.get(POISON), 'attempts at the poison event').toBe(MAX_ATTEMPTS);
      expect(stats.deadLettered).toBe(1);

      const letters = readFileSync(deadLetterFile, 'utf8').split('\n').filter((line) => line !== '');
      expect(letters.length).toBe(1);
      const letter = JSON.parse(letters[0]) as { seq: number; attempts: number; reason: string; epoch: string; payload: { n: number } };
      expect(letter.attempts).toBe(MAX_ATTEMPTS);
      expect(letter.reason).toMatch(/cannot encode event as json: Maximum call stack size exceeded/);
      expect(letter.epoch).toMatch(/^[0-9a-f]{32}$/);
      expect(letter.payload.n).toBe(POISON);
      // The payload is the stored text, whole.
      expect(letters[0]).toContain(`"payload":${inputText(POISON)}}`);

      expect(errEvents.length).toBe(1);
      const errData = errEvents[0].data as RecordValue;
      expect({ seq: errData.seq, attempts: errData.attempts, reason: errData.reason }).toEqual({ seq: letter.seq, attempts: MAX_ATTEMPTS, reason: letter.reason });
      expect((errData.payload as RecordValue).n).toBe(POISON);
      expect(warnings.filter((text) => text.includes('dead-lettered')).length).toBe(1);

      // Every other event was written; extra copies stay within the bound.
      const written = readFileSync(outFile, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { n: number }).n);
      const others = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => n !== POISON);
      expect([...new Set(written)].sort((a, b) => a - b)).toEqual(others);
      const extraCopies = written.length - others.length;
      expect(extraCopies).toBeLessThanOrEqual((MAX_ATTEMPTS - 1) * MAX_IN_FLIGHT);

      const store = await WalStore.openReadOnly(dir);
      const left = store.storedEvents;
      await store.close();
      expect(left, 'records left in the WAL').toBe(0);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
