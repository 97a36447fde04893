/**
 * From a troy file to a DeploymentPlan: definitions, args, `with` values, modules, hygiene, and
 * the errors for what cannot be deployed (each names the file, line and what exists).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODULES_DIR, defaultModulePath } from '../../queries/troy/modules.ts';
import { failure, flow, plan, rendered } from './helpers.ts';

const METRONOME = 'define connector m from metronome with config = {"interval": 1} end;\ncreate connector m;';

describe('troy plans', () => {
  it('lists connectors, pipelines and links with resolved config and default ports', () => {
    const [deployed] = plan(
      flow(
        [
          'use tremor::pipelines;',
          'use tremor::connectors;',
          METRONOME,
          'create connector stdio from connectors::console;',
          'create pipeline pass from pipelines::passthrough;',
          'connect /connector/m to /pipeline/pass;',
          'connect /pipeline/pass/out to /connector/stdio/stderr;',
        ].join('\n'),
      ),
    ).flows;
    expect(deployed.connectors.map(({ alias, kind, definition, config, codec, preprocessors, postprocessors }) => ({ alias, kind, definition, config, codec, preprocessors, postprocessors }))).toEqual([
      { alias: 'm', kind: 'metronome', definition: 'm', config: { interval: 1 }, codec: undefined, preprocessors: undefined, postprocessors: undefined },
      { alias: 'stdio', kind: 'stdio', definition: 'console', config: undefined, codec: 'string', preprocessors: ['separate'], postprocessors: ['separate'] },
    ]);
    expect(deployed.pipelines.map(({ alias, definition, inputs, outputs }) => ({ alias, definition, inputs, outputs }))).toEqual([
      { alias: 'pass', definition: 'passthrough', inputs: ['in'], outputs: ['out', 'err'] },
    ]);
    expect(deployed.pipelines[0].query.statements.map((statement) => statement.kind)).toEqual(['select']);
    expect(deployed.links.map(({ from, to }) => [from, to])).toEqual([
      [{ kind: 'connector', alias: 'm', port: 'out' }, { kind: 'pipeline', alias: 'pass', port: 'in' }],
      [{ kind: 'pipeline', alias: 'pass', port: 'out' }, { kind: 'connector', alias: 'stdio', port: 'stderr' }],
    ]);
    expect(deployed.links[1].span).toMatchObject({ file: 'test.troy', line: 10 });
  });

  it('feeds deploy args into creates, create args into connector config, with defaults', () => {
    const [deployed] = plan(
      [
        'define flow f args rate, name = "n" flow',
        '  define connector m from metronome args ival, label = "x" with config = {"interval": args.ival * 2, "label": args.label} end;',
        '  create connector m with ival = args.rate + 1 end;',
        'end;',
        'deploy flow f with rate = 4 end;',
      ].join('\n'),
    ).flows;
    expect(deployed.args).toEqual({ rate: 4, name: 'n' });
    expect(deployed.connectors[0].config).toEqual({ interval: 10, label: 'x' });
  });

  it('evaluates module functions and consts: integration::exit waits nanos::from_millis(100)', () => {
    const [deployed] = plan(flow('use integration;\ncreate connector exit from integration::exit;\ncreate connector out from integration::write_file with file = "o.log" end;')).flows;
    expect(deployed.connectors[0].config).toEqual({ delay: 100_000_000, graceful: true });
    expect(deployed.connectors[1]).toMatchObject({ kind: 'file', codec: 'json-sorted', config: { path: 'o.log', mode: 'truncate' } });
  });

  it('binds pipeline args for the query: `select args.snot` reads the create-time value', () => {
    const [deployed] = plan(
      flow('define pipeline p args snot = "badger" pipeline select args.snot from in into out; end;\ncreate pipeline a from p;\ncreate pipeline b from p with snot = "x" end;'),
    ).flows;
    const outputs = deployed.pipelines.map((pipeline) => {
      const select = pipeline.query.statements[0];
      return select.kind === 'select' ? select.run({ data: null, meta: {}, ingestNs: 0 }) : undefined;
    });
    expect(outputs).toEqual(['badger', 'x']);
  });

  it('resolves a pipeline body\'s `use` through the module path, and its declared output ports', () => {
    const [deployed] = plan(
      flow('define pipeline p into out, exit pipeline use std::time::nanos; select {"delay": nanos::from_seconds(2)} from in into exit; end;\ncreate pipeline p;'),
    ).flows;
    const [select] = deployed.pipelines[0].query.statements;
    expect(select.kind === 'select' && [select.into.node, select.run({ data: null, meta: {}, ingestNs: 0 })]).toEqual(['exit', { delay: 2_000_000_000 }]);
  });

  it('deploys a flow twice under different ids with `from`, independently', () => {
    const source = `define flow f args n = 1 flow ${METRONOME} end;\ndeploy flow a from f;\ndeploy flow b from f with n = 2 end;`;
    expect(plan(source).flows.map((deployed) => [deployed.id, deployed.definition, deployed.args])).toEqual([
      ['a', 'f', { n: 1 }],
      ['b', 'f', { n: 2 }],
    ]);
  });

  it('is hygienic: a top-level `use` is not visible inside a flow', () => {
    const error = failure(`use tremor::pipelines;\n${flow('create pipeline p from pipelines::passthrough;')}`);
    expect(error.diagnostics[0].message).toBe('Artefact `pipelines::passthrough` is not defined or not found, the following are defined: ');
    expect(error.diagnostics[0].span).toMatchObject({ line: 4, column: 24 });
  });
});

describe('troy deploy errors', () => {
  it('an unknown connector in `connect` names the line and the connectors that exist', () => {
    const text = rendered(flow(`${METRONOME}\nconnect /pipeline/nope to /connector/m;`));
    expect(text).toContain('    5 | connect /pipeline/nope to /connector/m;');
    expect(text).toContain('^^^^ Pipeline `nope` not found in flow `f`');
    expect(text).toContain('NOTE: The flow creates no pipelines: add `create pipeline nope …;`');
    const other = failure(flow(`${METRONOME}\ncreate pipeline p from x;`));
    expect(other.diagnostics[0].message).toMatch(/^Artefact `x` is not defined or not found, the following are defined: $/);
  });

  it('an unknown port names the ports the instance has', () => {
    const error = failure(flow(`${METRONOME}\ndefine pipeline p into out, exit pipeline select event from in into out; end;\ncreate pipeline p;\nconnect /connector/m/in to /pipeline/p;`));
    expect(error.diagnostics[0].message).toBe('Invalid Connect to m via port in: the connector `m` has no output port `in`');
    expect(error.diagnostics[0].hint).toBe('Its output ports are: out, err');
    expect(error.diagnostics[0].span).toMatchObject({ file: 'test.troy', line: 7 });
    const pipelinePort = failure(flow(`${METRONOME}\ndefine pipeline p into out, exit pipeline select event from in into out; end;\ncreate pipeline p;\nconnect /pipeline/p/err to /connector/m;`));
    expect(pipelinePort.diagnostics[0].hint).toBe('Its output ports are: out, exit');
  });

  it('a flow deployed twice, and an alias created twice, name the earlier one', () => {
    const twice = failure(`${flow(METRONOME)}deploy flow f;\n`);
    expect(twice.diagnostics[0].message).toBe('Flow with id "f" is already deployed.');
    expect(twice.diagnostics[0].hint).toBe('It was deployed at test.troy:6; deploy another instance with `deploy flow OTHER_ID from f;`');
    expect(twice.diagnostics[0].span.line).toBe(7);
    const alias = failure(flow(`${METRONOME}\ncreate connector m;`));
    expect(alias.diagnostics[0].message).toBe('The connector `m` is already created in flow `f`');
    expect(alias.diagnostics[0].hint).toBe('It was created at test.troy:4; give this instance another name');
  });

  it('an unknown flow lists the flows defined', () => {
    const error = failure(`${flow(METRONOME, 'deploy flow g;')}`);
    expect(error.diagnostics[0].message).toBe('Artefact `g` is not defined or not found, the following are defined: f');
    expect(error.diagnostics[0].span.line).toBe(6);
  });

  it('a missing mandatory arg, a non-constant value and a mistyped setting are errors', () => {
    expect(failure(`define flow f args n flow ${METRONOME} end;\ndeploy flow f;`).diagnostics[0].message).toBe(
      'Required key not provided: `n` is an arg of "f" without a default',
    );
    expect(failure(flow('define connector m from metronome with config = {"interval": event.x} end;\ncreate connector m;')).diagnostics[0].message).toBe(
      "The expression isn't constant and can't be evaluated at compile time",
    );
    expect(failure(flow('define connector m from metronome with codec = 1 end;\ncreate connector m;')).diagnostics[0].message).toBe(
      'Invalid type for `codec` of connector "m": expected a string, got integer',
    );
  });

  it('a definition of the same kind and name twice is an error; another kind is not', () => {
    expect(failure(flow('define connector x from file;\ndefine connector x from file;')).diagnostics[0].message).toBe("Can't define the connector `x` twice");
    expect(() => plan(flow(`define pipeline m pipeline select event from in into out; end;\n${METRONOME}\ncreate pipeline m;\nconnect /connector/m to /pipeline/m;`))).not.toThrow();
  });
});

describe('troy module path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rill-troy-modules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'my'));
  writeFileSync(join(dir, 'my', 'lib.tremor'), 'use std::time::nanos;\nconst BASE = 5;\nfn scaled(x) with x * BASE end;\ndefine connector tick from metronome with config = {"interval": scaled(nanos::from_seconds(1))} end;\n');
  writeFileSync(join(dir, 'loop.tremor'), 'use loop;\n');

  it('finds user modules on TREMOR_PATH before the bundled ones', () => {
    const modulePath = defaultModulePath(`${dir}:/nonexistent`);
    expect(modulePath.map((mount) => mount.dir)).toEqual([dir, BUNDLED_MODULES_DIR]);
    const [deployed] = plan(flow('use my::lib;\ncreate connector t from lib::tick;'), { modulePath }).flows;
    // The module's own `fn` is called unqualified, its const and its own `use` resolve in the module.
    expect(deployed.connectors[0].config).toEqual({ interval: 5_000_000_000 });
    const error = failure(flow('use my::lib;\ncreate connector t from lib::missing;'), { modulePath });
    expect(error.diagnostics[0].message).toBe('Artefact `lib::missing` is not defined or not found, the following are defined: tick');
  });

  it('reports a missing module with every mount, and a cycle', () => {
    const modulePath = [{ dir, label: 'first/' }, { dir: BUNDLED_MODULES_DIR, label: 'second' }];
    expect(failure('use snot::badger;\n', { modulePath }).diagnostics[0].message).toBe(
      'Module `snot/badger` not found or not readable error in module path: \n                         - first/\n                         - second',
    );
    expect(failure('use loop;\n', { modulePath }).diagnostics[0].message).toBe(`Cyclic module dependency: ${join(dir, 'loop.tremor')} -> ${join(dir, 'loop.tremor')}`);
  });
});
