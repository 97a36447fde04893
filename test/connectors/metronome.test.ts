import { sourceContext } from './recorders.ts';
import { describe, expect, it } from 'vitest';
import { MetronomeSource, metronomeFactory } from '../../connectors/metronome.ts';
import { ConnectorConfigError } from '../../connectors/connector.ts';
import { DEFAULT_CODEC } from '../../connectors/codec.ts';
import type { Value } from '../../queries/values/value.ts';
import { sleep } from '../support/waiting.ts';

function collect(source: MetronomeSource): Value[] {
  const received: Value[] = [];
  void source.start(sourceContext({ emit: (data) => received.push(data), warn: () => {} }));
  return received;
}

describe('metronome onramp', () => {
  it('emits {"onramp","ingest_ns","id"} with ids 0, 1, 2, ... and increasing ingest_ns', async () => {
    const source = new MetronomeSource(10);
    const received = collect(source);
    await sleep(250);
    await source.stop();
    expect(received.length).toBeGreaterThanOrEqual(3);
    received.forEach((data, index) => {
      expect(Object.keys(data as object).sort()).toEqual(['id', 'ingest_ns', 'onramp']);
      expect(data).toMatchObject({ onramp: 'metronome', id: index });
    });
    const stamps = received.map((data) => (data as { ingest_ns: number }).ingest_ns);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]);
    expect(source.transactional).toBe(false);
  });

  it('waits about one interval between events', async () => {
    const source = new MetronomeSource(50);
    const received = collect(source);
    await sleep(520);
    await source.stop();
    // At most one event per 50 ms can fit; a slow machine may fit fewer.
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(received.length).toBeLessThanOrEqual(11);
  });

  it('stops on trigger, resumes on restore with the next id, and never back-fills', async () => {
    const source = new MetronomeSource(10);
    const received = collect(source);
    await sleep(150);
    source.trigger();
    expect(source.paused).toBe(true);
    const atTrigger = received.length;
    await sleep(400);
    expect(received.length).toBe(atTrigger);
    source.restore();
    await sleep(5);
    // Right after the restore nothing was made up for the 40 missed ticks.
    expect(received.length).toBeLessThanOrEqual(atTrigger + 1);
    await sleep(150);
    await source.stop();
    expect(received.length).toBeGreaterThan(atTrigger);
    expect(received.map((data) => (data as { id: number }).id)).toEqual(received.map((_, index) => index));
  });

  it('emits nothing after stop', async () => {
    const source = new MetronomeSource(5);
    const received = collect(source);
    await sleep(50);
    await source.stop();
    const count = received.length;
    await sleep(60);
    expect(received.length).toBe(count);
  });

  it('rejects an interval below 1 ms, naming the key', () => {
    const settings = { id: 'metronome', config: { interval: 0 }, codec: DEFAULT_CODEC, warn: () => {} };
    expect(() => metronomeFactory.create(settings)).toThrow(ConnectorConfigError);
    expect(() => metronomeFactory.create(settings)).toThrow(/interval/);
  });
});
