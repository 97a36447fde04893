/**
 * The grammar at its ambiguity hot spots (trickle-spec §11): each must give exactly one tree
 * (parse() throws AmbiguousParseError otherwise) with the expected shape.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery, parseScript } from '../../queries/parse.ts';
import type { BinaryExpr, EmitExpr, MatchExpr, SelectStmt } from '../../queries/ast.ts';

describe('grammar', () => {
  it('ends `define script … with` params at the `script` keyword', () => {
    const [define] = parseQuery('define script s with a = 1, b = "x", script let event.a = args.a; event end;', 'q');
    expect(define).toMatchObject({ kind: 'defineScript', params: [{ name: 'a' }, { name: 'b' }], body: [{ kind: 'let' }, { kind: 'path' }] });
  });

  it('ends the seed form of operator params at the next statement keyword', () => {
    const statements = parseQuery('define a::b operator o p = 1, q = [1, 2] select event from in into out', 'q');
    expect(statements.map((statement) => statement.kind)).toEqual(['defineOperator', 'select']);
    expect(statements[0]).toMatchObject({ withoutWith: true, params: [{ name: 'p' }, { name: 'q' }] });
  });

  it('reads emit with and without a value and port', () => {
    const emits = parseScript('emit; emit event; emit => "p"; emit 1 => "q"', 's') as EmitExpr[];
    expect(emits.map((emit) => [emit.value?.kind, emit.port?.parts])).toEqual([
      [undefined, undefined],
      ['path', undefined],
      [undefined, ['p']],
      ['literal', ['q']],
    ]);
  });

  it('keeps where before into and having after it', () => {
    const [select] = parseQuery('select event from in/p where true into out/q having false;', 'q') as SelectStmt[];
    expect(select).toMatchObject({ from: { node: 'in', port: 'p' }, into: { node: 'out', port: 'q' }, where: { value: true }, having: { value: false } });
  });

  it('applies the precedence table, left-associative', () => {
    const [expr] = parseScript('not a == b or 1 + 2 * -3 - 4 > 5 xor c and d', 's') as BinaryExpr[];
    const shape = (node: unknown): unknown => {
      const n = node as { kind: string; op?: string; left?: unknown; right?: unknown; operand?: unknown; name?: string; value?: unknown };
      if (n.kind === 'binary') return [shape(n.left), n.op, shape(n.right)];
      if (n.kind === 'unary') return [n.op, shape(n.operand)];
      return n.name ?? n.value;
    };
    expect(shape(expr)).toEqual([[['not', 'a'], '==', 'b'], 'or', [[[[1, '+', [2, '*', -3]], '-', 4], '>', 5], 'xor', ['c', 'and', 'd']]]);
  });

  it('reads match clauses with guards, several effectors and defaults', () => {
    const [match] = parseScript('match x of case %{ a > 1 } when true => let y = 1, y case _ => 2 default => 3 end', 's') as MatchExpr[];
    expect(match.clauses.map((clause) => [clause.pattern?.kind, clause.guard !== undefined, clause.body.length])).toEqual([
      ['record', true, 2],
      ['any', false, 1],
      [undefined, false, 1],
    ]);
  });
});
