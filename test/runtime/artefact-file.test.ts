import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseArtefactFile } from '../../engine/runtime/artefact-file.ts';

function problems(file: string, text: string): string[] {
  return parseArtefactFile(file, text).errors.map((error) => error.message);
}

describe('Tremor 0.11 artefact YAML', () => {
  it('reads the seed example: onramp, offramp, binding and mapping', () => {
    const dir = 'examples/persistent-gd/etc/tremor/config';
    const files = ['metronome.yaml', 'ws.yaml', 'binding.yaml', 'mapping.yaml'].map((name) => parseArtefactFile(`${dir}/${name}`, readFileSync(`${dir}/${name}`, 'utf8')));
    for (const file of files) expect(file.errors).toEqual([]);
    const [metronome, ws, binding, mapping] = files.map((file) => file.artefacts);
    expect(metronome.connectors).toMatchObject([{ kind: 'onramp', id: 'metronome', type: 'metronome', codec: 'json', config: { interval: 1000 } }]);
    expect(ws.connectors).toMatchObject([{ kind: 'offramp', id: 'ws', type: 'ws', config: { url: 'ws://localhost:8080/' } }]);
    expect(binding.bindings).toMatchObject([
      {
        id: 'default',
        links: [
          { from: '/onramp/metronome/{instance}/out', to: ['/pipeline/persistent/{instance}/in'] },
          { from: '/pipeline/persistent/{instance}/out', to: ['/offramp/ws/{instance}/in'] },
        ],
      },
    ]);
    expect(mapping.mappings).toMatchObject([{ key: '/binding/default/01', values: { instance: '01' } }]);
  });

  it('names the file, line, artefact and key of an unknown config key, with a suggestion', () => {
    const text = 'offramp:\n  - id: ws\n    type: ws\n    config:\n      urll: ws://localhost:8080/\n';
    expect(problems('config/ws.yaml', text)).toEqual([
      'config/ws.yaml:5:7: offramp "ws": config: unknown key "urll" (did you mean "url"?)',
      'config/ws.yaml:4:5: offramp "ws": config: missing required key "url"',
    ]);
  });

  it('says that connector settings belong under config', () => {
    const text = 'onramp:\n  - id: metronome\n    type: metronome\n    interval: 1000\n';
    const found = problems('metronome.yaml', text);
    expect(found[0]).toBe('metronome.yaml:4:5: onramp "metronome": unknown key "interval" (Tremor 0.11 connector settings go under `config:`, as `config: {interval: ...}`)');
    expect(found).toContain('metronome.yaml:3:5: onramp "metronome": config: missing required key "interval"');
  });

  it('rejects unknown types, codecs, wrong value types and unknown top-level keys', () => {
    const text = [
      'onramps:',
      '  - id: x',
      'onramp:',
      '  - id: m',
      '    type: metronom',
      '  - id: n',
      '    type: metronome',
      '    codec: jsn',
      '    config: {interval: "fast"}',
    ].join('\n');
    expect(problems('a.yaml', text)).toEqual([
      'a.yaml:1:1: unknown top-level key "onramps" (did you mean "onramp"?)',
      'a.yaml:5:5: onramp "m": unknown onramp type "metronom" (did you mean "metronome"?)',
      'a.yaml:8:5: onramp "n": unknown codec "jsn" (did you mean "json"?)',
      'a.yaml:9:14: onramp "n": config: `interval` must be an integer, got "fast"',
    ]);
  });

  it('rejects a binding whose links are not under `links:`', () => {
    const text = 'binding:\n  - id: default\n    "/onramp/metronome/{instance}/out": ["/pipeline/main/{instance}/in"]\n';
    expect(problems('binding.yaml', text)).toEqual([
      'binding.yaml:3:5: binding "default": unknown key "/onramp/metronome/{instance}/out" (links go under `links:`)',
      'binding.yaml:2:5: binding "default": missing key "links"',
    ]);
  });

  describe('the seed fragments as written give an error naming the file and what is wrong', () => {
    const fragments = 'examples/seed-fragments';
    const read = (name: string) => problems(`${fragments}/${name}`, readFileSync(`${fragments}/${name}`, 'utf8'));

    it.each([
      ['metronome.yaml', '3:1', 'type', '- id: metronome'],
      ['ws.yaml', '2:1', 'type', '- id: ws'],
      ['binding.yaml', '2:1', '/onramp/metronome/{instance}/out', '- id: default'],
    ])('%s: a list whose keys are not indented', (name, position, key, entry) => {
      const found = read(name);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`${fragments}/${name}:${position}: invalid YAML: key "${key}" is not part of the list entry "${entry}" above it`);
      expect(found[0]).toContain('put the list under `onramp:`, `offramp:` or `binding:`');
    });

    it('mapping.yaml: `instance` without its parent keys', () => {
      expect(read('mapping.yaml')).toEqual([
        `${fragments}/mapping.yaml:1:1: unknown top-level key "instance" (mapping entries go under \`mapping:\` as \`/binding/<id>/<instance>: {instance: "01"}\`)`,
      ]);
    });
  });

  it('says a list at the top level needs a parent key', () => {
    expect(problems('x.yaml', '- id: metronome\n  type: metronome\n')[0]).toMatch(/^x\.yaml:1:1: the file is a list.*`onramp:`/);
  });
});
