/**
 * `for T of case (k, v) [when G] => e, … end` (Tremor 0.11 comprehensions): for each element of
 * the array `T` (k = index) or each field of the record `T` (k = key, in the record's order) the
 * first case whose guard passes gives one element of the resulting array; an element no case
 * takes is skipped. `k` and `v` are locals of the case; a case body in statement position may
 * `let` other locals, which stay assigned after the loop.
 */
import type { ForExpr } from '../ast.ts';
import { isRecord, type Value } from '../values/value.ts';
import { typeName } from '../values/ops.ts';
import type { Env, Evaluate } from './env.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { compileGuard, type Guard } from './match.ts';

interface CompiledCase {
  keySlot: number;
  valueSlot: number;
  guard: Guard | undefined;
  body: Evaluate[];
}

export function compileComprehension(expr: ForExpr, scope: Scope, mutable: boolean): Compiled {
  const context = scope.context;
  if (!scope.localsAllowed) throw context.compileError(expr.loc, 'Local variables are not allowed here');
  const target = compileExpression(expr.target, scope, false).evaluate;
  const cases: CompiledCase[] = expr.cases.map((forCase) =>
    scope.shadow(forCase.key, (keySlot) =>
      scope.shadow(forCase.value, (valueSlot) => ({
        keySlot,
        valueSlot,
        guard: forCase.guard ? compileGuard(forCase.guard, scope) : undefined,
        body: forCase.body.map((item) => compileExpression(item, scope, mutable).evaluate),
      })),
    ),
  );
  const targetLoc = expr.target.loc;
  const step = (key: Value, value: Value, env: Env, results: Value[]): void => {
    for (const forCase of cases) {
      env.locals[forCase.keySlot] = key;
      env.locals[forCase.valueSlot] = value;
      if (forCase.guard && !forCase.guard(env)) continue;
      let result: Value = null;
      for (const item of forCase.body) result = item(env);
      results.push(result);
      return;
    }
  };
  return {
    evaluate: (env) => {
      const value = target(env);
      const results: Value[] = [];
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) step(index, value[index], env, results);
      } else if (isRecord(value)) {
        for (const key of Object.keys(value)) step(key, value[key], env, results);
      } else {
        throw context.diagnostic(targetLoc, `Conflicting types, got ${typeName(value)} but expected array or record`);
      }
      return results;
    },
  };
}
