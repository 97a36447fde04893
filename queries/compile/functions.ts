/**
 * Script functions (Tremor 0.11 `fn`): `fn name(a, b) with … end` runs its body; `fn name(a, b) of
 * case (p, q) when g => … default => … end` matches its arguments as a tuple against the cases;
 * `fn name(a, ...)` takes extra arguments, which its body reads as the array `args`. A function is
 * pure: it reads its arguments and constants; `event`, `$` and `state` are null inside it.
 *
 * `recur(…)` in a function calls it again with new arguments. It is run as a loop (the body ends,
 * the arguments are rebound), never by growing the JavaScript stack, and stops after Tremor's
 * recursion limit (1024) with "Recursion limit Reached" at the call of the function that recursed.
 * A function is known only after its definition, so it cannot call itself by name: `recur` is the
 * only recursion.
 */
import type { Expr, FnCase, FnDefn, InvokeExpr, Loc, RecurExpr } from '../ast.ts';
import type { Value } from '../values/value.ts';
import { nowhere } from '../diagnostic.ts';
import { LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';
import type { Env, Evaluate } from './env.ts';
import { Scope, type CompileContext, type Compiled } from './context.ts';
import { compileExpression } from './expressions.ts';
import { compilePredicate, NO_MATCH } from './patterns.ts';
import { compileGuard } from './match.ts';
import type { ScriptNamespace } from './namespace.ts';

/** Tremor's default recursion limit (`tremor_script::RECURSION_LIMIT`). */
export const RECURSION_LIMIT = 1024;

export interface ScriptFunction {
  name: string;
  /** Declared parameters; with `varargs`, any further arguments too. */
  arity: number;
  varargs: boolean;
  /** Runs the function on evaluated arguments; `caller` is the calling code's environment. */
  call(args: Value[], caller: Env): Value;
}

/** Thrown by `recur(…)`; caught by the running function's loop. A plain object: no stack is captured. */
interface Recur {
  recur: Value[];
}

/** Thrown when a function recurs past the limit; the call expression reports it. */
const RECURSION_LIMIT_REACHED = { recursionLimitReached: true } as const;

export function defineFunction(definition: FnDefn, namespace: ScriptNamespace, context: CompileContext): void {
  if (namespace.functions.has(definition.name)) {
    throw new LocatedDiagnostic(`function ${definition.name} already defined.`, nowhere(context.sourceMap.file), { first: 1, last: 0 });
  }
  const scope = new Scope(context, true, namespace);
  const arity = definition.params.length;
  for (const param of definition.params) scope.slotOf(param);
  scope.enclosingFunction = { arity, varargs: definition.varargs, loc: definition.loc };
  const body = definition.cases ? compileCases(definition.cases, definition.params, scope, definition.loc) : compileBody(definition.body ?? [], scope);
  const localCount = scope.localCount;
  namespace.functions.set(definition.name, {
    name: definition.name,
    arity,
    varargs: definition.varargs,
    call(args, caller) {
      let current = args;
      for (let calls = 1; ; calls++) {
        const locals = new Array<Value | undefined>(localCount);
        for (let i = 0; i < arity; i++) locals[i] = current[i];
        // As in Tremor (custom_fn.rs), a function sees no event, `$` or state: all are null.
        const env: Env = { event: null, meta: null, state: null, args: current.slice(arity), locals, ingestNs: caller.ingestNs };
        try {
          return body(env);
        } catch (thrown) {
          if (!isRecur(thrown)) throw thrown;
          if (calls >= RECURSION_LIMIT) throw RECURSION_LIMIT_REACHED;
          current = thrown.recur;
        }
      }
    },
  });
}

function isRecur(thrown: unknown): thrown is Recur {
  return typeof thrown === 'object' && thrown !== null && 'recur' in thrown;
}

function compileBody(body: Expr[], scope: Scope): Evaluate {
  const steps = body.map((item) => compileExpression(item, scope, true).evaluate);
  if (steps.length === 1) return steps[0];
  return (env) => {
    let last: Value = null;
    for (let i = 0; i < steps.length; i++) last = steps[i](env);
    return last;
  };
}

/** `of` cases: the arguments, as a tuple, against each case's patterns; the first match runs. */
function compileCases(cases: FnCase[], params: string[], scope: Scope, loc: Loc): Evaluate {
  const context = scope.context;
  const compiled = cases.map((fnCase) => ({
    matcher: fnCase.patterns ? compilePredicate({ kind: 'tuple', items: fnCase.patterns, open: false, loc: fnCase.loc }, scope, false) : undefined,
    guard: fnCase.guard ? compileGuard(fnCase.guard, scope) : undefined,
    body: compileBody(fnCase.body, scope),
  }));
  const arity = params.length;
  return (env) => {
    const args = env.locals.slice(0, arity) as Value[];
    for (const fnCase of compiled) {
      if (fnCase.matcher && fnCase.matcher(args, env) === NO_MATCH) continue;
      if (fnCase.guard && !fnCase.guard(env)) continue;
      return fnCase.body(env);
    }
    throw context.diagnostic(loc, 'A match expression executed but no clause matched', { expandLines: 2 });
  };
}

/** A call of a script function: arity checked here, the recursion limit reported at this call. */
export function compileFunctionCall(fn: ScriptFunction, expr: InvokeExpr, qualified: string, scope: Scope): Compiled {
  const context = scope.context;
  const count = expr.args.length;
  if (fn.varargs ? count < fn.arity : count !== fn.arity) throw context.compileError(expr.loc, `Bad arity for function ${qualified}/${count}`);
  const args = expr.args.map((arg) => compileExpression(arg, scope, false).evaluate);
  const loc = expr.loc;
  return {
    evaluate: (env) => {
      const values = new Array<Value>(args.length);
      for (let i = 0; i < args.length; i++) values[i] = args[i](env);
      try {
        return fn.call(values, env);
      } catch (thrown) {
        if (thrown === RECURSION_LIMIT_REACHED) throw context.diagnostic(loc, 'Recursion limit Reached', { expandLines: 2 });
        throw thrown;
      }
    },
  };
}

/** `recur(a, …)`: only inside a function, with as many arguments as it takes. */
export function compileRecur(expr: RecurExpr, scope: Scope): Compiled {
  const recursion = scope.enclosingFunction;
  if (!recursion) throw scope.context.compileError(expr.loc, '`recur` is only allowed inside a function');
  const count = expr.args.length;
  if (recursion.varargs ? count < recursion.arity : count !== recursion.arity) {
    throw scope.context.compileError(expr.loc, `Bad arity for function recur/${count}`);
  }
  const args = expr.args.map((arg) => compileExpression(arg, scope, false).evaluate);
  return {
    evaluate: (env) => {
      const recur: Recur = { recur: args.map((arg) => arg(env)) };
      throw recur;
    },
  };
}
