/**
 * Tremor's `metrics` connector and `metrics_interval_s`: the troy corpus's `system-metrics` case
 * through the integration harness (a metronome, a pipeline and a file sink report their counts
 * every 3 s; a second pipeline reads them from the metrics connector and exits once each has
 * seen 10 events), and the report events' shape from a running troy flow.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integrationCaseAt, runIntegrationCase } from '../../bin/commands/integration-runner.ts';
import { killAll, startEngine } from '../e2e/processes.ts';

const corpus = join(import.meta.dirname, '..', '..', '..', 'shared', 'troy-corpus');
const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('metrics connector', { timeout: 120_000 }, () => {
  it('passes the troy corpus case integration/system-metrics', async () => {
    const result = await runIntegrationCase(integrationCaseAt(corpus, join(corpus, 'integration', 'system-metrics')), { timeoutSecs: 90 });
    expect(result.reason).toBe('');
    expect(result.ok).toBe(true);
  });

  it('reports connector and pipeline counts every metrics_interval_s, only for parts that set it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rill-metrics-'));
    dirs.push(dir);
    const out = join(dir, 'metrics.log');
    writeFileSync(
      join(dir, 'flow.troy'),
      `define flow f
flow
  use tremor::connectors;
  define connector tick from metronome with metrics_interval_s = 1, config = { "interval": 100000000 } end;
  define pipeline pass args metrics_interval_s = 1 pipeline select event from in into out; end;
  define pipeline quiet pipeline select event from in into out; end;
  define connector sink from file with codec = "json-sorted", postprocessors = ["separate"], config = { "path": ${JSON.stringify(out)}, "mode": "write" } end;
  create connector tick;
  create connector metrics from connectors::metrics;
  create connector sink;
  create pipeline pass;
  create pipeline quiet;
  connect /connector/tick to /pipeline/pass;
  connect /connector/metrics to /pipeline/quiet;
  connect /pipeline/quiet to /connector/sink;
end;
deploy flow f;
`,
    );
    const engine = startEngine([join(dir, 'flow.troy'), '--quiet']);
    const reports = (): Array<{ measurement: string; tags: Record<string, string>; fields: { count: number }; timestamp: number }> => {
      try {
        return readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
      } catch {
        return [];
      }
    };
    for (let tries = 0; tries < 200 && reports().filter((r) => r.measurement === 'events').length < 4; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    await engine.kill('SIGTERM');
    const all = reports();
    const tick = all.filter((r) => r.measurement === 'connector_events');
    expect(tick.length, engine.stderr).toBeGreaterThanOrEqual(2);
    expect(tick.every((r) => r.tags.connector === 'tick' && r.tags.port === 'out' && r.tags.flow === 'f')).toBe(true);
    expect(tick[1].fields.count).toBeGreaterThan(tick[0].fields.count);
    expect(typeof tick[0].timestamp).toBe('number');
    const pipeline = all.filter((r) => r.measurement === 'events');
    expect(pipeline.some((r) => r.tags.pipeline === 'pass' && r.tags.direction === 'input' && r.tags.port === 'in' && r.fields.count > 0)).toBe(true);
    expect(pipeline.some((r) => r.tags.pipeline === 'pass' && r.tags.direction === 'output' && r.tags.port === 'out')).toBe(true);
    // Neither the quiet pipeline, nor the sink, nor the metrics connector set metrics_interval_s.
    expect(all.filter((r) => r.tags.pipeline === 'quiet' || r.tags.connector === 'sink' || r.tags.connector === 'metrics')).toEqual([]);
  });
});
