/**
 * `match T of case P [when G] => e, … default => e end` (trickle-spec §7): the first clause whose
 * pattern matches (and whose guard is true) wins; its last expression is the value.
 */
import type { MatchExpr, Pattern, RecordPattern } from '../ast.ts';
import { isRecord, type Value } from '../values/value.ts';
import { compareValues, INVALID, typeName, valuesEqual } from '../values/ops.ts';
import type { Env, Evaluate } from './env.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

type Test = (value: Value, env: Env) => boolean;

interface CompiledClause {
  test: Test | undefined;
  guard: Evaluate | undefined;
  guardLoc: MatchExpr['loc'];
  body: Evaluate[];
}

const NO_DEFAULT_WARNING =
  'This match expression has no default clause, if the other clauses do not cover all possibilities this will lead to events being discarded with runtime errors.';
const MULTIPLE_DEFAULTS_WARNING =
  'A match statement with more then one default clause will never reach any but the first default clause.';

export function compileMatch(expr: MatchExpr, scope: Scope, mutable: boolean): Compiled {
  const context = scope.context;
  const defaults = expr.clauses.filter((clause) => clause.pattern === undefined).length;
  if (defaults === 0) context.warn(expr.loc, NO_DEFAULT_WARNING);
  if (defaults > 1) context.warn(expr.loc, MULTIPLE_DEFAULTS_WARNING);

  const target = compileExpression(expr.target, scope, false).evaluate;
  const clauses: CompiledClause[] = expr.clauses.map((clause) => ({
    test: clause.pattern ? compilePattern(clause.pattern, scope) : undefined,
    guard: clause.guard ? compileExpression(clause.guard, scope, false).evaluate : undefined,
    guardLoc: clause.guard?.loc ?? clause.loc,
    body: clause.body.map((item) => compileExpression(item, scope, mutable).evaluate),
  }));
  const matchLoc = expr.loc;
  return {
    evaluate: (env) => {
      const value = target(env);
      for (const clause of clauses) {
        if (clause.test && !clause.test(value, env)) continue;
        if (clause.guard) {
          const passed = clause.guard(env);
          if (typeof passed !== 'boolean') {
            throw context.diagnostic(clause.guardLoc, `Conflicting types, got ${typeName(passed)} but expected boolean`, { expandLines: 2 });
          }
          if (!passed) continue;
        }
        let result: Value = null;
        for (const item of clause.body) result = item(env);
        return result;
      }
      throw context.diagnostic(matchLoc, 'A match expression executed but no clause matched', {
        expandLines: 2,
        hint: 'Consider adding a `default => null` clause at the end of your match or validate full coverage beforehand.',
      });
    },
  };
}

function compilePattern(pattern: Pattern, scope: Scope): Test {
  switch (pattern.kind) {
    case 'any':
      return () => true;
    case 'expr': {
      const expected = compileExpression(pattern.expr, scope, false).evaluate;
      return (value, env) => valuesEqual(value, expected(env));
    }
    case 'bind': {
      if (!scope.localsAllowed) throw scope.context.compileError(pattern.loc, 'Local variables are not allowed here');
      const inner = compilePattern(pattern.pattern, scope);
      const slot = scope.slotOf(pattern.name);
      return (value, env) => {
        if (!inner(value, env)) return false;
        env.locals[slot] = value;
        return true;
      };
    }
    case 'record':
      return compileRecordPattern(pattern, scope);
  }
}

function compileRecordPattern(pattern: RecordPattern, scope: Scope): Test {
  const fields: Test[] = pattern.fields.map((field): Test => {
    const key = field.key;
    switch (field.kind) {
      case 'present':
        return (record) => Object.hasOwn(record as object, key);
      case 'absent':
        return (record) => !Object.hasOwn(record as object, key);
      case 'nested': {
        const nested = compileRecordPattern(field.pattern, scope);
        return (record, env) => Object.hasOwn(record as object, key) && nested((record as Record<string, Value>)[key], env);
      }
      case 'compare': {
        const expected = compileExpression(field.expr, scope, false).evaluate;
        const accept = ORDER_TESTS[field.op];
        return (record, env) => {
          if (!Object.hasOwn(record as object, key)) return false;
          const actual = (record as Record<string, Value>)[key];
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
    if (!isRecord(value)) return false;
    for (const field of fields) if (!field(value, env)) return false;
    return true;
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
