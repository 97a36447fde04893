/**
 * Property: `patch` and `merge` agree with a small, independently written model of trickle-spec §5
 * (deep clones and in-place mutation, nothing shared with the implementation) on random records
 * and random operation lists, including the operations that must fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScript } from '../../queries/index.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import type { Value } from '../../queries/values/value.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Model = { ok: Json } | { error: 'conflict' | 'exists' | 'missing' | 'merge' };

const KEYS = ['a', 'b', 'c'];

const scalar: fc.Arbitrary<Json> = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('x', 'y'), fc.constant(null), fc.boolean());
const { value: jsonValue } = fc.letrec<{ value: Json; record: Json }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('record'), fc.array(scalar, { maxLength: 2 })),
  record: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
}));
const record = fc.dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 3 });

type Operation =
  | { kind: 'insert' | 'upsert' | 'update' | 'merge'; key: string; value: Json }
  | { kind: 'erase'; key: string }
  | { kind: 'mergeAll'; value: Json }
  | { kind: 'move' | 'copy'; key: string; to: string };

const key = fc.constantFrom(...KEYS);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert' as const, 'upsert' as const, 'update' as const, 'merge' as const), key, value: jsonValue }),
  fc.record({ kind: fc.constant('erase' as const), key }),
  fc.record({ kind: fc.constant('mergeAll' as const), value: jsonValue }),
  fc.record({ kind: fc.constantFrom('move' as const, 'copy' as const), key, to: key }),
);

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function modelMerge(target: Json, spec: Json): Json {
  if (!isObject(target) || !isObject(spec)) return clone(spec);
  const result = clone(target) as { [key: string]: Json };
  for (const [k, v] of Object.entries(spec)) {
    if (v === null) delete result[k];
    else if (k in result) result[k] = modelMerge(result[k], v);
    else result[k] = clone(v);
  }
  return result;
}

function modelPatch(target: Json, operations: Operation[]): Model {
  let current = clone(target);
  for (const op of operations) {
    if (!isObject(current)) return { error: 'conflict' };
    switch (op.kind) {
      case 'insert':
        if (op.key in current) return { error: 'exists' };
        current[op.key] = clone(op.value);
        break;
      case 'upsert':
        current[op.key] = clone(op.value);
        break;
      case 'update':
        if (!(op.key in current)) return { error: 'missing' };
        current[op.key] = clone(op.value);
        break;
      case 'erase':
        delete current[op.key];
        break;
      case 'merge':
        if (!(op.key in current)) current[op.key] = modelMerge({}, op.value);
        else if (isObject(current[op.key])) current[op.key] = modelMerge(current[op.key], op.value);
        else return { error: 'merge' };
        break;
      case 'mergeAll':
        current = modelMerge(current, op.value);
        break;
      case 'move':
      case 'copy':
        if (op.to in current) return { error: 'exists' };
        if (op.key in current) {
          current[op.to] = current[op.key];
          if (op.kind === 'move') delete current[op.key];
        }
        break;
    }
  }
  return { ok: current };
}

function operationText(op: Operation): string {
  switch (op.kind) {
    case 'erase':
      return `erase "${op.key}"`;
    case 'mergeAll':
      return `merge => ${JSON.stringify(op.value)}`;
    case 'move':
    case 'copy':
      return `${op.kind} "${op.key}" => "${op.to}"`;
    default:
      return `${op.kind} "${op.key}" => ${JSON.stringify(op.value)}`;
  }
}

const ERROR_KINDS: Array<[RegExp, Model]> = [
  [/^Conflicting types/, { error: 'conflict' }],
  [/already exists/, { error: 'exists' }],
  [/does not exists/, { error: 'missing' }],
  [/^Merge can only be performed/, { error: 'merge' }],
];

function run(script: string, event: Json): Model {
  const outcome = compileScript(script, 'property.tremor').instantiate().run({ data: event as Value, meta: {}, ingestNs: 0 });
  if (outcome.kind === 'emit') return { ok: JSON.parse(stringifyJson(outcome.data)) as Json };
  if (outcome.kind === 'drop') throw new Error('unexpected drop');
  const kind = ERROR_KINDS.find(([pattern]) => pattern.test(outcome.diagnostic?.message ?? ''));
  if (!kind) throw new Error(`unexpected runtime error: ${outcome.rendered}`);
  return kind[1];
}

describe('patch and merge against a model (property)', () => {
  it('patch event of <random operations> end', () => {
    fc.assert(
      fc.property(record, fc.array(operation, { minLength: 1, maxLength: 5 }), (event, operations) => {
        const before = JSON.stringify(event);
        const actual = run(`patch event of ${operations.map(operationText).join(', ')} end`, event);
        expect(actual).toEqual(modelPatch(event, operations));
        expect(JSON.stringify(event)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('merge T of S end', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (target, spec) => {
        const expected: Model = isObject(target) && isObject(spec) ? { ok: modelMerge(target, spec) } : { error: 'conflict' };
        expect(run(`merge event of ${JSON.stringify(spec)} end`, target)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
