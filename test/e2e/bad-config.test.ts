/**
 * `rill server run` with broken configuration: it exits non-zero, names the file and the key, and
 * never prints a stack trace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, startEngine } from './processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-config-'));
const example = 'examples/persistent-gd/etc/tremor/config';

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function run(files: string[]): Promise<{ code: number | null; stderr: string }> {
  const engine = startEngine(['-f', ...files]);
  await engine.exited;
  return { code: engine.exitCode ?? null, stderr: engine.stderr };
}

/** A copy of the seed example with one file replaced. */
function exampleWith(name: string, text: string): string[] {
  const sub = mkdtempSync(join(dir, 'case-'));
  for (const file of readdirSync(example)) copyFileSync(join(example, file), join(sub, file));
  writeFileSync(join(sub, name), text);
  return readdirSync(sub).map((file) => join(sub, file));
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('rill server run with bad configuration', () => {
  it('the seed fragments as written: every YAML file named with the key that is wrong', async () => {
    const fragments = readdirSync('examples/seed-fragments').map((file) => join('examples/seed-fragments', file));
    const { code, stderr } = await run(fragments);
    expect(code).toBe(1);
    expect(stderr).toContain('examples/seed-fragments/metronome.yaml:3:1: invalid YAML: key "type" is not part of the list entry "- id: metronome"');
    expect(stderr).toContain('examples/seed-fragments/ws.yaml:2:1: invalid YAML: key "type"');
    expect(stderr).toContain('examples/seed-fragments/binding.yaml:2:1: invalid YAML: key "/onramp/metronome/{instance}/out"');
    expect(stderr).toContain('examples/seed-fragments/mapping.yaml:1:1: unknown top-level key "instance"');
    expect(stderr).toContain('nothing was started');
    expectNoStackTrace(stderr);
  });

  it('an unknown config key, with the nearest valid one', async () => {
    const files = exampleWith('ws.yaml', 'offramp:\n  - id: ws\n    type: ws\n    config:\n      urll: ws://localhost:8080/\n');
    const { code, stderr } = await run(files);
    expect(code).toBe(1);
    expect(stderr).toMatch(/ws\.yaml:5:7: offramp "ws": config: unknown key "urll" \(did you mean "url"\?\)/);
    expectNoStackTrace(stderr);
  });

  it('a link to a pipeline that no .trickle file defines (the seed says /pipeline/main/)', async () => {
    const binding = [
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/metronome/{instance}/out": ["/pipeline/main/{instance}/in"]',
      '      "/pipeline/main/{instance}/out": ["/offramp/ws/{instance}/in"]',
      '',
    ].join('\n');
    const { code, stderr } = await run(exampleWith('binding.yaml', binding));
    expect(code).toBe(1);
    expect(stderr).toMatch(/binding\.yaml:4:7: binding "default": link "\/onramp\/metronome\/\{instance\}\/out": "\/pipeline\/main\/01\/in": no pipeline "main" .*persistent\.trickle/);
    expect(stderr).toMatch(/binding\.yaml:5:7: binding "default": link "\/pipeline\/main\/\{instance\}\/out": .*no pipeline "main"/);
    expectNoStackTrace(stderr);
  });

  it('a link to a missing offramp and to a port the pipeline does not have', async () => {
    const binding = [
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/metronome/{instance}/out": ["/pipeline/persistent/{instance}/in"]',
      '      "/pipeline/persistent/{instance}/outt": ["/offramp/ws/{instance}/in"]',
      '      "/pipeline/persistent/{instance}/err": ["/offramp/wss/{instance}/in"]',
      '',
    ].join('\n');
    const { code, stderr } = await run(exampleWith('binding.yaml', binding));
    expect(code).toBe(1);
    expect(stderr).toMatch(/binding\.yaml:5:7: .*pipeline "persistent" has no output port "outt" \(did you mean "out"\?\)/);
    expect(stderr).toMatch(/binding\.yaml:6:7: .*no offramp "wss" \(did you mean "ws"\?\)/);
    const mapping = 'mapping:\n  /binding/defualt/01:\n    instance: "01"\n';
    const second = await run(exampleWith('mapping.yaml', mapping));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/mapping\.yaml:2:3: mapping "\/binding\/defualt\/01": no binding "defualt" \(did you mean "default"\?\)/);
    expectNoStackTrace(stderr + second.stderr);
  });
});
