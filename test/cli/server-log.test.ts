/**
 * `rill server run --log-format json` writes one JSON object per stderr line (info, warn, error,
 * and the status with its figures), and the status line is written only when a figure changed:
 * an idle server writes it once, a busy one at every check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, sleep, startEngine, waitFor } from '../e2e/processes.ts';

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** metronome (interval in ms) -> passthrough pipeline -> stdout, as Tremor 0.11 artefacts. */
function metronomeToStdout(intervalMs: number, extraYaml = ''): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rill-log-'));
  dirs.push(dir);
  const yaml = join(dir, 'artefacts.yaml');
  writeFileSync(
    yaml,
    [
      'onramp:',
      '  - id: metronome',
      '    type: metronome',
      `    config: { interval: ${intervalMs} }`,
      'offramp:',
      '  - id: stdout',
      '    type: stdout',
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/metronome/{instance}/out": ["/pipeline/pass/{instance}/in"]',
      '      "/pipeline/pass/{instance}/out": ["/offramp/stdout/{instance}/in"]',
      'mapping:',
      '  /binding/default/01: { instance: "01" }',
      extraYaml,
    ].join('\n'),
  );
  const trickle = join(dir, 'pass.trickle');
  writeFileSync(trickle, 'select event from in into out;\n');
  return [yaml, trickle];
}

const statusLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('rill: status:'));

describe('rill server run logs', { timeout: 60_000 }, () => {
  it('--log-format json: every stderr line is a JSON object, the status carries the figures', async () => {
    const engine = startEngine(['-f', ...metronomeToStdout(50), '--log-format', 'json', '--status-interval', '0.5']);
    await waitFor(() => engine.stderr.includes('"message":"status"') || !engine.running, 'a status line');
    await engine.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
    const lines = engine.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'message']);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    }
    expect(lines.map((line) => line.message)).toContain('SIGTERM: shutting down');
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'stopped' });
    const status = lines.find((line) => line.message === 'status');
    expect(status.status.sources[0]).toMatchObject({ name: 'onramp/metronome/01', circuit: 'open' });
    expect(status.status.sources[0].emitted).toBeGreaterThan(0);
    expect(status.status.pipelines[0].histograms).toBeUndefined();
  });

  it('--log-format json: configuration problems are error objects, exit status 1', async () => {
    const [yaml, trickle] = metronomeToStdout(50, 'bogus: 1\n');
    const engine = startEngine(['-f', yaml, trickle, '--log-format', 'json']);
    await engine.exited;
    expect(engine.exitCode).toBe(1);
    const lines = engine.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.find((line) => line.level === 'error')?.message).toContain('bogus');
    expect(lines.at(-1).message).toMatch(/problems? in the configuration; nothing was started/);
  });

  it('refuses an unknown --log-format', async () => {
    const engine = startEngine(['-f', ...metronomeToStdout(50), '--log-format', 'xml']);
    await engine.exited;
    expect(engine.exitCode).toBe(1);
    expect(engine.stderr).toContain('--log-format must be text or json, got "xml"');
  });

  it('writes the status line only when a figure changed', async () => {
    // A metronome ticking every 100 s: after its start nothing changes.
    const idle = startEngine(['-f', ...metronomeToStdout(100_000), '--status-interval', '0.5']);
    // One ticking every 50 ms: every check sees new figures.
    const busy = startEngine(['-f', ...metronomeToStdout(50), '--status-interval', '0.5']);
    await waitFor(() => statusLines(busy.stderr).length >= 4 || !busy.running, 'four status lines of the busy server');
    // The idle one had as long, and more than four checks.
    await sleep(500);
    expect(statusLines(idle.stderr).length).toBeLessThanOrEqual(2);
    expect(statusLines(idle.stderr).length).toBeGreaterThanOrEqual(1);
    await idle.kill('SIGTERM');
    await busy.kill('SIGTERM');
    expect(idle.exitCode).toBe(0);
  });

  it('--quiet writes no status line', async () => {
    const engine = startEngine(['-f', ...metronomeToStdout(50), '--quiet', '--status-interval', '0.5']);
    await sleep(2000);
    await engine.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
    expect(statusLines(engine.stderr)).toEqual([]);
    expect(engine.stderr).toContain('rill: stopped');
  });
});
