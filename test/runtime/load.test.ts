/**
 * Loading whole sets of artefact files (YAML + .trickle, compiled by the real language and built
 * by the real engine) into a runtime plan, and the problems that stop it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArtefacts } from '../../engine/runtime/load.ts';
import { LoadErrors } from '../../engine/runtime/config-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function files(contents: Record<string, string>): string[] {
  const sub = join(dir, `case-${counter++}`);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub);
  return Object.entries(contents).map(([name, text]) => {
    const path = join(sub, name);
    writeFileSync(path, text);
    return path;
  });
}

function load(paths: string[]) {
  const warnings: string[] = [];
  const plan = loadArtefacts(paths, { warn: (message) => warnings.push(message) });
  return { plan, warnings };
}

function problems(paths: string[]): string[] {
  try {
    load(paths);
  } catch (error) {
    if (error instanceof LoadErrors) return error.problems;
    throw error;
  }
  throw new Error('expected the load to fail');
}

const connectors = 'onramp:\n  - id: metronome\n    type: metronome\n    config: {interval: 10}\nofframp:\n  - id: out\n    type: stdout\n';
const binding = (pipeline: string) =>
  `binding:\n  - id: default\n    links:\n      "/onramp/metronome/{instance}/out": ["/pipeline/${pipeline}/{instance}/in"]\n      "/pipeline/${pipeline}/{instance}/out": ["/offramp/out/{instance}/in"]\n`;

describe('loading artefacts', () => {
  it('instantiates each mapped binding with {instance} substituted', () => {
    const paths = files({
      'main.trickle': 'select event from in into out;\n',
      'connectors.yaml': connectors,
      'binding.yaml': binding('main') + 'mapping:\n  /binding/default/01:\n    instance: "01"\n  /binding/default/02:\n    instance: "02"\n',
    });
    const { plan } = load(paths);
    expect(plan.sources.map((s) => s.name)).toEqual(['onramp/metronome/01', 'onramp/metronome/02']);
    expect(plan.pipelines.map((p) => [p.name, p.pipeline.id])).toEqual([
      ['pipeline/main/01', 'main-01'],
      ['pipeline/main/02', 'main-02'],
    ]);
    expect(plan.sinks.map((s) => s.name)).toEqual(['offramp/out/01', 'offramp/out/02']);
    expect(plan.links).toContainEqual({
      from: { kind: 'onramp', id: 'metronome', instance: '02', port: 'out' },
      to: { kind: 'pipeline', id: 'main', instance: '02', port: 'in' },
    });
  });

  it('gives a pipeline mapped once the id of its file, and passes on the query warnings with the file name', () => {
    const seed = 'examples/persistent-gd/etc/tremor/config';
    const { plan, warnings } = load(['metronome.yaml', 'ws.yaml', 'binding.yaml', 'mapping.yaml', 'persistent.trickle'].map((f) => join(seed, f)));
    expect(plan.pipelines.map((p) => p.pipeline.id)).toEqual(['persistent']);
    expect(plan.pipelines[0].pipeline.inputs).toContain('in');
    expect(warnings.some((w) => w.startsWith(`${seed}/persistent.trickle:`) && w.includes('Non-standard'))).toBe(true);
  });

  it('reports every problem in the files, each with its file; links are only resolved once the files are sound', () => {
    const paths = files({
      'a.trickle': 'select event from in into out;\n',
      'b.yaml': connectors,
      'c.yaml': 'onramp:\n  - id: metronome\n    type: metronome\n    config: {interval: 5}\n',
      'd.yaml': binding('a') + 'mapping:\n  binding/default/01: {instance: "01"}\n',
      'notes.txt': 'hello',
    });
    const found = problems([...paths, join(dir, 'nowhere.yaml')]);
    expect(found).toEqual([
      expect.stringMatching(/c\.yaml:2:5: onramp "metronome" is already defined in .*b\.yaml$/),
      expect.stringMatching(/notes\.txt: unsupported file type "\.txt"/),
      expect.stringMatching(/nowhere\.yaml: cannot read the file: ENOENT/),
    ]);
  });

  it('a mapping key that is not /binding/<id>/<instance>', () => {
    const paths = files({ 'a.trickle': 'select event from in into out;\n', 'b.yaml': connectors + binding('a') + 'mapping:\n  binding/default/01: {instance: "01"}\n' });
    expect(problems(paths)).toEqual([expect.stringMatching(/b\.yaml:14:3: mapping "binding\/default\/01": the key must be "\/binding\/<binding id>\/<instance>"$/)]);
  });

  it('a query that does not compile is reported with file, line, column and caret', () => {
    const paths = files({ 'q.trickle': 'select event from in intoo out;\n', 'b.yaml': connectors + binding('q') });
    const found = problems(paths);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/q\.trickle:1:22: /);
    expect(found[0]).toContain('^');
  });

  it('a mapping without the value a placeholder needs', () => {
    const paths = files({ 'main.trickle': 'select event from in into out;\n', 'b.yaml': connectors + binding('main') + 'mapping:\n  /binding/default/01: {name: x}\n' });
    expect(problems(paths)[0]).toMatch(/b\.yaml:\d+:7: binding "default": link "\/onramp\/metronome\/\{instance\}\/out": .*placeholder \{instance\} is not given a value by the mapping/);
  });
});
