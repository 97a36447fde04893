/**
 * Each extractor's output shape and errors (Tremor's), through a script as a user writes it.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, scriptCompileFailure } from '../queries/helpers.ts';
import type { Value } from '../../queries/values/value.ts';

function extract(extractor: string, input: Value): string {
  return evaluate(`match event of case r = %{ f ~= ${extractor} } => r.f default => "no match" end`, { f: input });
}

describe('extractors', () => {
  it('re: named groups that took part; flags and (?P<…>) in Rust syntax', () => {
    expect(extract('re|(?P<a>[a-z]+)-(?P<b>[0-9]+)?|', 'abc-')).toBe('{"a":"abc"}');
    expect(extract('re|(?i)^HELLO$|', 'hello')).toBe('{}');
    expect(extract('re|^x|', 'abc')).toBe('"no match"');
    expect(extract('re|x|', 42)).toBe('"no match"');
    expect(scriptCompileFailure('match event of case %{ f ~= re|(| } => 1 default => 2 end').message).toMatch(/^Invalid extractor re\|\(\|: /);
  });

  it('glob: whole-string match, * also across /, classes; binding true', () => {
    expect(extract('glob|a*c|', 'a/b/c')).toBe('true');
    expect(extract('glob|a?c|', 'abc')).toBe('true');
    expect(extract('glob|[!x]bc|', 'xbc')).toBe('"no match"');
    expect(extract('glob|info*|', 'information')).toBe('true');
    expect(extract('glob|*log|', 'syslog')).toBe('true');
    expect(scriptCompileFailure('match event of case %{ f ~= glob|[z-a]| } => 1 default => 2 end').message).toMatch(/^Invalid extractor glob\|\[z-a\]\|: /);
  });

  it('json, base64, kv', () => {
    expect(extract('json||', '{"a":[1,2.0]}')).toBe('{"a":[1,2.0]}');
    expect(extract('json||', '{nope')).toBe('"no match"');
    expect(extract('base64||', 'aGVsbG8=')).toBe('"hello"');
    expect(extract('base64||', 'not base64!')).toBe('"no match"');
    expect(extract('kv||', 'a:1 b:2')).toBe('{"a":"1","b":"2"}');
    expect(extract('kv|%{key}=%{val}&|', 'a=1&b=2')).toBe('{"a":"1","b":"2"}');
    expect(extract('kv||', 'nothing here')).toBe('"no match"');
  });

  it('cidr: prefix and mask; ranges; rule errors', () => {
    expect(extract('cidr||', '192.168.1.1')).toBe('{"prefix":[192,168,1,1],"mask":[255,255,255,255]}');
    expect(extract('cidr||', '10.0.0.0/8')).toBe('{"prefix":[10,0,0,0],"mask":[255,0,0,0]}');
    expect(extract('cidr|10.22.0.0/24, 10.21.1.0/24|', '10.22.0.254')).toBe('{"prefix":[10,22,0,254],"mask":[255,255,255,255]}');
    expect(extract('cidr|10.22.0.0/24, 10.21.1.0/24|', '19.22.0.254')).toBe('"no match"');
    expect(scriptCompileFailure('match event of case %{ f ~= cidr|::1/64| } => 1 default => 2 end').message).toBe(
      "Invalid extractor cidr|::1/64|: IPv6 CIDR not supported: '::1/64'",
    );
  });

  it('influx: measurement, tags, fields (floats, i integers, strings, booleans), exact ns timestamp', () => {
    expect(extract('influx||', 'weather,location=us temperature=82,n=3i,s="a \\"b\\"",ok=t 1465839830100400200')).toBe(
      '{"measurement":"weather","tags":{"location":"us"},"fields":{"temperature":82.0,"n":3,"s":"a \\"b\\"","ok":true},"timestamp":1465839830100400200}',
    );
    expect(extract('influx||', 'weather temperature=82')).toBe('{"measurement":"weather","tags":{},"fields":{"temperature":82.0},"timestamp":7}');
    expect(extract('influx||', 'not influx')).toBe('"no match"');
  });

  it('datetime: nanoseconds since the epoch, offsets honoured', () => {
    expect(extract('datetime|%Y-%m-%d %H:%M:%S|', '2019-06-20 00:00:00')).toBe('1560988800000000000');
    expect(extract('datetime|%Y-%m-%dT%H:%M:%S%.f%:z|', '2019-06-20T00:00:00.5+01:00')).toBe('1560985200500000000');
    expect(extract('datetime|%Y-%m-%d %H:%M|', 'yesterday')).toBe('"no match"');
    expect(scriptCompileFailure('match event of case %{ f ~= datetime|%Q| } => 1 default => 2 end').message).toBe(
      'Invalid extractor datetime|%Q|: unsupported datetime format specifier %Q',
    );
  });

  it('dissect: fields, skip, append, indirect keys, padding, types', () => {
    expect(extract('dissect|%{a} %{+a} %{?k}=%{&k} %{n:int}|', 'x y key=val 42')).toBe('{"a":"x y","key":"val","n":42}');
    expect(extract('dissect|%{a->} %{b}|', 'x     y')).toBe('{"a":"x","b":"y"}');
    expect(extract('dissect|%{a}:%{b}|', 'no colon')).toBe('"no match"');
  });

  it('grok: aliases at every depth, "" for those that took no part', () => {
    expect(extract('grok|%{IP:client} %{WORD:method} %{URIPATHPARAM:request}|', '55.3.244.1 GET /index.html')).toBe(
      '{"client":"55.3.244.1","method":"GET","request":"/index.html"}',
    );
    expect(extract('grok|%{URIHOST:host}|', 'example.com')).toBe('{"host":"example.com","port":""}');
    expect(extract('grok|^%{NUMBER:n}$|', 'abc')).toBe('"no match"');
    expect(scriptCompileFailure('match event of case %{ f ~= grok|%{NOPE:x}| } => 1 default => 2 end').message).toBe(
      'Invalid extractor grok|%{NOPE:x}|: The given pattern definition name "NOPE" could not be found in the definition map',
    );
  });

  it('a top-level ~ pattern tests and binds the extraction; unknown extractors are compile errors', () => {
    expect(evaluate('match event of case x = ~ re|(?P<n>[0-9]+)| => x default => "none" end', 'a12')).toBe('{"n":"12"}');
    expect(evaluate('match event of case ~ glob|a*| => "a" default => "none" end', 'abc')).toBe('"a"');
    expect(scriptCompileFailure('match event of case ~ nope|x| => 1 default => 2 end').message).toBe('Invalid extractor nope|x|: Unsupported extractor nope');
  });
});
