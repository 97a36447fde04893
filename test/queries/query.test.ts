import { describe, expect, it } from 'vitest';
import { compileQuery, renderDiagnostic } from '../../queries/index.ts';
import type { ScriptStatement, SelectStatement } from '../../queries/compiled-query.ts';
import { at, queryCompileFailure } from './helpers.ts';

function select(source: string, index = 0): SelectStatement {
  return compileQuery(source, 'q.trickle').statements.filter((s): s is SelectStatement => s.kind === 'select')[index];
}

describe('query statements', () => {
  it('classifies selects as passthrough, simple or normal', () => {
    expect(select('select event from in into out').shape).toBe('passthrough');
    expect(select('select event from in where event > 1 into out having true').shape).toBe('simple');
    expect(select('select event.a from in into out').shape).toBe('normal');
  });

  it('runs where before the target and having on the output, with no metadata', () => {
    const run = select('select {"v": event.v} from in where event.v > 1 into out having event.v < 5').run;
    expect([1, 2, 9].map((v) => run({ data: { v }, meta: {}, ingestNs: 0 }))).toEqual([undefined, { v: 2 }, undefined]);
    expect(() => select('select event.v from in into out having $x').run({ data: { v: 1 }, meta: { x: 1 }, ingestNs: 0 })).toThrow(
      'Conflicting types, got null but expected record',
    );
    expect(() => select('select event from in where 1 into out').run({ data: 1, meta: {}, ingestNs: 0 })).toThrow(
      'Conflicting types, got integer but expected boolean',
    );
  });

  it('merges define and create params; script args overlay only when the define had `with`', () => {
    const query = compileQuery(
      `define qos::wal operator w with read_count = 2 * 10, max_elements = 5 end;
       create operator w2 from w with max_elements = 7 end;
       define script s with v = "define" script args.v end;
       create script s1 from s with v = "create" end;
       define script plain script args end;
       create script p from plain with v = 1 end;
       select event from in into w2; select event from in into s1; select event from in into p;`,
      'q',
    );
    const operator = query.statements.find((s) => s.kind === 'operator');
    expect(operator).toMatchObject({ nodeId: 'w2', operatorType: 'qos::wal', params: { read_count: 20, max_elements: 7 } });
    const run = (name: string) =>
      (query.statements.find((s) => s.kind === 'script' && s.nodeId === name) as ScriptStatement).instantiate().run({ data: 0, meta: {}, ingestNs: 0 });
    expect(run('s1')).toMatchObject({ kind: 'emit', data: 'create' });
    expect(run('p')).toMatchObject({ kind: 'emit', data: null });
  });

  it('routes a script runtime error with query-file line numbers', () => {
    const source = 'define script s\nscript\n  event.a\nend;\ncreate script s;\nselect event from in into s;\nselect event from s into out;';
    const script = compileQuery(source, 'q').statements.find((s): s is ScriptStatement => s.kind === 'script');
    const outcome = script?.instantiate().run({ data: 1, meta: {}, ingestNs: 0 });
    expect(outcome).toMatchObject({
      kind: 'error',
      data: 1,
      rendered: 'Error: \n    3 |   event.a\n      |         ^ Conflicting types, got integer but expected record\n\n',
    });
  });
});

describe('query checks', () => {
  it('reports unknown streams, in statement order for `from`, after all statements for `into`', () => {
    expect(at(queryCompileFailure('select event from nope into out;'))).toBe('1:19+4 Stream used in `from` or `into` is not defined: nope');
    expect(at(queryCompileFailure('select event from in into not_out;'))).toBe('1:27+7 Stream used in `from` or `into` is not defined: not_out');
    expect(() => compileQuery('select event from in into s; create stream s; select event from s into out;', 'q')).not.toThrow();
    expect(queryCompileFailure('select event from s into out; create stream s;').message).toContain('not defined: s');
  });

  it('rejects reserved and duplicate node names', () => {
    expect(queryCompileFailure('define script x script event end;\ncreate script metrics from x;').message).toBe(
      'Name `metrics` is reserved for built-in nodes, please use another name.',
    );
    expect(at(queryCompileFailure('define script x script event end;\ncreate script a from x;\ncreate script a from x;'))).toBe(
      '3:1+22 Name `a` is already in use for another node, please use another name.',
    );
  });

  it('rejects locals in selects and non-constant with-params', () => {
    expect(at(queryCompileFailure('select\na + b\nfrom in into out;'))).toBe('2:1+5 Local variables are not allowed here');
    expect(queryCompileFailure('define qos::wal operator w with read_count = event.x end;').message).toBe(
      "The expression isn't constant and can't be evaluated at compile time",
    );
  });

  it('rejects undefined functions and unknown modules', () => {
    expect(queryCompileFailure('select system::hostname() from in into out;').message).toBe('Call to undefined function system::hostname');
    expect(queryCompileFailure('use foo::bar;').message).toContain('Module `foo/bar` not found');
  });

  it('reports parse errors at the token found, with Tremor wording and hints', () => {
    const error = queryCompileFailure('select event from in into out where true;');
    expect(at(error)).toBe('1:31+5 Found the token `where` but expected one of `/`, `;`, `having`');
    const keyword = queryCompileFailure('use foo :: as;');
    expect(keyword.message).toBe('Found the token `as` but expected `<ident>`');
    expect(keyword.hint).toBe("It looks like you tried to use the 'as' as a ident, consider quoting it as `as` to make it an identifier.");
    expect(renderDiagnostic(keyword, 'use foo :: as;')).toBe(
      "Error: \n    1 | use foo :: as;\n      |            ^^ Found the token `as` but expected `<ident>`\n" +
        "      |               NOTE: It looks like you tried to use the 'as' as a ident, consider quoting it as `as` to make it an identifier.\n\n",
    );
  });

  it('does not accept a canonical define followed by a statement without `;`', () => {
    expect(queryCompileFailure('define qos::wal operator w with read_count = 1 end\ncreate operator w;').message).toMatch(/^Found the token `create`/);
  });
});
