/**
 * `group by` (Tremor v0.11 `GroupBy::generate_groups`): the groups one event belongs to, each a
 * list of values. `e` adds e's value to every group; `set(a, b)` applies its items in order;
 * `each(e)` splits every group into one per element of the array e (a record gives one per
 * `[key, value]` pair). So `set(event.a, each(event.tags))` puts an event with two tags in two
 * groups `[a, tag1]`, `[a, tag2]`.
 */
import type { GroupBy } from '../ast.ts';
import { isRecord, type Value } from '../values/value.ts';
import { typeName } from '../values/ops.ts';
import type { Env, Evaluate } from './env.ts';
import type { Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

type Expand = (groups: Value[][], env: Env) => Value[][];

export function compileGroupBy(groupBy: GroupBy, scope: Scope): (env: Env) => Value[][] {
  const plain = plainExpressions(groupBy);
  if (plain) {
    // Only expressions (the common `set(event.a, event.b)`): one group, no intermediate lists.
    const evaluators = plain.map((expr) => compileExpression(expr, scope, false).evaluate);
    if (evaluators.length === 1) {
      const [only] = evaluators;
      return (env) => [[only(env)]];
    }
    return (env) => [evaluators.map((evaluate) => evaluate(env))];
  }
  const expand = compileExpand(groupBy, scope);
  return (env) => expand([[]], env);
}

/** The group's expressions, in order, when it has no `each`; undefined otherwise. */
export function plainExpressions(groupBy: GroupBy): Array<Extract<GroupBy, { kind: 'expr' }>['expr']> | undefined {
  if (groupBy.kind === 'expr') return [groupBy.expr];
  if (groupBy.kind === 'each') return undefined;
  const all = [];
  for (const item of groupBy.items) {
    const inner = plainExpressions(item);
    if (!inner) return undefined;
    all.push(...inner);
  }
  return all;
}

function compileExpand(groupBy: GroupBy, scope: Scope): Expand {
  switch (groupBy.kind) {
    case 'expr': {
      const evaluate: Evaluate = compileExpression(groupBy.expr, scope, false).evaluate;
      return (groups, env) => {
        const value = evaluate(env);
        for (const group of groups) group.push(value);
        return groups;
      };
    }
    case 'set': {
      const items = groupBy.items.map((item) => compileExpand(item, scope));
      return (groups, env) => items.reduce((acc, item) => item(acc, env), groups);
    }
    case 'each': {
      const evaluate = compileExpression(groupBy.expr, scope, false).evaluate;
      const loc = groupBy.expr.loc;
      const context = scope.context;
      return (groups, env) => {
        const value = evaluate(env);
        let elements: Value[];
        if (Array.isArray(value)) elements = value;
        else if (isRecord(value)) elements = Object.entries(value).map(([key, v]) => [key, v]);
        else throw context.diagnostic(loc, `Conflicting types, got ${typeName(value)} but expected array or record`);
        const expanded: Value[][] = [];
        for (const group of groups) for (const element of elements) expanded.push([...group, element]);
        return expanded;
      };
    }
  }
}
