/**
 * Where a query's or script's `use` looks by default: the file's own directory first, then
 * TREMOR_PATH's directories, then rill's built-in std modules; `.trickle` modules only for queries.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileQuery, compileScript, renderDiagnostic } from '../../queries/index.ts';
import { trickleModulePath } from '../../queries/module-path.ts';
import { compileFailure } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'rill-module-path-'));
const own = join(root, 'own');
const shared = join(root, 'shared');
mkdirSync(join(own, 'lib'), { recursive: true });
mkdirSync(join(shared, 'lib'), { recursive: true });
writeFileSync(join(own, 'lib', 'names.tremor'), 'const place = "own dir";\n');
writeFileSync(join(shared, 'lib', 'names.tremor'), 'const place = "TREMOR_PATH";\n');
writeFileSync(join(shared, 'lib', 'only_shared.tremor'), 'fn twice(x) with x * 2 end;\n');
writeFileSync(join(shared, 'lib', 'defs.trickle'), 'define script add script event.a + event.b end;\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(file: string, source: string): unknown {
  writeFileSync(file, source);
  const outcome = compileScript(source, file, { modulePath: trickleModulePath(file, shared) }).instantiate().run({ data: 3, meta: {}, ingestNs: 0 });
  return outcome.kind === 'emit' ? outcome.data : outcome.kind;
}

describe('module path', () => {
  it("searches the built-in modules, then the file's directory, then TREMOR_PATH", () => {
    const script = join(own, 'script.tremor');
    expect(run(script, 'use lib::names;\nnames::place')).toBe('own dir');
    expect(run(script, 'use lib::only_shared as s;\ns::twice(event)')).toBe(6);
    expect(run(script, 'use std::string;\nstring::len("abc")')).toBe(3);
    // Tremor's own std lib files declare its built-in functions as intrinsics: rill's come first.
    mkdirSync(join(shared, 'std'), { recursive: true });
    writeFileSync(join(shared, 'std', 'string.tremor'), 'intrinsic fn len(s) as string::len;\n');
    expect(run(script, 'use std::string;\nstring::len("abcd")')).toBe(4);
    expect(trickleModulePath(script, `${shared}:/does/not/exist`).map((mount) => mount.dir)).toEqual([own, shared]);
  });

  it("reports a missing module before a syntax error, as Tremor's preprocessor does, in the file it is in", () => {
    const script = join(own, 'syntax-after-use.tremor');
    writeFileSync(script, 'use lib::missing;\nlet = 1;\n');
    const options = { modulePath: trickleModulePath(script, shared) };
    const missing = compileFailure(() => compileScript('use lib::missing;\nlet = 1;\n', script, options));
    expect(missing.message).toMatch(/^Module `lib\/missing` not found or not readable error in module path: /);
    expect(missing.span.line).toBe(1);
    writeFileSync(join(shared, 'lib', 'uses_missing.tremor'), 'const a = 1;\nuse nowhere;\n');
    const nested = compileFailure(() => compileScript('use lib::uses_missing;\nlet = 1;\n', script, options));
    expect([nested.inModuleFile, nested.span.line, nested.message.slice(0, 25)]).toEqual([join(shared, 'lib', 'uses_missing.tremor'), 2, 'Module `nowhere` not foun']);
    // Without the `use` problem, the syntax error is what is reported.
    expect(compileFailure(() => compileScript('use lib::names;\nlet = 1;\n', script, options)).message).toMatch(/^Found the token `=`/);
  });

  it("passes on a used file's warnings, rendered against that file", () => {
    writeFileSync(join(shared, 'lib', 'warns.tremor'), 'fn f(x) with\n  match x of case 1 => "one" end\nend;\n');
    const script = join(own, 'uses-warns.tremor');
    const source = 'use lib::warns;\nwarns::f(1)\n';
    writeFileSync(script, source);
    const [warning] = compileScript(source, script, { modulePath: trickleModulePath(script, shared) }).warnings;
    expect(warning?.message).toMatch(/^This match expression has no default clause/);
    expect(renderDiagnostic(warning, source)).toContain('    2 |   match x of case 1 => "one" end');
  });

  it('finds .trickle modules for queries only', () => {
    const query = join(own, 'query.trickle');
    const source = 'use lib::defs;\ncreate script adder from defs::add;\nselect event from in into adder;\nselect event from adder into out;\n';
    writeFileSync(query, source);
    expect(compileQuery(source, query, { modulePath: trickleModulePath(query, shared) }).statements.map((statement) => statement.kind)).toContain('script');
    const script = join(own, 'uses-trickle.tremor');
    writeFileSync(script, 'use lib::defs;\n1');
    expect(compileFailure(() => compileScript('use lib::defs;\n1', script, { modulePath: trickleModulePath(script, shared) })).message).toMatch(
      /^Module `lib\/defs` not found or not readable error in module path: /,
    );
  });
});
