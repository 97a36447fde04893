/**
 * `rill server run --api HOST:PORT` as a real process, asked with fetch: Tremor 0.12's /v1/status
 * and /v1/flows shapes, /health, and /metrics in the Prometheus text format following a WAL
 * whose receiver is away (events stored, the ws connector disconnected, its circuit triggered)
 * and then comes (the backlog acked, commits in the histograms). `-n` turns the API off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWalSetup } from '../e2e/config.ts';
import { freePort, killAll, startEngine, startReceiver, waitFor } from '../e2e/processes.ts';

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function setup(wsPort: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rill-api-'));
  dirs.push(dir);
  return writeWalSetup({ dir, port: wsPort, walDir: join(dir, 'wal'), intervalMs: 20, maxElements: 100_000, maxInFlight: 100, run: 1 });
}

/** The value of one sample line of a Prometheus text exposition, e.g. `rill_wal_stored_events{...,node="wal"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function metrics(base: string): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

const WAL = { flow: '01', pipeline: 'gd', node: 'wal' };
const WS = { flow: '01', connector: 'ws', port: 'in' };

describe('rill server run --api', { timeout: 120_000 }, () => {
  it('serves /v1/status, /v1/flows, /health and /metrics of the running flows', async () => {
    const wsPort = await freePort();
    const apiPort = await freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    const engine = startEngine([...['-f', ...setup(wsPort)], '--api', `127.0.0.1:${apiPort}`, '--quiet']);
    await waitFor(() => engine.stderr.includes('API at') || !engine.running, 'the API to listen');
    expect(engine.stderr).toContain(`API at ${base}`);

    // Running once started (it may answer 503 `initializing` before).
    let health: Response | undefined;
    for (let tries = 0; tries < 100; tries++) {
      health = await fetch(`${base}/health`);
      if (health.status === 200) break;
      expect(health.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toEqual({ status: 'ok' });

    const status = await fetch(`${base}/v1/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ all_running: true, num_flows: 1, flows: { running: 1 } });
    expect(await (await fetch(`${base}/v1/flows`)).json()).toEqual([{ alias: '01', status: 'running', connectors: ['metronome', 'ws'], pipelines: ['gd'] }]);
    expect(await (await fetch(`${base}/v1/version`)).json()).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), debug: false });

    // Nothing listens on the ws port: the WAL stores what the metronome sends.
    const connectors = await (await fetch(`${base}/v1/flows/01/connectors`)).json();
    expect(connectors).toEqual([
      { alias: 'metronome', status: 'running', connectivity: 'connected', pipelines: { out: [{ alias: 'gd', port: 'in' }] } },
      { alias: 'ws', status: 'running', connectivity: 'disconnected', pipelines: { in: [{ alias: 'gd', port: 'out' }] } },
    ]);
    expect((await fetch(`${base}/v1/flows/01/connectors/ws`)).status).toBe(200);
    expect((await fetch(`${base}/v1/flows/nope`)).status).toBe(404);
    expect((await fetch(`${base}/v1/flows/01`, { method: 'PATCH', body: '{"status":"paused"}' })).status).toBe(405);

    let text = '';
    for (let tries = 0; tries < 100; tries++) {
      text = await metrics(base);
      if ((sample(text, 'rill_wal_stored_events', WAL) ?? 0) >= 10) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sample(text, 'rill_wal_stored_events', WAL)).toBeGreaterThanOrEqual(10);
    expect(sample(text, 'rill_wal_stored_bytes', WAL)).toBeGreaterThan(0);
    expect(sample(text, 'rill_connector_circuit_open', WS)).toBe(0);
    expect(sample(text, 'rill_connector_circuit_open', { flow: '01', connector: 'metronome', port: 'out' })).toBe(1);
    expect(sample(text, 'rill_connector_events_total', { flow: '01', connector: 'metronome', port: 'out' })).toBeGreaterThanOrEqual(10);
    expect(sample(text, 'rill_pipeline_events_in_total', { flow: '01', pipeline: 'gd', port: 'in' })).toBeGreaterThanOrEqual(10);
    expect(sample(text, 'rill_wal_acked_events_total', WAL)).toBe(0);
    expect(text).toContain('# TYPE rill_wal_commit_duration_seconds histogram');
    expect(sample(text, 'rill_wal_commit_duration_seconds_count', WAL)).toBeGreaterThan(0);
    expect(sample(text, 'rill_wal_commit_batch_events_bucket', { ...WAL, le: '+Inf' })).toBeGreaterThan(0);
    expect(text).toContain('# TYPE rill_wal_acked_events_total counter');
    expect(text).toContain('process_cpu_seconds_total');

    // The receiver comes: the backlog goes out and is acked, the circuit is open again.
    const messagesDir = mkdtempSync(join(tmpdir(), 'rill-api-recv-'));
    dirs.push(messagesDir);
    const receiver = await startReceiver(wsPort, join(messagesDir, 'messages'));
    const storedBefore = sample(text, 'rill_wal_stored_events', WAL) as number;
    for (let tries = 0; tries < 300; tries++) {
      text = await metrics(base);
      if ((sample(text, 'rill_wal_acked_events_total', WAL) ?? 0) >= storedBefore) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sample(text, 'rill_wal_acked_events_total', WAL)).toBeGreaterThanOrEqual(storedBefore);
    expect(sample(text, 'rill_connector_events_acked_total', WS)).toBeGreaterThanOrEqual(storedBefore);
    expect(sample(text, 'rill_connector_circuit_open', WS)).toBe(1);
    expect(sample(text, 'rill_wal_in_flight_events', WAL)).toBeLessThanOrEqual(100);
    const ws = await (await fetch(`${base}/v1/flows/01/connectors/ws`)).json();
    expect(ws.connectivity).toBe('connected');

    await engine.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
    await receiver.kill('SIGTERM');
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('-n turns the API off, even with --api', async () => {
    const apiPort = await freePort();
    const engine = startEngine(['-f', ...setup(await freePort()), '--api', `127.0.0.1:${apiPort}`, '-n']);
    const before = startEngine(['-n', '-f', ...setup(await freePort()), '--api', `127.0.0.1:${apiPort}`]);
    await waitFor(() => engine.stderr.includes('status:') || !engine.running, 'a status line');
    await waitFor(() => before.stderr.includes('status:') || !before.running, 'a status line');
    expect(engine.stderr).not.toContain('API at');
    expect(before.stderr).not.toContain('API at');
    await expect(fetch(`http://127.0.0.1:${apiPort}/health`)).rejects.toThrow();
    await engine.kill('SIGTERM');
    await before.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
    expect(before.exitCode).toBe(0);
  });

  it('refuses a malformed address or a port in use, exit status 1, nothing started', async () => {
    const files = setup(await freePort());
    const malformed = startEngine(['-f', ...files, '--api', 'localhost']);
    await malformed.exited;
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stderr).toContain('cannot serve the API at localhost: not HOST:PORT');

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = startEngine(['-f', ...files, '--api', `127.0.0.1:${port}`]);
      await busy.exited;
      expect(busy.exitCode).toBe(1);
      expect(busy.stderr).toContain(`cannot serve the API at 127.0.0.1:${port}`);
      expect(busy.stderr).toContain('EADDRINUSE');
      expect(busy.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
