/** std::re, std::range, std::url, std::random, tremor::origin. */
import { describe, expect, it } from 'vitest';
import { compileScript } from '../../queries/index.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import { evaluate, runtimeError, scriptCompileFailure } from './helpers.ts';

describe('std::re', () => {
  it('replaces with Rust references, tests, splits', () => {
    expect(evaluate('use std::re; re::replace("(?P<w>[a-z]+)-([0-9]+)", "ab-12 cd-34", "$2:${w}$$")')).toBe('"12:ab$ cd-34"');
    expect(evaluate('use std::re; re::replace_all("[0-9]", "a1b2", "#")')).toBe('"a#b#"');
    expect(evaluate('use std::re; [re::is_match("^a", "abc"), re::is_match("^b", "abc")]')).toBe('[true,false]');
    expect(evaluate('use std::re; re::split(" +", "this  is a")')).toBe('["this","is","a"]');
    expect(scriptCompileFailure('use std::re; re::is_match("(", "x")').message).toMatch(/^Runtime error in function re::is_match\/2: /);
  });
});

describe('std::range and std::url', () => {
  it('range is [a, b), contains checks the ends', () => {
    expect(evaluate('use std::range; [range::range(-1, 3), range::range(3, 1), range::contains(range::range(0, 3), 2), range::contains([], 1)]')).toBe(
      '[[-1,0,1,2],[],true,false]',
    );
  });

  it('url encodes all but unreserved characters and decodes', () => {
    expect(evaluate('use std::url; url::encode("a b&c=d/é!")')).toBe('"a%20b%26c%3Dd%2F%C3%A9%21"');
    expect(evaluate('use std::url; url::decode("a%20b+c")')).toBe('"a b+c"');
    expect(runtimeError('use std::url; url::decode(event)', '%zz').message).toBe('Runtime error in function url::decode/1: invalid url encoding: %zz');
  });
});

describe('std::random', () => {
  it('is deterministic per event and stays in its bounds', () => {
    const script = compileScript('use std::random; [random::integer(10, 20), random::float(2.0), random::bool(), random::string(8)]', 'r.tremor').instantiate();
    const run = (ingestNs: number): string => {
      const outcome = script.run({ data: null, meta: {}, ingestNs });
      if (outcome.kind !== 'emit') throw new Error(outcome.kind);
      return stringifyJson(outcome.data);
    };
    expect(run(5)).toBe(run(5));
    for (let ns = 0; ns < 200; ns++) {
      const [integer, float, , text] = JSON.parse(run(ns)) as [number, number, boolean, string];
      expect(integer).toBeGreaterThanOrEqual(10);
      expect(integer).toBeLessThan(20);
      expect(float).toBeGreaterThanOrEqual(0);
      expect(float).toBeLessThan(2);
      expect(text).toMatch(/^[A-Za-z0-9]{8}$/);
    }
    expect(runtimeError('use std::random; random::integer(3, 3)').message).toBe(
      'Runtime error in function random::integer/2: the lower bound 3 must be less than the upper bound 3',
    );
  });
});

describe('tremor::origin', () => {
  it('reads the event origin, null without one', () => {
    const script = compileScript('use tremor::origin; [origin::as_uri_string(), origin::port(), origin::path()]', 'o.tremor').instantiate();
    const withOrigin = script.run({ data: null, meta: {}, ingestNs: 0, origin: { scheme: 'tcp', host: 'h', port: 9, path: ['a', 'b'] } });
    expect(withOrigin.kind === 'emit' && stringifyJson(withOrigin.data)).toBe('["tcp://h:9/a/b",9,["a","b"]]');
    expect(evaluate('use tremor::origin; [origin::as_uri_string(), origin::host()]')).toBe('[null,null]');
  });
});
