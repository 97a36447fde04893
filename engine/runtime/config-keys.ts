/**
 * Checks a connector's `config` record against the key specs its factory declares: the one check
 * both front ends make (0.11 YAML artefacts place each problem at its YAML key, troy at the
 * `create` statement).
 */
import type { ConfigKeySpec } from '../../connectors/connector.ts';
import { FloatValue, type RecordValue, type Value } from '../../queries/values/value.ts';
import { didYouMean } from './config-error.ts';

export interface ConfigKeyProblem {
  key: string;
  /** Whether the key is missing (the problem is about the whole record, not a key in it). */
  missing: boolean;
  /** `unknown key "urll" (did you mean "url"?)`, without a `config:` prefix. */
  message: string;
}

export function configKeyProblems(config: RecordValue, keys: Readonly<Record<string, ConfigKeySpec>>): ConfigKeyProblem[] {
  const problems: ConfigKeyProblem[] = [];
  for (const [key, value] of Object.entries(config)) {
    const spec = keys[key];
    if (spec === undefined) {
      const known = Object.keys(keys);
      const hint = didYouMean(key, known) || (known.length === 0 ? ' (this type takes no config keys)' : ` (expected ${known.join(', ')})`);
      problems.push({ key, missing: false, message: `unknown key "${key}"${hint}` });
    } else if (!matchesType(value, spec.type)) {
      problems.push({ key, missing: false, message: `\`${key}\` must be ${article(spec.type)}, got ${describeValue(value)}` });
    }
  }
  for (const [key, spec] of Object.entries(keys)) {
    if (spec.required && !(key in config)) problems.push({ key, missing: true, message: `missing required key "${key}"` });
  }
  return problems;
}

function matchesType(value: Value, type: ConfigKeySpec['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) || value instanceof FloatValue;
    case 'array':
      return Array.isArray(value);
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

function article(type: ConfigKeySpec['type']): string {
  if (type === 'strings') return 'a list of strings';
  return type === 'integer' || type === 'array' ? `an ${type}` : `a ${type}`;
}

function describeValue(value: Value): string {
  if (value instanceof FloatValue) return String(value.value);
  if (value instanceof Uint8Array) return 'binary';
  return JSON.stringify(value);
}
