/** std::datetime (Tremor 0.11's own unit-test vectors) and tremor::chash (jumphash's test vectors). */
import { describe, expect, it } from 'vitest';
import { evaluate, runtimeError } from './helpers.ts';

const T = '1559655782123456789';

describe('std::datetime', () => {
  it('parses with strftime formats', () => {
    expect(evaluate('use std::datetime; datetime::parse("2019-06-17T13:15:40.752Z", "%Y-%m-%dT%H:%M:%S%.3fZ")')).toBe('1560777340752000000');
    expect(evaluate('use std::datetime; datetime::parse("1983 Apr 13 12:09:14.274 +0000", "%Y %b %d %H:%M:%S%.3f %z")')).toBe('419083754274000000');
    expect(evaluate('use core::datetime; datetime::parse("1560777212", "%s")')).toBe('1560777212000000000');
    expect(runtimeError('use std::datetime; datetime::parse(event, "%Y")', 'x').message).toBe(
      'Runtime error in function datetime::parse/2: Cannot Parse x to valid timestamp',
    );
  });

  it('reads components, rounds, formats', () => {
    expect(evaluate(`use std::datetime; [datetime::hour(${T}), datetime::minute(${T}), datetime::second(${T}), datetime::millisecond(${T}), datetime::microsecond(${T}), datetime::nanosecond(${T})]`)).toBe(
      '[13,43,2,123,456,789]',
    );
    expect(evaluate('use std::datetime; [datetime::day(1555767782123456789), datetime::month(1555767782123456789), datetime::year(1555767782123456789)]')).toBe('[20,4,2019]');
    expect(evaluate(`use std::datetime; [datetime::to_nearest_millisecond(${T}), datetime::to_nearest_millisecond(123789654), datetime::to_nearest_microsecond(${T}), datetime::to_nearest_second(${T}), datetime::without_subseconds(${T})]`)).toBe(
      '[1559655782123000000,124000000,1559655782123457000,1559655782000000000,1559655782]',
    );
    expect(evaluate(`use std::datetime; [datetime::iso8601(${T}), datetime::format(1559655782123567892, "%Y-%m-%d"), datetime::format(123567892, "%Y-%m-%d")]`)).toBe(
      '["2019-06-04T13:43:02.123456789+00:00","2019-06-04","1970-01-01"]',
    );
  });

  it('reads human durations', () => {
    expect(evaluate('use std::datetime; [datetime::from_human_format("3 days"), datetime::from_human_format("59 seconds"), datetime::from_human_format("21 days 3 minutes 5 seconds"), datetime::from_human_format("1 nanosecond")]')).toBe(
      '[259200000000000,59000000000,1814585000000000,1]',
    );
    expect(runtimeError('use std::datetime; datetime::from_human_format(event)', '3').message).toBe(
      'Runtime error in function datetime::from_human_format/1: The human format 3 is invalid',
    );
  });
});

describe('tremor::chash', () => {
  it('jumps as the jumphash crate (its test vectors with keys 0, 0)', () => {
    expect(evaluate('use tremor::chash; [chash::jump_with_keys(0, 0, "test1", 10000000), chash::jump_with_keys(0, 0, "test2", 1000), chash::jump_with_keys(0, 0, "test5", 50), chash::jump_with_keys(0, 0, "", 1000)]')).toBe(
      '[8970050,10,33,392]',
    );
  });

  it('jump stays within its slots and sorted_serialize sorts keys', () => {
    for (let slots = 1; slots < 50; slots++) {
      const slot = Number(evaluate(`use tremor::chash; chash::jump(event, ${slots})`, `key-${slots}`));
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(slots);
    }
    expect(evaluate('use tremor::chash; chash::sorted_serialize({"1": [2, 1], "0": {"5": 0, "3": 4}})')).toBe('"{\\"0\\":{\\"3\\":4,\\"5\\":0},\\"1\\":[2,1]}"');
  });
});
