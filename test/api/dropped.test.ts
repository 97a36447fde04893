/**
 * /metrics of a troy deployment whose pipeline output is linked to nothing: the events that come
 * out there are counted as dropped on that port, the flow's own names label every figure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, killAll, sleep, startEngine, waitFor } from '../e2e/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-dropped-'));
afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('/metrics dropped events', { timeout: 60_000 }, () => {
  it('counts events out of an unlinked pipeline port as dropped, per port', async () => {
    writeFileSync(
      join(dir, 'flow.troy'),
      'define flow f\nflow\n  define connector tick from metronome with config = {"interval": 20000000} end;\n  define pipeline p pipeline select event from in into out; end;\n  create connector tick;\n  create pipeline p;\n  connect /connector/tick to /pipeline/p;\nend;\ndeploy flow f;\n',
    );
    const apiPort = await freePort();
    const engine = startEngine([join(dir, 'flow.troy'), '--api', `127.0.0.1:${apiPort}`, '--quiet']);
    await waitFor(() => engine.stderr.includes('running (pid') || !engine.running, 'rill to run');
    let text = '';
    for (let tries = 0; tries < 100; tries++) {
      text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
      if (/rill_pipeline_events_dropped_total\{flow="f",pipeline="p",port="out"\} ([1-9]\d*)/.test(text)) break;
      await sleep(100);
    }
    const dropped = Number(/rill_pipeline_events_dropped_total\{flow="f",pipeline="p",port="out"\} (\d+)/.exec(text)?.[1]);
    const out = Number(/rill_pipeline_events_out_total\{flow="f",pipeline="p",port="out"\} (\d+)/.exec(text)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBe(out);
    expect(text).toMatch(/rill_connector_events_total\{flow="f",connector="tick",port="out"\} [1-9]/);
    await engine.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
  });
});
