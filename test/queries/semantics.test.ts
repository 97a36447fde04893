import { describe, expect, it } from 'vitest';
import type { Value } from '../../queries/values/value.ts';
import { parseJson } from '../../queries/values/json.ts';
import { at, evaluate, runScript, runtimeError, scriptCompileFailure } from './helpers.ts';

describe('arithmetic and comparison', () => {
  it('keeps ints and floats apart; `/` is always a float', () => {
    expect(evaluate('[42 / 7, 7 / 2, 1 + 2, 1 + 2.0, 6.0, 3 * 2, -42 % -7, 1.5 * 2]')).toBe('[6.0,3.5,3,3.0,6.0,6,0,3.0]');
  });

  it('compares numbers across int and float, strings lexicographically, structures deeply', () => {
    expect(evaluate('[1 == 1.0, {"a": 1} == {"a": 1.0}, [1, 2] == [2, 1], "b" > "a", null == null, 1 == "1"]')).toBe(
      '[true,true,false,true,true,false]',
    );
  });

  it('evaluates not/and/or/xor on booleans only', () => {
    expect(evaluate('[not true, true and false, true or false, true xor true, not (false and true) == true]')).toBe(
      '[false,false,true,false,true]',
    );
    expect(at(runtimeError('let s = "x";\nnot s'))).toBe('2:5+1 The unary operation `not` is not defined for the type `string`');
  });

  it('turns type errors between literals into compile errors (constant folding)', () => {
    expect(at(scriptCompileFailure('"a" + 1'))).toBe('1:1+7 The binary operation `+` is not defined for the type `string` and `integer`');
    expect(at(scriptCompileFailure('- false'))).toBe('1:1+7 The unary operation `-` is not defined for the type `boolean`');
  });

  it('reports runtime type errors with the expression location', () => {
    expect(at(runtimeError('let a = 7;\n\na + "snot"'))).toBe('3:1+10 The binary operation `+` is not defined for the type `integer` and `string`');
    expect(at(runtimeError('let a = 1.5;\na % 2'))).toBe('2:1+5 The binary operation `%` is not defined for the type `float` and `integer`');
  });
});

describe('paths', () => {
  it('reads keys, indices and ranges; `[expr]` on records takes a string', () => {
    expect(evaluate('let k = "b"; [event.a[1], event[k], event.a[0:2], event.`doc-type`, event.doc-type]', { a: [1, 2, 3], b: 'x', 'doc-type': 'd' })).toBe(
      '[2,"x",[1,2],"d","d"]',
    );
  });

  it('fails on missing keys instead of returning null', () => {
    expect(at(runtimeError('event.badger', { snot: 7 }))).toBe('1:7+6 Trying to access a non existing event key `badger`');
    expect(at(runtimeError('$badger'))).toBe('1:2+6 Trying to access a non existing global key `badger`');
    expect(at(runtimeError('missing_var'))).toBe('1:1+11 Trying to access a non existing local key `missing_var`');
    expect(at(runtimeError('let idx = 42;\nevent[idx]', [1, 2, 3]))).toBe(
      '2:7+3 Array index out of bounds, got index 42 but expected an index in the range 0:3',
    );
  });

  it('answers present/absent without errors', () => {
    expect(evaluate('const c = 1; [present event.a, absent event.b, present event.a[5], present c, present nope, present $]', { a: [1] })).toBe(
      '[true,true,false,true,false,true]',
    );
  });

  it('assigns through `let`, creating missing records, copy-on-write', () => {
    const input = { nested: { keep: 1 } };
    const outcome = runScript('let event.nested.added = 2; let event.fresh.deep = 3; let $tag = "t"; emit event', input);
    expect(outcome).toMatchObject({ kind: 'emit', data: { nested: { keep: 1, added: 2 }, fresh: { deep: 3 } }, meta: { tag: 't' } });
    expect(input).toEqual({ nested: { keep: 1 } });
    expect(evaluate('let x = 1')).toBe('1');
    expect(runtimeError('let $ = "snot"').message).toBe("You are trying to assign to a value that isn't valid");
  });
});

describe('strings', () => {
  it('interpolates strings raw and other values as JSON', () => {
    expect(evaluate('"#{event.s}-#{event.n}-#{event.f}-#{[1, {"a": null}]}"', { s: 'x', n: 1, f: 1.5 })).toBe('"x-1-1.5-[1,{\\"a\\":null}]"');
    expect(evaluate('{"k_#{event}": "#{"#{7}"}"}', 'v')).toBe('{"k_v":"7"}');
  });
});

