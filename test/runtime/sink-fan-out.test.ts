/**
 * One pipeline output linked to several sinks (seed 000 writes each WAL event to a file and echoes
 * it): the WAL upstream gets the ack only once every sink acked its copy, and a fail as soon as one
 * fails, so it never deletes an event one sink has not written. Real runtime, real qos::wal on
 * LMDB, a real file sink, and a sink that settles its deliveries when the test says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../../engine/runtime/runtime.ts';
import type { RuntimePlan } from '../../engine/runtime/load.ts';
import type { ConnectorSpec } from '../../engine/runtime/artefact-file.ts';
import type { Endpoint } from '../../engine/runtime/endpoint.ts';
import type { Event } from '../../engine/event.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { MetronomeSource } from '../../connectors/metronome.ts';
import { StreamSink } from '../../connectors/stream-sink.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { Delivery, Sink } from '../../connectors/connector.ts';
import { operator, query, select } from '../engine/hand-built-query.ts';
import { waitFor } from '../support/waiting.ts';

/** Keeps every delivery until the test acks or fails it. */
class HoldingSink implements Sink {
  readonly held: Array<{ event: Event; delivery: Delivery }> = [];
  async start(): Promise<void> {}
  isActive(): boolean {
    return true;
  }
  send(event: Event, delivery: Delivery): void {
    this.held.push({ event, delivery });
  }
  async stop(): Promise<void> {}
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const spec = (kind: 'onramp' | 'offramp', id: string): ConnectorSpec => ({ kind, id, type: id, codec: 'json', preprocessors: [], postprocessors: [], config: {}, file: 'test.yaml' });
const at = (kind: Endpoint['kind'], id: string, port: string): Endpoint => ({ kind, id, instance: '01', port });

function start(): { runtime: Runtime; holding: HoldingSink; walStats: () => Record<string, number | string> } {
  const dir = mkdtempSync(join(tmpdir(), 'rill-fan-out-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pipeline = buildPipeline(query(operator('wal', 'qos::wal', { read_count: 10, max_elements: 1000, max_in_flight: 5, dir: join(dir, 'wal') }), select('in', 'wal'), select('wal', 'out')), { id: 'gd' });
  const holding = new HoldingSink();
  const plan: RuntimePlan = {
    sources: [{ name: 'onramp/metronome/01', spec: spec('onramp', 'metronome'), source: new MetronomeSource(5) }],
    pipelines: [{ name: 'pipeline/gd/01', pipeline }],
    sinks: [
      { name: 'offramp/file/01', spec: spec('offramp', 'file'), sink: new StreamSink(createWriteStream(join(dir, 'out.jsonl')), DEFAULT_CODEC, '') },
      { name: 'offramp/holding/01', spec: spec('offramp', 'holding'), sink: holding },
    ],
    links: [
      { from: at('onramp', 'metronome', 'out'), to: at('pipeline', 'gd', 'in') },
      { from: at('pipeline', 'gd', 'out'), to: at('offramp', 'file', 'in') },
      { from: at('pipeline', 'gd', 'out'), to: at('offramp', 'holding', 'in') },
    ],
  };
  const runtime = new Runtime(plan, { log: () => {} });
  cleanups.push(() => runtime.stop());
  return { runtime, holding, walStats: () => runtime.stats().pipelines[0].operators.wal };
}

describe('a pipeline output linked to several sinks', () => {
  it('acks the WAL only once every sink has acked its copy', async () => {
    const { runtime, holding, walStats } = start();
    await runtime.start();
    // max_in_flight = 5: five events out, the file sink has acked them, the holding sink has not.
    await waitFor(() => holding.held.length === 5 && runtime.stats().sinks[0].acked === 5, 'five events at both sinks');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(walStats().inFlight, 'acked by one sink only: still in flight').toBe(5);
    expect(holding.held.length, 'nothing more is sent while they are in flight').toBe(5);
    for (const { delivery } of holding.held.splice(0)) delivery.ack();
    await waitFor(() => holding.held.length === 5 && runtime.stats().sinks[0].acked === 10, 'the next five events at both sinks');
  });

  it('fails the event back to the WAL as soon as one sink fails, and the WAL sends it to both again', async () => {
    const { runtime, holding } = start();
    await runtime.start();
    await waitFor(() => holding.held.length === 5, 'five events at the holding sink');
    const first = holding.held[0].event.meta.wal as { seq: number };
    for (const { delivery } of holding.held.splice(0)) delivery.fail('refused by the test');
    // The WAL re-sends after a short backoff; events never emitted may go first: ack those.
    const resent = (): boolean => {
      const again = holding.held.some(({ event }) => (event.meta.wal as { seq: number }).seq === first.seq);
      if (!again) for (const { delivery } of holding.held.splice(0)) delivery.ack();
      return again;
    };
    await waitFor(resent, 'the failed event sent again');
    expect(runtime.stats().sinks[1].failed).toBe(5);
  });
});
