/**
 * Tremor 0.11's language beyond the MUST/SHOULD subset: `fn` (with, of-cases, recur, varargs),
 * `mod` and `::` access, `for` comprehensions, array and tuple patterns, and the scoping of a
 * `case name = pattern` binding.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../queries/values/value.ts';
import { compileQuery } from '../../queries/index.ts';
import { at, evaluate, queryCompileFailure, runtimeError, scriptCompileFailure } from './helpers.ts';

describe('fn', () => {
  it('runs `with` bodies, `of` cases with guards, and takes extra arguments as `args`', () => {
    const fns = `
      fn add(a, b) with let c = a + b; c * 2 end;
      fn sign(n) of
        case (0) => "zero"
        case (n) when n > 0 => "positive"
        default => "negative"
      end;
      fn rest(first, ...) with [first, args] end;`;
    expect(evaluate(`${fns}\n[add(1, 2), sign(0), sign(5), sign(-5), rest(1), rest(1, 2, 3)]`)).toBe('[6,"zero","positive","negative",[1,[]],[1,[2,3]]]');
  });

  it('loops with recur up to the recursion limit, and reports the limit at the call of the recursing function', () => {
    expect(evaluate('fn count(n, acc) of case (n, acc) when n > 0 => recur(n - 1, acc + 1) default => acc end;\ncount(1000, 0)')).toBe('1000');
    expect(at(runtimeError('fn count(n, acc) of case (n, acc) when n > 0 => recur(n - 1, acc + 1) default => acc end;\ncount(2000, 0)'))).toBe(
      '2:1+14 Recursion limit Reached',
    );
  });

  it('rejects calls it cannot resolve, a second definition, recur outside a function and wrong arities', () => {
    expect(at(scriptCompileFailure('fn f() with g() end;\nf()'))).toBe('1:13+3 Call to undefined function ::g');
    // A function is known only after its definition: no call of itself by name.
    expect(scriptCompileFailure('fn f(n) with f(n) end;\n1').message).toBe('Call to undefined function ::f');
    expect(scriptCompileFailure('fn f() with 1 end;\nfn f() with 2 end;\n1').message).toBe('function f already defined.');
    expect(scriptCompileFailure('recur(1)').message).toBe('`recur` is only allowed inside a function');
    expect(scriptCompileFailure('fn f(a) with a end;\nf(1, 2)').message).toBe('Bad arity for function ::f/2');
    expect(scriptCompileFailure('fn f(a, ...) with a end;\nf()').message).toBe('Bad arity for function ::f/0');
  });

  it('keeps functions pure and ends `of` cases with exactly one default, as Tremor does', () => {
    expect(scriptCompileFailure('fn f(a) with let event.x = a end;\n1').message).toBe('A function cannot change `event`, `state` or `$`: functions are side-effect free');
    expect(scriptCompileFailure('fn f(a) with let state = a end;\n1').message).toBe('A function cannot change `event`, `state` or `$`: functions are side-effect free');
    expect(scriptCompileFailure('fn f(a) with emit a end;\n1').message).toBe('`emit` is not allowed in a function: functions return a value');
    expect(scriptCompileFailure('fn f(a) with drop end;\n1').message).toBe('`drop` is not allowed in a function: functions return a value');
    expect(at(scriptCompileFailure('fn f(a) of case (1) => 1 end;\n1'))).toMatch(/^1:26\+3 Found the token `end` but expected one of .*`case`, `default`/);
    expect(scriptCompileFailure('fn f(a) of default => 1 case (1) => 2 end;\n1').message).toMatch(/^Found the token `case` but expected one of /);
    expect(evaluate('fn f(a) of default => a end;\nf(3)')).toBe('3');
    // Inside a function `event`, `$` and `state` are null (Tremor's custom_fn.rs).
    expect(evaluate('let state = 1;\nfn f() with [event, $, state] end;\nf()', { a: 1 })).toBe('[null,null,null]');
  });
});

describe('mod', () => {
  it('nests modules, resolves names relative to the module they are written in', () => {
    const script = `
      const answer = 1;
      mod outer with
        const answer = 42;
        mod inner with
          const color = "green";
          fn paint(x) with [x, color] end;
        end;
        fn ask() with [answer, inner::color, inner::paint(answer)] end;
      end;
      [answer, outer::answer, outer::inner::color, outer::ask(), outer::inner::paint(0)]`;
    expect(evaluate(script)).toBe('[1,42,"green",[42,"green",[42,"green"]],[0,"green"]]');
  });

  it('names a missing constant by its absolute path and a missing function as written', () => {
    expect(at(scriptCompileFailure('mod a with\n  fn f() with b::c end;\nend;\n1'))).toBe('2:15+4 The constant a::b::c (absolute path) is not defined.');
    expect(scriptCompileFailure('mod a with fn f() with 1 end; end;\nmod b with fn g() with a::f() end; end;\n1').message).toBe('Call to undefined function a::f');
    expect(at(scriptCompileFailure('mod m with\nconst a = 1;\nconst a = 2;\nend;\n1'))).toBe("3:1+11 Can't declare the constant `a` twice");
  });
});

describe('mod in a query', () => {
  it('holds definitions, constants and functions that selects and creates reach through ::', () => {
    const query = compileQuery(
      `mod lib with
        const offset = 10;
        fn shift(x) with x + offset end;
        mod scripts with
          define script add with step = 1 script event + args.step end;
        end;
      end;
      create script adder from lib::scripts::add with step = 2 end;
      select lib::shift(event) + lib::offset from in into adder;
      select event from adder into out;`,
      'test.trickle',
    );
    const script = query.statements.find((statement) => statement.kind === 'script');
    expect(script?.kind === 'script' && script.instantiate().run({ data: 5, meta: {}, ingestNs: 0 })).toMatchObject({ kind: 'emit', data: 7 });
    const select = query.statements.find((statement) => statement.kind === 'select');
    expect(select?.kind === 'select' && select.run({ data: 1, meta: {}, ingestNs: 0 })).toBe(21);
  });

  it('rejects statements that are not definitions inside a module, and unknown module definitions', () => {
    expect(queryCompileFailure('mod m with select event from in into out end;\nselect event from in into out;').message).toBe(
      'A query module holds only `use`, `const`, `fn`, `mod` and `define` statements',
    );
    expect(queryCompileFailure('mod m with const a = 1 end;\ncreate script s from m::nope;\nselect event from in into s;').message).toBe(
      'Script definition `nope` is not defined',
    );
  });
});

describe('for comprehensions', () => {
  it('maps arrays (index, value) and records (key, value) through the first case whose guard passes', () => {
    const script = `[
      for event.list of case (i, v) when v > 1 => i * 10 case (i, v) when v == 0 => "zero" end,
      for event.rec of case (k, v) => "#{k}=#{v}" end
    ]`;
    expect(evaluate(script, { list: [0, 1, 2, 3], rec: { a: 1, b: 2 } })).toBe('[["zero",20,30],["a=1","b=2"]]');
  });

  it('keeps locals assigned in a case body, but not its (k, v) names', () => {
    expect(evaluate('let k = "outer";\nfor event of case (k, v) => let last = v end;\n[k, last]', ['a', 'b'])).toBe('["outer","b"]');
    expect(at(runtimeError('for event of case (k, v) => k end', 1))).toBe('1:5+5 Conflicting types, got integer but expected array or record');
  });
});

describe('array and tuple patterns', () => {
  const classify = `match event of
    case %( 1, _, ... ) => "starts with 1"
    case %( %{ present a }, %[ 2 ] ) => "record then array with 2"
    case %[ %{ a == 1 } ] => "has a == 1"
    case %[] => "other array"
    default => "not an array"
  end`;

  it('matches tuples by position (open with ...), arrays by search, and nests them', () => {
    const events: Value[] = [[1, 2], [1], [{ a: 0 }, [5, 2]], [0, { a: 1 }], [0], {}];
    expect(events.map((event) => evaluate(classify, event))).toEqual([
      '"starts with 1"',
      '"other array"',
      '"record then array with 2"',
      '"has a == 1"',
      '"other array"',
      '"not an array"',
    ]);
  });

  it('binds what Tremor binds: [index, value] for array patterns, the elements for tuples, present keys for records', () => {
    const binding = `match event of
      case x = %[ 2, 4 ] => x
      case x = %( _, 7 ) => x
      case x = %{ present a, b > 1 } => x
      default => null
    end`;
    expect(evaluate(binding, [4, 2, 2])).toBe('[[1,2],[2,2],[0,4]]');
    expect(evaluate(binding, [6, 7])).toBe('[6,7]');
    expect(evaluate(binding, { a: 1, b: 2 })).toBe('{"a":1}');
  });

  it('scopes `case name = pattern` to its case: an outer local of that name keeps its value', () => {
    // Before, the binding wrote the outer `x`: the failed first case changed it, so the second
    // case's guard saw [1] instead of 5 and the match took the default branch.
    const script = `let x = 5;
      let picked = match event of
        case x = %[ 1 ] when false => "never"
        case _ when x == 5 => "outer x"
        default => "wrong branch"
      end;
      [picked, x]`;
    expect(evaluate(script, [1])).toBe('["outer x",5]');
  });
});