describe('patch and merge', () => {
  it('evaluates every operation against the original, then applies in order', () => {
    expect(evaluate('let obj = {}; patch {"c": {}} of insert "a" => obj, insert "b" => obj end')).toBe('{"c":{},"a":{},"b":{}}');
  });

  it('runs every v0.11 operation', () => {
    const script = `patch event of
      upsert "u" => null, update "x" => 2, erase "gone", move "m" => "moved", copy "moved" => "copied",
      merge "r" => {"b": 2, "a": null}, merge "new" => 5, merge => {"top": true}
    end`;
    expect(evaluate(script, { x: 1, gone: 0, m: 'mv', r: { a: 1 } })).toBe(
      '{"x":2,"r":{"b":2},"u":null,"moved":"mv","copied":"mv","new":5,"top":true}',
    );
  });

  it('copies records with a `__proto__` key as data', () => {
    const event = parseJson('{"__proto__": {"x": 1}, "b": 2}');
    expect(evaluate('patch event of insert "a" => 1 end', event)).toBe('{"__proto__":{"x":1},"b":2,"a":1}');
  });

  it('reports insert/update/merge conflicts', () => {
    expect(runtimeError('patch {"a": 1} of insert "a" => 2 end').message).toBe('The key that is supposed to be written to already exists: a');
    expect(runtimeError('patch event of update "a" => 2 end').message).toBe('The key that is supposed to be updated does not exists: a');
    expect(runtimeError('patch {"a": 1} of merge "a" => {} end').message).toBe(
      "Merge can only be performed on keys that either do not exist or are records but the key 'a' has the type integer",
    );
    expect(at(runtimeError('let event = merge event of {"snot": "badger"} end', 42))).toBe('1:19+5 Conflicting types, got integer but expected record');
  });
});

describe('scripts: match, emit, drop, state, const', () => {
  it('takes the first matching clause, binds names, checks record patterns and guards', () => {
    const script = `match event of
      case %{ a == 1, present b } => "first"
      case r = %{ present a, a > 1 } when r.a < 10 => r.a
      case 42 => "answer"
      case _ => "other"
    end`;
    expect(([{ a: 1, b: 0 }, { a: 5 }, 42, 'x'] as Value[]).map((event) => evaluate(script, event))).toEqual(['"first"', '5', '"answer"', '"other"']);
    expect(runtimeError('match true of case false => 1 end').message).toBe('A match expression executed but no clause matched');
  });

  it('ends early on emit and drop, routes emit to a port', () => {
    expect(evaluate('emit 1; 2')).toBe('1');
    expect(evaluate('drop; 2')).toBe('<drop>');
    expect(runScript('emit event => "other"', 3)).toMatchObject({ kind: 'emit', port: 'other', data: 3 });
  });

  it('keeps state per instance across events', async () => {
    const { compileScript } = await import('../../queries/index.ts');
    const instance = compileScript('let state = match state of case null => 1 default => state + 1 end; state', 't').instantiate();
    const values = [0, 1, 2].map((i) => instance.run({ data: i, meta: {}, ingestNs: i }));
    expect(values.map((outcome) => (outcome.kind === 'emit' ? outcome.data : undefined))).toEqual([1, 2, 3]);
  });

  it('requires constants for const and rejects redeclaration', () => {
    expect(evaluate('const a = 2; const b = a * 3; b')).toBe('6');
    expect(at(scriptCompileFailure('const one = 1;\nconst one = "two";'))).toBe("2:1+17 Can't declare the constant `one` twice");
    expect(scriptCompileFailure('const x = event').message).toBe("The expression isn't constant and can't be evaluated at compile time");
  });
});

describe('standard library', () => {
  it('needs `use` and checks arity and argument types', () => {
    expect(scriptCompileFailure('string::len("a")').message).toBe('Call to undefined function string::len');
    expect(scriptCompileFailure('use std::string;\nstring::len("a", "b")').message).toBe('Bad arity for function string::len/2');
    expect(at(scriptCompileFailure('use std::math;\nmath::max("snot", 7)'))).toBe('2:1+20 Bad type passed to function math::max/2');
    expect(scriptCompileFailure('use std::nope;').message).toContain('Module `std/nope` not found');
  });

  it('computes the SHOULD functions', () => {
    const script = `use std::string; use std::record; use std::array; use std::type; use std::math; use std::json;
      use std::integer; use std::float; use tremor::system as sys;
      [string::format("{}-{}", "a", 1), string::substr("héllo", 1, 3), record::keys({"a": 1}), array::flatten([1, [2, [3]]]),
       type::as_string(1.5), math::floor(1.5), json::decode("[1.0]"), integer::parse("42"), float::parse("2"), sys::instance(),
       type::is_integer(sys::ingest_ns())]`;
    expect(evaluate(script)).toBe('["a-1","él",["a"],[1,2,3],"float",1,[1.0],42,2.0,"tremor",true]');
  });
});
