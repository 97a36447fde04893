/**
 * The seed example as shipped (its trickle text exactly as the seed wrote it), with the ws URL
 * moved to a free port, run with `--embedded-receiver`: the receiver inside rill prints the
 * metronome events with the hostname the query adds. A restart with the same `--data-dir` re-sends
 * what was not acked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killAll, startEngine, waitFor } from './processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-seed-'));
const example = 'examples/persistent-gd/etc/tremor/config';

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function printedEvents(stdout: string): Array<{ id: number; hostname: string; onramp: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('the seed example', () => {
  it('runs the seed text as written, prints events through the embedded receiver, and persists under --data-dir', async () => {
    const port = await freePort();
    const config = join(dir, 'config');
    mkdirSync(config);
    for (const file of readdirSync(example)) copyFileSync(join(example, file), join(config, file));
    writeFileSync(join(config, 'ws.yaml'), `offramp:\n  - id: ws\n    type: ws\n    config:\n      url: ws://127.0.0.1:${port}/\n`);
    // The seed's interval is a second; a faster one keeps the test short.
    writeFileSync(join(config, 'metronome.yaml'), 'onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: 50\n');
    const files = readdirSync(config).map((file) => join(config, file));
    const dataDir = join(dir, 'data');

    const engine = startEngine(['-f', ...files, '--embedded-receiver', '--data-dir', dataDir, '--quiet']);
    await waitFor(() => printedEvents(engine.stdout).length >= 5 || !engine.running, 'five events printed by the embedded receiver');
    await engine.kill('SIGTERM');
    expect(engine.exitCode, engine.stderr).toBe(0);
    expect(engine.stderr).toContain('started an embedded receiver');
    const events = printedEvents(engine.stdout);
    expect(events.slice(0, 5).map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
    expect(events[0]).toMatchObject({ onramp: 'metronome', hostname: hostname() });
    expect(existsSync(join(dataDir, 'persistent', 'on_disk_wal')), 'the WAL under --data-dir/<pipeline>/<operator>').toBe(true);
  });
});
