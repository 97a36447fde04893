/**
 * Patterns of `match` cases and function cases (Tremor 0.11's `test_predicate_expr` family):
 *
 * - `_` matches anything; an expression matches a value equal to it;
 * - `%{ … }` a record with at least the listed keys, each test passing;
 * - `%[ p, … ]` an array in which every item matches at least one element, anywhere; `%[]` any array;
 * - `%( p, … )` an array of exactly that length (at least, with `...`), matched position by position.
 *
 * A matcher returns what a `case name = pattern` binds, or NO_MATCH: the value for `_` and
 * expressions, the present and nested keys for a record pattern, `[index, value]` of every match
 * for an array pattern (in pattern order), the matched elements for a tuple pattern. When nothing
 * binds the result (`resultNeeded` false) none is built and an array search stops at its first hit.
 */
import type { PredicatePattern, RecordPattern } from '../ast.ts';
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import { compareValues, INVALID, setKey, valuesEqual } from '../values/ops.ts';
import type { Env } from './env.ts';
import type { Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

export const NO_MATCH: unique symbol = Symbol('no match');
export type Matcher = (value: Value, env: Env) => Value | typeof NO_MATCH;

/** What a matcher returns for a match when no result is needed. */
const MATCHED: Value = true;

export function compilePredicate(pattern: PredicatePattern, scope: Scope, resultNeeded: boolean): Matcher {
  switch (pattern.kind) {
    case 'any':
      return (value) => value;
    case 'expr': {
      const expected = compileExpression(pattern.expr, scope, false).evaluate;
      return (value, env) => {
        const other = expected(env);
        return valuesEqual(value, other) ? other : NO_MATCH;
      };
    }
    case 'record':
      return compileRecordPattern(pattern, scope, resultNeeded);
    case 'array':
      return compileArrayPattern(pattern.items, scope, resultNeeded);
    case 'tuple':
      return compileTuplePattern(pattern.items, pattern.open, scope, resultNeeded);
  }
}

function compileArrayPattern(items: PredicatePattern[], scope: Scope, resultNeeded: boolean): Matcher {
  if (items.length === 0) return (value) => (Array.isArray(value) ? [] : NO_MATCH);
  const matchers = items.map((item) => (item.kind === 'any' ? undefined : compilePredicate(item, scope, resultNeeded)));
  return (value, env) => {
    if (!Array.isArray(value)) return NO_MATCH;
    const found: Value[] = [];
    for (const matcher of matchers) {
      // `_` matches any element: only an empty array has none.
      if (matcher === undefined) {
        if (value.length === 0) return NO_MATCH;
        continue;
      }
      let matched = false;
      for (let index = 0; index < value.length; index++) {
        const result = matcher(value[index], env);
        if (result === NO_MATCH) continue;
        matched = true;
        if (!resultNeeded) break;
        found.push([index, result]);
      }
      if (!matched) return NO_MATCH;
    }
    return resultNeeded ? found : MATCHED;
  };
}

function compileTuplePattern(items: PredicatePattern[], open: boolean, scope: Scope, resultNeeded: boolean): Matcher {
  const matchers = items.map((item) => compilePredicate(item, scope, resultNeeded));
  return (value, env) => {
    if (!Array.isArray(value)) return NO_MATCH;
    if (open ? value.length < matchers.length : value.length !== matchers.length) return NO_MATCH;
    const found: Value[] = [];
    for (let i = 0; i < matchers.length; i++) {
      const result = matchers[i](value[i], env);
      if (result === NO_MATCH) return NO_MATCH;
      if (resultNeeded) found.push(result);
    }
    return resultNeeded ? found : MATCHED;
  };
}

type FieldMatcher = (record: RecordValue, env: Env, found: RecordValue | undefined) => boolean;

function compileRecordPattern(pattern: RecordPattern, scope: Scope, resultNeeded: boolean): Matcher {
  const fields = pattern.fields.map((field): FieldMatcher => {
    const key = field.key;
    switch (field.kind) {
      case 'present':
        return (record, _env, found) => {
          if (!Object.hasOwn(record, key)) return false;
          if (found) setKey(found, key, record[key]);
          return true;
        };
      case 'absent':
        return (record) => !Object.hasOwn(record, key);
      case 'nested': {
        const nested = compilePredicate(field.pattern, scope, resultNeeded);
        return (record, env, found) => {
          if (!Object.hasOwn(record, key)) return false;
          const result = nested(record[key], env);
          if (result === NO_MATCH) return false;
          if (found) setKey(found, key, result);
          return true;
        };
      }
      case 'compare': {
        const expected = compileExpression(field.expr, scope, false).evaluate;
        const accept = ORDER_TESTS[field.op];
        return (record, env) => {
          if (!Object.hasOwn(record, key)) return false;
          const actual = record[key];
          const other = expected(env);
          if (field.op === '==') return valuesEqual(actual, other);
          if (field.op === '!=') return !valuesEqual(actual, other);
          const order = compareValues(actual, other);
          return order !== INVALID && accept(order);
        };
      }
    }
  });
  return (value, env) => {
    if (!isRecord(value)) return NO_MATCH;
    const found: RecordValue | undefined = resultNeeded ? {} : undefined;
    for (const field of fields) if (!field(value, env, found)) return NO_MATCH;
    return found ?? MATCHED;
  };
}

const ORDER_TESTS: Record<string, (order: number) => boolean> = {
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '==': () => false,
  '!=': () => false,
};
