/**
 * `with` parameters of the built-in operators: one check for all of them, the key-spec check
 * connector configs get (engine/runtime/config-keys.ts), so an unknown key names the nearest
 * valid one and a wrong type says what it must be. Operators also take lists (`steps`,
 * `outputs`), which connector configs do not; those are checked here.
 */
import type { ConfigKeySpec } from '../connectors/connector.ts';
import { configKeyProblems } from '../engine/runtime/config-keys.ts';
import type { Value } from '../queries/values/value.ts';
import { OperatorConfigError } from './operator.ts';

export type OperatorKeySpec = ConfigKeySpec | { type: 'array'; required?: boolean };

export function checkOperatorConfig(
  operatorType: string,
  params: Record<string, Value> | undefined,
  keys: Readonly<Record<string, OperatorKeySpec>>,
): Record<string, Value> {
  const config = params ?? {};
  const scalarKeys: Record<string, ConfigKeySpec> = {};
  const scalars: Record<string, Value> = {};
  for (const [key, spec] of Object.entries(keys)) if (spec.type !== 'array') scalarKeys[key] = spec as ConfigKeySpec;
  for (const [key, value] of Object.entries(config)) {
    const spec = keys[key];
    if (spec?.type !== 'array') scalars[key] = value;
    else if (!Array.isArray(value)) throw new OperatorConfigError(`${operatorType}: \`${key}\` must be an array, got ${JSON.stringify(value)}`, key);
  }
  for (const [key, spec] of Object.entries(keys)) {
    if (spec.type === 'array' && spec.required && !(key in config)) throw new OperatorConfigError(`${operatorType}: missing required key "${key}"`);
  }
  const [problem] = configKeyProblems(scalars, scalarKeys);
  if (problem) throw new OperatorConfigError(`${operatorType}: ${problem.message}`, problem.missing ? undefined : problem.key);
  return config;
}

/** A config value the key spec made a number, at least `least`. */
export function atLeast(operatorType: string, config: Record<string, Value>, key: string, least: number): void {
  const value = config[key];
  if (typeof value === 'number' && value < least) throw new OperatorConfigError(`${operatorType}: \`${key}\` must be at least ${least}, got ${value}`, key);
}
