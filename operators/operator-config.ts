/**
 * `with` parameters of the built-in operators: one check for all of them, the same key-spec check
 * connector configs get (engine/runtime/config-keys.ts), so an unknown key names the nearest
 * valid one and a wrong type says what it must be.
 */
import type { ConfigKeySpec } from '../connectors/connector.ts';
import { configKeyProblems } from '../engine/runtime/config-keys.ts';
import type { Value } from '../queries/values/value.ts';
import { OperatorConfigError } from './operator.ts';

export function checkOperatorConfig(
  operatorType: string,
  params: Record<string, Value> | undefined,
  keys: Readonly<Record<string, ConfigKeySpec>>,
): Record<string, Value> {
  const config = params ?? {};
  const [problem] = configKeyProblems(config, keys);
  if (problem) throw new OperatorConfigError(`${operatorType}: ${problem.message}`, problem.missing ? undefined : problem.key);
  return config;
}

/** A config value the key spec made an integer, at least `least`. */
export function atLeast(operatorType: string, config: Record<string, Value>, key: string, least: number): void {
  const value = config[key];
  if (typeof value === 'number' && value < least) throw new OperatorConfigError(`${operatorType}: \`${key}\` must be at least ${least}, got ${value}`, key);
}
