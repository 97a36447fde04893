/**
 * The acks a sink gives in one turn go back as runs (engine/runtime/sink-acks.ts): one contraflow
 * insight for consecutive events, not one per event; a fail is sent at once, after the acks
 * gathered before it. Real runtime, real qos::wal on LMDB, a sink that settles its deliveries when
 * the test says so; the pipeline's contraflow calls are counted on the way through.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../../engine/runtime/runtime.ts';
import type { RuntimePlan } from '../../engine/runtime/load.ts';
import type { ConnectorSpec } from '../../engine/runtime/artefact-file.ts';
import type { Endpoint } from '../../engine/runtime/endpoint.ts';
import type { Event } from '../../engine/event.ts';
import type { Insight } from '../../engine/insight.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { MetronomeSource } from '../../connectors/metronome.ts';
import type { Delivery, Sink } from '../../connectors/connector.ts';
import { operator, query, select } from '../engine/hand-built-query.ts';
import { waitFor } from '../support/waiting.ts';

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

async function started() {
  const dir = mkdtempSync(join(tmpdir(), 'rill-sink-acks-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pipeline = buildPipeline(query(operator('wal', 'qos::wal', { read_count: 10, max_elements: 1000, max_in_flight: 5, resend_backoff_ms: 0, dir: join(dir, 'wal') }), select('in', 'wal'), select('wal', 'out')), { id: 'gd' });
  // Every insight that enters the pipeline from its output, in order.
  const contraflows: Insight[] = [];
  const contraflow = pipeline.contraflow.bind(pipeline);
  pipeline.contraflow = (port: string, insight: Insight) => {
    contraflows.push(insight);
    return contraflow(port, insight);
  };
  const holding = new HoldingSink();
  const plan: RuntimePlan = {
    sources: [{ name: 'onramp/metronome/01', spec: spec('onramp', 'metronome'), source: new MetronomeSource(5) }],
    pipelines: [{ name: 'pipeline/gd/01', pipeline }],
    sinks: [{ name: 'offramp/holding/01', spec: spec('offramp', 'holding'), sink: holding }],
    links: [
      { from: at('onramp', 'metronome', 'out'), to: at('pipeline', 'gd', 'in') },
      { from: at('pipeline', 'gd', 'out'), to: at('offramp', 'holding', 'in') },
    ],
  };
  const runtime = new Runtime(plan, { log: () => {} });
  cleanups.push(() => runtime.stop());
  await runtime.start();
  const walStats = () => runtime.stats().pipelines[0].operators.wal;
  return { holding, contraflows, walStats };
}

/** How many of the WAL's events an insight names. */
function eventsNamed(insight: Insight): number {
  const ranges = insight.id?.tracked ?? [];
  return 1 + ranges.reduce((most, range) => Math.max(most, range.maxEventId - range.minEventId), 0);
}

describe("a sink's acks", () => {
  it('go back as one insight for a run of consecutive events acked in one turn', async () => {
    const { holding, contraflows, walStats } = await started();
    await waitFor(() => holding.held.length === 5, 'five events in flight');
    for (const { delivery } of holding.held.splice(0)) delivery.ack();
    await waitFor(() => walStats().acked === 5, 'the WAL has deleted all five');
    const acks = contraflows.filter((insight) => insight.kind === 'ack');
    expect(acks.map(eventsNamed)).toEqual([5]);
  });

  it('keep their order around a fail: acks before it, the fail, acks after it', async () => {
    const { holding, contraflows, walStats } = await started();
    await waitFor(() => holding.held.length === 5, 'five events in flight');
    const [a, b, c, d, e] = holding.held.splice(0);
    a.delivery.ack();
    b.delivery.ack();
    c.delivery.fail('refused');
    d.delivery.ack();
    e.delivery.ack();
    await waitFor(() => walStats().acked === 4 && walStats().failed === 1, 'four acked, one failed');
    const settled = contraflows.filter((insight) => insight.kind === 'ack' || insight.kind === 'fail');
    expect(settled.map((insight) => [insight.kind, eventsNamed(insight)])).toEqual([
      ['ack', 2],
      ['fail', 1],
      ['ack', 2],
    ]);
    // The failed event (and nothing acked) comes again.
    await waitFor(() => holding.held.length >= 1, 'the failed event sent again');
    expect(holding.held[0].event.id.eventId).toBe(c.event.id.eventId);
  });
});
