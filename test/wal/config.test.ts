import { describe, expect, it } from 'vitest';
import { OperatorConfigError } from '../../operators/operator.ts';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RESEND_BACKOFF_MS, MISSING_LIMIT_MESSAGE, parseWalConfig } from '../../operators/qos/wal/config.ts';
import { FloatValue, type Value } from '../../queries/values/value.ts';

function configError(params: Record<string, Value> | undefined): OperatorConfigError {
  try {
    parseWalConfig(params, 'on_disk_wal');
  } catch (error) {
    expect(error).toBeInstanceOf(OperatorConfigError);
    return error as OperatorConfigError;
  }
  throw new Error('expected a config error');
}

describe('qos::wal config', () => {
  it('accepts the seed configuration', () => {
    expect(parseWalConfig({ dir: 'store', read_count: 20, max_elements: 1000, max_bytes: 10485760 }, 'w')).toEqual({
      dir: 'store',
      readCount: 20,
      maxElements: 1000,
      maxBytes: 10485760,
      flushOnEvent: false,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      resendBackoffMs: DEFAULT_RESEND_BACKOFF_MS,
    });
    expect(DEFAULT_MAX_ATTEMPTS).toBe(5);
  });

  it('accepts flush_on_evnt and the max_in_flight extension', () => {
    const config = parseWalConfig({ read_count: 1, max_bytes: 10, flush_on_evnt: true, max_in_flight: 5 }, 'w');
    expect(config.flushOnEvent).toBe(true);
    expect(config.maxInFlight).toBe(5);
    expect(config.maxElements).toBeUndefined();
  });

  it('reports a missing with-block naming the node', () => {
    expect(configError(undefined).message).toBe('Operator config for on_disk_wal is missing');
  });

  it('needs one of the limits, with Tremor\'s exact message', () => {
    expect(configError({ read_count: 20 }).message).toBe(MISSING_LIMIT_MESSAGE);
    expect(MISSING_LIMIT_MESSAGE).toBe('WAL operator needs at least one of `max_elements` or `max_bytes` config entries.');
  });

  it('names a missing read_count', () => {
    const error = configError({ max_elements: 10 });
    expect(error.key).toBe('read_count');
    expect(error.message).toContain('`read_count`');
  });

  it.each([
    ['read_count', 'twenty', 'the string "twenty"'],
    ['max_elements', 1.5, 'the float 1.5'],
    ['max_bytes', new FloatValue(10), 'the float 10.0'],
    ['max_elements', true, 'the boolean true'],
    ['max_attempts', '3', 'the string "3"'],
  ] as Array<[string, Value, string]>)('rejects a wrong type for %s', (key, value, described) => {
    const error = configError({ read_count: 1, max_elements: 5, [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toBe(`qos::wal config \`${key}\` must be an integer, got ${described}`);
  });

  it.each([
    ['read_count', 0],
    ['max_elements', -3],
    ['max_bytes', 0],
    ['max_in_flight', 0],
    ['max_attempts', 0],
  ] as Array<[string, number]>)('rejects %s = %d', (key, value) => {
    const error = configError({ read_count: 1, max_elements: 5, [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toBe(`qos::wal config \`${key}\` must be at least 1, got ${value}`);
  });

  it('accepts the max_attempts and dead_letter extensions', () => {
    const config = parseWalConfig({ read_count: 1, max_elements: 5, max_attempts: 2, dead_letter: 'dead.jsonl', resend_backoff_ms: 0 }, 'w');
    expect(config.maxAttempts).toBe(2);
    expect(config.resendBackoffMs).toBe(0);
    expect(configError({ read_count: 1, max_elements: 5, resend_backoff_ms: -1 }).message).toBe('qos::wal config `resend_backoff_ms` must be at least 0, got -1');
    expect(config.deadLetter).toBe('dead.jsonl');
  });

  it.each([
    ['dead_letter', 7, 'the integer 7'],
    ['dead_letter', '', 'the string ""'],
    ['dir', false, 'the boolean false'],
  ] as Array<[string, Value, string]>)('rejects %s = %s', (key, value, described) => {
    const error = configError({ read_count: 1, max_elements: 5, [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toBe(`qos::wal config \`${key}\` must be a non-empty string, got ${described}`);
  });

  it('rejects a non-string dir and a non-boolean flush_on_evnt', () => {
    expect(configError({ read_count: 1, max_elements: 5, dir: 3 }).key).toBe('dir');
    expect(configError({ read_count: 1, max_elements: 5, flush_on_evnt: 'yes' }).key).toBe('flush_on_evnt');
  });

  it.each([
    ['max_element', 'max_elements'],
    ['readcount', 'read_count'],
    ['flush_on_event', 'flush_on_evnt'],
    ['max_byte', 'max_bytes'],
    ['directory', 'dir'],
    ['max_attempt', 'max_attempts'],
    ['deadletter', 'dead_letter'],
  ])('rejects the unknown key %s and suggests %s', (typo, suggestion) => {
    const error = configError({ read_count: 1, max_elements: 5, [typo]: 1 });
    expect(error.key).toBe(typo);
    expect(error.message).toBe(`unknown qos::wal config key \`${typo}\`; did you mean \`${suggestion}\`?`);
  });

  it('lists the valid keys when nothing is close', () => {
    const error = configError({ read_count: 1, max_elements: 5, compression: 'lz4' });
    expect(error.message).toContain('valid keys: read_count, max_elements, max_bytes, max_in_flight, max_attempts, resend_backoff_ms, dir, dead_letter, flush_on_evnt');
  });
});
