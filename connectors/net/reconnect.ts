/**
 * A client connector's reconnect strategy: Tremor 0.12's `reconnect` definition key.
 *
 * - `"none"` (Tremor's default): when an established connection is lost, one attempt after
 *   1000 ms; a failed attempt, the very first connect included, is not retried (the connector
 *   stays down and fails what it is sent).
 * - `{"retry": {"interval_ms": N, "growth_rate": 1.5, "max_retries": M, "randomized": true}}`:
 *   waits `interval_ms`, then each wait `growth_rate` times the previous one (with `randomized`,
 *   a random wait between that and `growth_rate` times it); after `max_retries` failed attempts in
 *   a row it gives up (omitted = never). rill bounds each wait at `MAX_RETRY_INTERVAL_MS`:
 *   Tremor's grow without limit (rate 2 from 100 ms waits over a day by the 20th retry).
 */
import type { Value } from '../../queries/values/value.ts';
import { FloatValue, isRecord } from '../../queries/values/value.ts';
import { ConnectorConfigError } from '../connector.ts';

export const MAX_RETRY_INTERVAL_MS = 30_000;
/** Tremor's `none`: the single attempt after losing a connection. */
const NONE_RECONNECT_MS = 1_000;

export type ReconnectPolicy =
  | { kind: 'none' }
  | { kind: 'retry'; intervalMs: number; growthRate: number; maxRetries?: number; randomized: boolean; maxIntervalMs: number };

const RETRY_KEYS = ['interval_ms', 'growth_rate', 'max_retries', 'randomized'];

/** Reads a troy `reconnect` value; `undefined` (not given) is `fallback`. */
export function parseReconnect(value: Value | undefined, fallback: ReconnectPolicy): ReconnectPolicy {
  if (value === undefined) return fallback;
  if (value === 'none') return { kind: 'none' };
  const retry = isRecord(value) && Object.keys(value).length === 1 ? value.retry : undefined;
  if (retry === undefined || !isRecord(retry)) {
    throw new ConnectorConfigError(`\`reconnect\` must be "none" or {"retry": {"interval_ms": ..., "growth_rate": ..., "max_retries": ..., "randomized": ...}}, got ${JSON.stringify(value)}`, 'reconnect');
  }
  for (const key of Object.keys(retry)) {
    if (!RETRY_KEYS.includes(key)) throw new ConnectorConfigError(`\`reconnect.retry\`: unknown key "${key}" (expected ${RETRY_KEYS.join(', ')})`, 'reconnect');
  }
  const intervalMs = retry.interval_ms;
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 0) {
    throw new ConnectorConfigError(`\`reconnect.retry.interval_ms\` is required: a whole number of milliseconds, got ${JSON.stringify(intervalMs ?? null)}`, 'reconnect');
  }
  const growthRate = numberOf(retry.growth_rate ?? 1.5);
  if (growthRate === undefined || growthRate < 1) throw new ConnectorConfigError(`\`reconnect.retry.growth_rate\` must be a number of at least 1, got ${JSON.stringify(retry.growth_rate)}`, 'reconnect');
  const maxRetries = retry.max_retries;
  if (maxRetries !== undefined && (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0)) {
    throw new ConnectorConfigError(`\`reconnect.retry.max_retries\` must be a whole number, got ${JSON.stringify(maxRetries)}`, 'reconnect');
  }
  const randomized = retry.randomized ?? true;
  if (typeof randomized !== 'boolean') throw new ConnectorConfigError(`\`reconnect.retry.randomized\` must be true or false, got ${JSON.stringify(randomized)}`, 'reconnect');
  return { kind: 'retry', intervalMs, growthRate, maxRetries: maxRetries as number | undefined, randomized, maxIntervalMs: Math.max(intervalMs, MAX_RETRY_INTERVAL_MS) };
}

/** A number written as an integer or a float (`2` or `2.0`). */
function numberOf(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof FloatValue) return value.value;
  return undefined;
}

/** The waits of one outage: `afterLoss` when a connection dropped, `afterFailure` when an attempt failed. */
export class Backoff {
  private failures = 0;
  private lastWaitMs = 0;

  constructor(private readonly policy: ReconnectPolicy) {}

  /** A connection came up: the next outage starts from the first wait again. */
  connected(): void {
    this.failures = 0;
  }

  /** Milliseconds until the next attempt after an established connection was lost, or undefined to give up. */
  afterLoss(): number | undefined {
    this.failures = 0;
    return this.policy.kind === 'none' ? NONE_RECONNECT_MS : this.wait();
  }

  /** Milliseconds until the next attempt after a failed one, or undefined to give up. */
  afterFailure(): number | undefined {
    return this.policy.kind === 'none' ? undefined : this.wait();
  }

  /** How many attempts in a row have failed. */
  get attempts(): number {
    return this.failures;
  }

  private wait(): number | undefined {
    const policy = this.policy;
    if (policy.kind !== 'retry') return undefined;
    if (policy.maxRetries !== undefined && this.failures >= policy.maxRetries) return undefined;
    const base = this.failures === 0 ? policy.intervalMs : this.lastWaitMs * policy.growthRate;
    this.failures++;
    const bounded = Math.min(base, policy.maxIntervalMs);
    this.lastWaitMs = bounded;
    const wait = policy.randomized ? bounded + Math.random() * (Math.min(bounded * policy.growthRate, policy.maxIntervalMs) - bounded) : bounded;
    return Math.round(wait);
  }
}
