/**
 * A select with windows, `group by` or aggregates -> WindowedSelectStatement (trickle-spec §8;
 * Tremor v0.11 `SelectStmt` with `aggregates`, `op/trickle/select.rs`). Checks, in Tremor's
 * words: no locals in `group by`; with windows, `event`/`$` in the target only inside aggregates
 * or as a `group by` expression; aggregate existence, arity, nesting (aggregate-calls.ts); the
 * windows named exist.
 */
import type { Expr, SelectStmt } from '../ast.ts';
import type { WindowedSelectStatement, StreamRef } from '../compiled-query.ts';
import type { Value } from '../values/value.ts';
import type { WindowDefinition } from '../windows/window-kinds.ts';
import type { CompileContext, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { compileGroupBy, plainExpressions } from './group-by.ts';
import { AggregateCollector, isAggregateCall } from './aggregate-calls.ts';
import { rewriteTargetEventRefs } from './target-event-refs.ts';
import { LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';

export interface WindowedSelectInputs {
  nodeId: string;
  from: StreamRef;
  into: StreamRef;
  queryScope: Scope;
  context: CompileContext;
  args: Value;
  /** Window definitions by name (`w`, or `module::w`). */
  windows: { get(name: string): WindowDefinition | undefined };
  /** Whether an expression reads a local variable (query.ts's check, shared). */
  usesLocals(node: unknown): boolean;
}

/** Whether a select needs per-group state: windows, `group by`, or an aggregate anywhere in it. */
export function needsWindowing(statement: SelectStmt): boolean {
  return (statement.windows?.length ?? 0) > 0 || statement.groupBy !== undefined || containsAggregate(statement.target) || containsAggregate(statement.having);
}

function containsAggregate(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if ((node as { kind?: string }).kind === 'invoke' && isAggregateCall(node as never)) return true;
  return Object.values(node).some(containsAggregate);
}

export function compileWindowedSelect(statement: SelectStmt, inputs: WindowedSelectInputs): WindowedSelectStatement {
  const { context, queryScope } = inputs;
  for (const clause of [statement.target, statement.where, statement.having]) {
    if (clause && inputs.usesLocals(clause)) throw context.compileError(clause.loc, 'Local variables are not allowed here');
  }
  if (statement.groupBy && inputs.usesLocals(statement.groupBy)) {
    // Tremor shows the whole select around it (corpus `local_in_group_by`).
    const lines = context.sourceMap.lines(statement.loc);
    throw new LocatedDiagnostic('Local variables are not allowed here', context.sourceMap.span(statement.groupBy.loc), lines);
  }
  const windowRefs = statement.windows ?? [];
  const windows = windowRefs.map((ref) => {
    const name = [...ref.module, ref.name].join('::');
    const definition = inputs.windows.get(name);
    if (!definition) throw context.compileError(ref.loc, `Window \`${name}\` is not defined`);
    return definition;
  });
  const targetAst: Expr = windows.length > 0 ? rewriteTargetEventRefs(statement.target, statement.groupBy, context) : statement.target;

  const collector = new AggregateCollector(statement.loc.start);
  queryScope.aggregates = collector;
  let target;
  let having;
  try {
    target = compileExpression(targetAst, queryScope, false).evaluate;
    having = statement.having ? compileExpression(statement.having, queryScope, false).evaluate : undefined;
  } finally {
    queryScope.aggregates = undefined;
  }
  const where = statement.where ? compileExpression(statement.where, queryScope, false).evaluate : undefined;
  const single = statement.groupBy ? plainExpressions(statement.groupBy) : undefined;
  const groupValue = single?.length === 1 ? compileExpression(single[0], queryScope, false).evaluate : undefined;
  const groups = statement.groupBy && !groupValue ? compileGroupBy(statement.groupBy, queryScope) : undefined;
  return {
    kind: 'windowedSelect',
    nodeId: inputs.nodeId,
    from: inputs.from,
    into: inputs.into,
    span: context.sourceMap.span(statement.loc),
    plan: {
      windows,
      aggregates: collector.calls,
      slots: collector.slots,
      groups,
      groupValue,
      where,
      target,
      having,
      whereLoc: statement.where?.loc,
      havingLoc: statement.having?.loc,
      fail: (loc, message) => context.diagnostic(loc, message),
      args: inputs.args,
    },
  };
}
