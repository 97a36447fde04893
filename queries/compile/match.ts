/**
 * `match T of case P [when G] => e, … default => e end` (trickle-spec §7): the first clause whose
 * pattern matches (and whose guard is true) wins; its last expression is the value.
 */
import type { Expr, MatchClause, MatchExpr } from '../ast.ts';
import type { Value } from '../values/value.ts';
import { typeName } from '../values/ops.ts';
import type { Env, Evaluate } from './env.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { compilePredicate, NO_MATCH } from './patterns.ts';

type Test = (value: Value, env: Env) => boolean;

interface CompiledClause {
  test: Test | undefined;
  guard: Guard | undefined;
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
  const clauses: CompiledClause[] = expr.clauses.map((clause) => compileClause(clause, scope, mutable));
  const matchLoc = expr.loc;
  return {
    evaluate: (env) => {
      const value = target(env);
      for (const clause of clauses) {
        if (clause.test && !clause.test(value, env)) continue;
        if (clause.guard && !clause.guard(env)) continue;
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

/**
 * A case's pattern, guard and body. A `case name = pattern` binding gets a fresh local that only
 * this case's guard and body see (Tremor's shadow variable): an outer local of the same name keeps
 * its value, and later cases see the outer one.
 */
/** A `when` guard: must be a boolean (Tremor's "Conflicting types, got … but expected boolean"). */
export type Guard = (env: Env) => boolean;

export function compileGuard(guard: Expr, scope: Scope): Guard {
  const evaluate = compileExpression(guard, scope, false).evaluate;
  const { context } = scope;
  const loc = guard.loc;
  return (env) => {
    const passed = evaluate(env);
    if (typeof passed !== 'boolean') throw context.diagnostic(loc, `Conflicting types, got ${typeName(passed)} but expected boolean`, { expandLines: 2 });
    return passed;
  };
}

function compileClause(clause: MatchClause, scope: Scope, mutable: boolean): CompiledClause {
  const compileRest = (test: Test | undefined): CompiledClause => ({
    test,
    guard: clause.guard ? compileGuard(clause.guard, scope) : undefined,
    body: clause.body.map((item) => compileExpression(item, scope, mutable).evaluate),
  });
  const pattern = clause.pattern;
  if (pattern === undefined) return compileRest(undefined);
  if (pattern.kind !== 'bind') {
    const matcher = compilePredicate(pattern, scope, false);
    return compileRest((value, env) => matcher(value, env) !== NO_MATCH);
  }
  if (!scope.localsAllowed) throw scope.context.compileError(pattern.loc, 'Local variables are not allowed here');
  const inner = pattern.pattern;
  if (inner.kind === 'bind') throw scope.context.compileError(inner.loc, 'A pattern binds one name: `case name = pattern`');
  return scope.shadow(pattern.name, (slot) => {
    const matcher = compilePredicate(inner, scope, true);
    return compileRest((value, env) => {
      const result = matcher(value, env);
      if (result === NO_MATCH) return false;
      env.locals[slot] = result;
      return true;
    });
  });
}
