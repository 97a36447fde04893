/**
 * /health and /v1/status follow the runtime's phase: 503 `initializing` before it has started,
 * 200 while running, 503 `stopped` after; asked over real HTTP of a real runtime (its WAL on disk,
 * its ws offramp aimed at a port where nothing listens).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../engine/api/api-server.ts';
import { instanceName } from '../../engine/runtime/endpoint.ts';
import { loadArtefacts } from '../../engine/runtime/load.ts';
import { Runtime } from '../../engine/runtime/runtime.ts';
import { writeWalSetup } from '../e2e/config.ts';
import { freePort } from '../support/waiting.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/health', { timeout: 60_000 }, () => {
  it('is 503 before the runtime started and after it stopped, 200 while it runs', async () => {
    const files = writeWalSetup({ dir, port: await freePort(), walDir: join(dir, 'wal'), intervalMs: 50, maxElements: 1000, maxInFlight: 10, run: 1 });
    const plan = loadArtefacts(files, { warn: () => {} });
    const runtime = new Runtime(plan, { log: () => {} });
    const api = await startApiServer('127.0.0.1', 0, {
      stats: () => runtime.stats(),
      phase: () => runtime.phase,
      links: plan.links.map((link) => ({ from: { name: instanceName(link.from), port: link.from.port }, to: { name: instanceName(link.to), port: link.to.port } })),
      version: '0.0.0',
    });
    const base = `http://127.0.0.1:${api.address.port}`;
    try {
      const before = await fetch(`${base}/health`);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ status: 'unavailable', flows: { '01': 'initializing' } });
      const status = await fetch(`${base}/v1/status`);
      expect(status.status).toBe(503);
      expect(await status.json()).toEqual({ all_running: false, num_flows: 1, flows: { initializing: 1 } });
      expect((await fetch(`${base}/metrics`)).status).toBe(200);

      await runtime.start();
      expect((await fetch(`${base}/health`)).status).toBe(200);

      await runtime.stop();
      const after = await fetch(`${base}/health`);
      expect(after.status).toBe(503);
      expect(await after.json()).toEqual({ status: 'unavailable', flows: { '01': 'stopped' } });
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      await runtime.stop();
      await api.close();
    }
  });
});
