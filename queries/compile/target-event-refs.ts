/**
 * In a windowed select the target is evaluated once per window, not per event, so `event` and
 * `$` may only appear inside aggregate arguments — or inside an expression of the `group by`,
 * which is the same for the whole group: such an expression is rewritten to read the group value
 * (`group[i]`), as Tremor's `TargetEventRef` does. Anything else is Tremor's error, with its NOTE.
 */
import type { Expr, GroupBy, Loc, PathExpr } from '../ast.ts';
import type { CompileContext } from './context.ts';
import { isAggregateCall } from './aggregate-calls.ts';

const HINT =
  'Here you operate in the whole window, not a single event. You need to wrap this reference in an aggregate function (e.g. aggr::win::last(...)) or use it in the group by clause of this query.';

/** The target with group-by expressions replaced by `group[i]`; throws on any other event reference. */
export function rewriteTargetEventRefs(target: Expr, groupBy: GroupBy | undefined, context: CompileContext): Expr {
  const groupExprs = groupBy ? groupElements(groupBy) : [];
  const keys = groupExprs.map((expr) => (expr ? shapeOf(expr) : undefined));
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const candidate = node as { kind?: string; loc?: Loc };
    if (candidate.kind === 'invoke' && isAggregateCall(node as never)) return node;
    // Any expression of the group by, not just a path: `not event.b` in the target reads the
    // group value when the group is `set(..., not event.b)`.
    if (candidate.kind !== undefined && candidate.loc !== undefined && keys.length > 0) {
      const index = keys.indexOf(shapeOf(node as Expr));
      if (index >= 0) return groupRead(index, candidate.loc);
    }
    if (candidate.kind === 'path' && isEventRef(node as PathExpr)) {
      throw context.diagnostic((node as PathExpr).loc, 'References to `event` or `$` are not allowed in this context', { hint: HINT });
    }
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = visit(value);
    return copy;
  };
  return visit(target) as Expr;
}

function isEventRef(path: PathExpr): boolean {
  return path.root === 'event' || path.root === 'meta';
}

/** One entry per element of the group value: its expression, or undefined for an `each`. */
function groupElements(groupBy: GroupBy): Array<Expr | undefined> {
  if (groupBy.kind === 'expr') return [groupBy.expr];
  if (groupBy.kind === 'each') return [undefined];
  return groupBy.items.flatMap(groupElements);
}

/** An expression's structure without positions, to compare two expressions. */
function shapeOf(expr: Expr): string {
  return JSON.stringify(expr, (key, value) => (key === 'loc' || key === 'rootLoc' || key === 'nameLoc' ? undefined : value));
}

function groupRead(index: number, loc: Loc): PathExpr {
  return {
    kind: 'path',
    root: 'group',
    rootLoc: loc,
    segments: [{ kind: 'index', expr: { kind: 'literal', value: index, loc }, loc }],
    loc,
  };
}
