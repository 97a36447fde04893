/**
 * `qos::wal` configuration: validation of the `with` block, with errors that name the key.
 *
 * Tremor accepted unknown keys silently (a typo such as `max_element` gave a WAL without that
 * limit); rill rejects them and suggests the nearest valid key.
 */
import { nearestName } from '../../../engine/nearest-name.ts';
import { OperatorConfigError } from '../../operator.ts';
import { FloatValue, type Value } from '../../../queries/values/value.ts';

export interface WalConfig {
  /** Most stored events emitted per read (per incoming event, tick or landed commit). */
  readCount: number;
  maxElements?: number;
  maxBytes?: number;
  /** Where the LMDB environment lives; undefined = the context's data dir or a temporary store. */
  dir?: string;
  /** Accepted for Tremor compatibility; rill is durable before every ack anyway. */
  flushOnEvent: boolean;
  /** rill extension: most events emitted and not yet acked or failed. Unbounded by default (Tremor). */
  maxInFlight?: number;
  /**
   * rill extension: how many times an event is emitted and failed downstream before it is
   * dead-lettered (sent to the `err` port and `deadLetter`, then deleted). Default DEFAULT_MAX_ATTEMPTS.
   */
  maxAttempts: number;
  /** rill extension: a file that gets one JSON line per dead-lettered event (appended, fsynced). */
  deadLetter?: string;
  /**
   * rill extension: milliseconds the first re-send after a fail waits; each further failure of the
   * event doubles it, up to RESEND_BACKOFF_CAP_MS (or this value if larger). 0: re-sent at the next read.
   */
  resendBackoffMs: number;
}

/** Tremor re-sent a failing event for ever; five attempts ride out a sink's brief hiccup. */
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RESEND_BACKOFF_MS = 50;
export const RESEND_BACKOFF_CAP_MS = 2000;

const INTEGER_KEYS = ['read_count', 'max_elements', 'max_bytes', 'max_in_flight', 'max_attempts', 'resend_backoff_ms'] as const;
const STRING_KEYS = ['dir', 'dead_letter'] as const;
const VALID_KEYS = [...INTEGER_KEYS, ...STRING_KEYS, 'flush_on_evnt'] as const;

export const MISSING_LIMIT_MESSAGE = 'WAL operator needs at least one of `max_elements` or `max_bytes` config entries.';

export function parseWalConfig(params: Record<string, Value> | undefined, nodeId: string): WalConfig {
  if (params === undefined) throw new OperatorConfigError(`Operator config for ${nodeId} is missing`);
  for (const key of Object.keys(params)) {
    if (!(VALID_KEYS as readonly string[]).includes(key)) {
      const suggestion = nearestName(key, VALID_KEYS);
      const hint = suggestion ? `; did you mean \`${suggestion}\`?` : `; valid keys: ${VALID_KEYS.join(', ')}`;
      throw new OperatorConfigError(`unknown qos::wal config key \`${key}\`${hint}`, key);
    }
  }
  if (params.read_count === undefined) {
    throw new OperatorConfigError('qos::wal config needs `read_count` (the most stored events emitted per read)', 'read_count');
  }
  const config: WalConfig = {
    readCount: positiveInteger(params, 'read_count'),
    flushOnEvent: false,
    maxAttempts: params.max_attempts === undefined ? DEFAULT_MAX_ATTEMPTS : positiveInteger(params, 'max_attempts'),
    resendBackoffMs: params.resend_backoff_ms === undefined ? DEFAULT_RESEND_BACKOFF_MS : positiveInteger(params, 'resend_backoff_ms', 0),
  };
  if (params.max_elements !== undefined) config.maxElements = positiveInteger(params, 'max_elements');
  if (params.max_bytes !== undefined) config.maxBytes = positiveInteger(params, 'max_bytes');
  if (params.max_in_flight !== undefined) config.maxInFlight = positiveInteger(params, 'max_in_flight');
  if (config.maxElements === undefined && config.maxBytes === undefined) {
    throw new OperatorConfigError(MISSING_LIMIT_MESSAGE);
  }
  if (params.dir !== undefined) config.dir = nonEmptyString(params, 'dir');
  if (params.dead_letter !== undefined) config.deadLetter = nonEmptyString(params, 'dead_letter');
  if (params.flush_on_evnt !== undefined) {
    if (typeof params.flush_on_evnt !== 'boolean') {
      throw new OperatorConfigError(`qos::wal config \`flush_on_evnt\` must be a boolean, got ${describe(params.flush_on_evnt)}`, 'flush_on_evnt');
    }
    config.flushOnEvent = params.flush_on_evnt;
  }
  return config;
}

function positiveInteger(params: Record<string, Value>, key: (typeof INTEGER_KEYS)[number], least = 1): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new OperatorConfigError(`qos::wal config \`${key}\` must be an integer, got ${describe(value)}`, key);
  }
  if (value < least) throw new OperatorConfigError(`qos::wal config \`${key}\` must be at least ${least}, got ${value}`, key);
  if (!Number.isSafeInteger(value)) throw new OperatorConfigError(`qos::wal config \`${key}\` is too large: ${value}`, key);
  return value;
}

function nonEmptyString(params: Record<string, Value>, key: (typeof STRING_KEYS)[number]): string {
  const value = params[key];
  if (typeof value !== 'string' || value === '') {
    throw new OperatorConfigError(`qos::wal config \`${key}\` must be a non-empty string, got ${describe(value)}`, key);
  }
  return value;
}

function describe(value: Value): string {
  if (value === null) return 'null';
  if (value instanceof FloatValue) return `the float ${value.value}.0`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the float ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary';
  return 'a record';
}

