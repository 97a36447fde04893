/**
 * Aggregate calls (`aggr::stats::sum(event.c)`) in a windowed or grouped select. Each call gets a
 * slot: its arguments are evaluated per event and accumulated into the group's state for that
 * slot; the call itself, evaluated when the window emits, reads the state's value.
 *
 * Checks, with Tremor's messages: the function exists and takes that many arguments; no aggregate
 * inside another's arguments; aggregates only where a select allows them. Tremor's spans for
 * these errors run from the start of the select to the end of the offending call (corpus
 * `aggr_arity`, `aggr_in_aggr`), so ours do too.
 */
import type { InvokeExpr, Loc } from '../ast.ts';
import { lookupAggregate, type AggregateFunction, type AggregateState } from '../aggregates/index.ts';
import type { Evaluate } from './env.ts';
import type { Value } from '../values/value.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

export interface AggregateCall {
  fn: AggregateFunction;
  /** Evaluated per event, in the event's environment. */
  args: Evaluate[];
  /** The argument values of the event being accumulated (one list, reused). */
  argv: Value[];
  loc: Loc;
}

/** Collects the aggregate calls of one select while its target (and `having`) compile. */
export class AggregateCollector {
  readonly calls: AggregateCall[] = [];
  /** Set to the emitting frame's states before the target is evaluated. */
  readonly slots: { states: AggregateState[] } = { states: [] };
  private depth = 0;

  constructor(private readonly selectStart: number) {}

  spanTo(call: InvokeExpr): Loc {
    return { start: this.selectStart, end: call.loc.end };
  }

  get insideAggregate(): boolean {
    return this.depth > 0;
  }

  compilingArguments<T>(compile: () => T): T {
    this.depth++;
    try {
      return compile();
    } finally {
      this.depth--;
    }
  }
}

export function isAggregateCall(expr: InvokeExpr): boolean {
  return expr.module.length > 0 && expr.module[0] === 'aggr';
}

export function compileAggregateCall(expr: InvokeExpr, scope: Scope): Compiled {
  const context = scope.context;
  const collector = scope.aggregates;
  const qualified = [...expr.module.slice(1), expr.name].join('::');
  if (!collector) throw context.compileError(expr.loc, `Aggregate function \`aggr::${qualified}\` can only be used in the target or \`having\` of a select`);
  if (collector.insideAggregate) throw context.compileError(collector.spanTo(expr), 'Aggregates can not be called inside of aggregates');
  const fn = expr.module.length === 2 ? lookupAggregate(expr.module[1], expr.name) : undefined;
  if (!fn) throw context.compileError(expr.loc, `Call to undefined function aggr::${qualified}`);
  const count = expr.args.length;
  if (count < fn.minArity || count > fn.maxArity) {
    throw context.compileError(collector.spanTo(expr), `Bad arity for function ${fn.name}/${fn.minArity}..=${fn.maxArity} but was called with ${count} arguments`);
  }
  const args = collector.compilingArguments(() => expr.args.map((arg) => compileExpression(arg, scope, false).evaluate));
  const slot = collector.calls.length;
  collector.calls.push({ fn, args, argv: new Array<Value>(args.length).fill(null), loc: expr.loc });
  const slots = collector.slots;
  return { evaluate: () => slots.states[slot].emit() };
}
