/**
 * The runtime routing real connectors and real pipelines (hand-built queries, the real qos::wal on
 * LMDB in a temporary directory): events downstream, acks and circuit-breaker insights upstream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { Runtime } from '../../engine/runtime/runtime.ts';
import { formatStatus } from '../../engine/runtime/status-line.ts';
import type { PlannedLink, RuntimePlan } from '../../engine/runtime/load.ts';
import type { ConnectorSpec } from '../../engine/runtime/artefact-file.ts';
import type { Endpoint } from '../../engine/runtime/endpoint.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import type { PipelineExecutor } from '../../engine/executor.ts';
import { MetronomeSource } from '../../connectors/metronome.ts';
import { StreamSink } from '../../connectors/stream-sink.ts';
import { WsSink } from '../../connectors/ws-sink.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import { createWriteStream } from 'node:fs';
import { operator, query, select } from '../engine/hand-built-query.ts';
import { freePort, sleep, waitFor } from '../support/waiting.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-runtime-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function spec(kind: 'onramp' | 'offramp', id: string, type: string): ConnectorSpec {
  return { kind, id, type, codec: 'json', preprocessors: [], postprocessors: [], config: {}, file: 'test.yaml' };
}

function endpoint(text: string): Endpoint {
  const [, kind, id, instance, port] = text.split('/');
  return { kind: kind as Endpoint['kind'], id, instance, port };
}

function link(from: string, to: string): PlannedLink {
  return { from: endpoint(from), to: endpoint(to) };
}

function walPipeline(id: string, dir: string, params: Record<string, number | string> = {}): PipelineExecutor {
  return buildPipeline(query(operator('wal', 'qos::wal', { read_count: 20, max_elements: 1000, dir, ...params }), select('in', 'wal'), select('wal', 'out')), { id });
}

function readIds(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: number }).id);
}

describe('runtime', () => {
  it('metronome -> qos::wal -> file: the sink restores the WAL on link, writes every event in order and its acks drain the WAL', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const pipeline = walPipeline('gd', join(dir, 'wal'));
    const plan: RuntimePlan = {
      sources: [{ name: 'onramp/metronome/01', spec: spec('onramp', 'metronome', 'metronome'), source: new MetronomeSource(5) }],
      pipelines: [{ name: 'pipeline/gd/01', pipeline }],
      sinks: [{ name: 'offramp/file/01', spec: spec('offramp', 'file', 'file'), sink: new StreamSink(createWriteStream(out), DEFAULT_CODEC, '') }],
      links: [link('/onramp/metronome/01/out', '/pipeline/gd/01/in'), link('/pipeline/gd/01/out', '/offramp/file/01/in')],
    };
    const runtime = new Runtime(plan, { log: () => {} });
    await runtime.start();
    await waitFor(() => runtime.stats().sinks[0].acked >= 20, '20 acked events');
    const walFigures = runtime.stats().pipelines[0].operators;
    expect(Object.keys(walFigures)).toEqual(['wal']);
    expect(walFigures.wal).toMatchObject({ downstream: 'open', upstream: 'accepting' });
    expect(formatStatus(runtime.stats())).toMatch(/\[wal stored=\d+ storedBytes=\d+ inFlight=\d+ /);
    await runtime.stop();

    const stats = runtime.stats();
    const ids = readIds(out);
    expect(ids).toEqual(ids.map((_, index) => index));
    expect(stats.sinks[0]).toMatchObject({ received: ids.length, acked: ids.length, failed: 0 });
    expect(stats.pipelines[0].eventsIn).toBe(stats.sources[0].emitted);
    expect(stats.sources[0]).toMatchObject({ circuit: 'open', transactional: false });

    // Everything written was acked, so a second run over the same store re-sends nothing old.
    const again = walPipeline('gd', join(dir, 'wal'));
    const replayed: number[] = [];
    await again.start({ onOutput: (_port, event) => replayed.push((event.data as { id: number }).id), onInsight: () => {} });
    again.contraflow('out', { kind: 'restore', opMeta: {} });
    for (let i = 0; i < 5; i++) {
      again.tick(0);
      await sleep(20);
    }
    await again.close();
    expect(replayed.length).toBeLessThanOrEqual(stats.sources[0].emitted - ids.length);
  });

  it('a ws sink with no receiver: the WAL fills, the metronome is paused; the receiver appears, the WAL drains and the metronome resumes', async () => {
    const dir = tempDir();
    const port = await freePort();
    const logs: string[] = [];
    const plan: RuntimePlan = {
      sources: [{ name: 'onramp/metronome/01', spec: spec('onramp', 'metronome', 'metronome'), source: new MetronomeSource(2) }],
      pipelines: [{ name: 'pipeline/gd/01', pipeline: walPipeline('gd', join(dir, 'wal'), { max_elements: 30 }) }],
      sinks: [
        {
          name: 'offramp/ws/01',
          spec: spec('offramp', 'ws', 'ws'),
          sink: new WsSink({ url: `ws://127.0.0.1:${port}/`, binary: false, codec: DEFAULT_CODEC, reconnectInitialMs: 20, reconnectMaxMs: 100 }),
        },
      ],
      links: [link('/onramp/metronome/01/out', '/pipeline/gd/01/in'), link('/pipeline/gd/01/out', '/offramp/ws/01/in')],
    };
    const runtime = new Runtime(plan, { log: (message) => logs.push(message) });
    await runtime.start();
    cleanups.push(() => runtime.stop());
    await waitFor(() => runtime.stats().sources[0].circuit === 'triggered', 'the metronome to be paused by the full WAL');
    const emittedWhenPaused = runtime.stats().sources[0].emitted;
    expect(emittedWhenPaused).toBeGreaterThanOrEqual(30);
    await sleep(200);
    expect(runtime.stats().sources[0].emitted).toBe(emittedWhenPaused);
    expect(runtime.stats().sinks[0].received).toBe(0);

    const received: number[] = [];
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.on('connection', (socket) => socket.on('message', (data) => received.push((JSON.parse(data.toString()) as { id: number }).id)));
    await waitFor(() => runtime.stats().sources[0].circuit === 'open', 'the metronome to resume');
    await waitFor(() => received.length >= emittedWhenPaused + 20, 'the backlog and new events');
    expect(received.slice(0, emittedWhenPaused + 20)).toEqual([...Array(emittedWhenPaused + 20).keys()]);
    expect(logs.some((line) => line.includes('paused'))).toBe(true);
    expect(logs.some((line) => line.includes('resumed'))).toBe(true);
    for (const client of server.clients) client.terminate();
  });

  it('pipeline -> pipeline: events go down through both, acks come back to the WAL in the second', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const first = buildPipeline(query(select('in', 'out')), { id: 'first' });
    const second = walPipeline('second', join(dir, 'wal'));
    const plan: RuntimePlan = {
      sources: [{ name: 'onramp/metronome/01', spec: spec('onramp', 'metronome', 'metronome'), source: new MetronomeSource(5) }],
      pipelines: [
        { name: 'pipeline/first/01', pipeline: first },
        { name: 'pipeline/second/01', pipeline: second },
      ],
      sinks: [{ name: 'offramp/file/01', spec: spec('offramp', 'file', 'file'), sink: new StreamSink(createWriteStream(out), DEFAULT_CODEC, '') }],
      links: [
        link('/onramp/metronome/01/out', '/pipeline/first/01/in'),
        link('/pipeline/first/01/out', '/pipeline/second/01/in'),
        link('/pipeline/second/01/out', '/offramp/file/01/in'),
      ],
    };
    const runtime = new Runtime(plan, { log: () => {} });
    await runtime.start();
    await waitFor(() => runtime.stats().sinks[0].acked >= 10, '10 acked events');
    await runtime.stop();
    const ids = readIds(out);
    expect(ids).toEqual(ids.map((_, index) => index));
    const stats = runtime.stats();
    expect(stats.pipelines.map((p) => p.name)).toEqual(['pipeline/first/01', 'pipeline/second/01']);
    expect(stats.pipelines[1].eventsIn).toBe(stats.pipelines[0].eventsOut);
  });
});
