/**
 * A metronome `interval` in the other Tremor version's unit is run as given, with a warning that
 * says which unit applies and what to write: nanoseconds in a 0.11 YAML onramp (milliseconds),
 * milliseconds in a 0.12 troy connector (nanoseconds). `rill validate` shows it (and server run).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rill-metronome-units-'));
  await writeFile(join(dir, 'p.trickle'), 'select event from in into out;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const yaml = (interval: number) =>
  `onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: ${interval}\nofframp:\n  - id: out\n    type: stdout\nbinding:\n  - id: default\n    links:\n      "/onramp/metronome/{instance}/out": ["/pipeline/p/{instance}/in"]\n      "/pipeline/p/{instance}/out": ["/offramp/out/{instance}/in"]\nmapping:\n  /binding/default/01: { instance: "01" }\n`;
const troy = (interval: string) =>
  `define flow f\nflow\n  use std::time::nanos;\n  define connector m from metronome with config = {"interval": ${interval}} end;\n  define pipeline p pipeline select event from in into out; end;\n  create connector m;\n  create pipeline p;\n  connect /connector/m to /pipeline/p;\nend;\ndeploy flow f;\n`;

async function validate(name: string, text: string, extra: string[] = []) {
  await writeFile(join(dir, name), text);
  return runNode([RILL, 'validate', join(dir, name), ...extra], { cwd: dir, killAfterMs: 50_000 });
}

describe('metronome interval units', { timeout: 60_000 }, () => {
  it('warns about nanoseconds in a 0.11 YAML onramp', async () => {
    const result = await validate('ns.yaml', yaml(1_000_000_000), [join(dir, 'p.trickle')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("onramp \"metronome\": metronome `interval: 1000000000` is 11.6 days: a Tremor 0.11 onramp's interval is in milliseconds");
    expect(result.stderr).toContain('for 1 s write 1000');
  });

  it('warns about milliseconds in a 0.12 troy connector, with its position', async () => {
    const result = await validate('ms.troy', troy('1000'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/ms\.troy:6:3: connector m: metronome `"interval": 1000` is 1000 ns: a troy connector's interval is in nanoseconds/);
    expect(result.stderr).toContain('write nanos::from_millis(1000)');
  });

  it('says nothing about intervals in their right units', async () => {
    expect((await validate('ok.yaml', yaml(1000), [join(dir, 'p.trickle')])).stderr).not.toContain('interval');
    expect((await validate('ok.troy', troy('nanos::from_seconds(1)'))).stderr).not.toContain('interval');
  });
});
