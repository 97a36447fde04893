/**
 * Deploy-time values: `with` values, arg defaults, `const`s and module functions, evaluated once
 * with the trickle expression compiler. A value may use literals, records, lists, arithmetic,
 * pure function calls, consts and `args`, never `event`, `$`, `state` or a local.
 */
import type { Expr, Loc } from '../ast.ts';
import { compileExpression } from '../compile/expressions.ts';
import { FOLDING_ENV } from '../compile/context.ts';
import type { Scope } from '../compile/context.ts';
import { compileScriptBody } from '../compile/script.ts';
import { Diagnostic } from '../diagnostic.ts';
import { FunctionError, type StdFunction } from '../stdlib/index.ts';
import type { Value } from '../values/value.ts';
import type { FnStmt } from './ast.ts';
import type { Namespace } from './namespace.ts';

const NOT_CONSTANT = "The expression isn't constant and can't be evaluated at compile time";

/** The value of `expr` in `namespace`, with `args` as what `args` reads. */
export function evaluateAtDeploy(expr: Expr, namespace: Namespace, args: Value): Value {
  return namespace.file.attribute(() => {
    const scope = namespace.scope();
    const runtimeRead = firstRuntimeRead(expr, scope);
    if (runtimeRead) throw scope.context.compileError(runtimeRead, NOT_CONSTANT);
    const compiled = compileExpression(expr, scope, false);
    return compiled.constant ? compiled.constant.value : compiled.evaluate({ ...FOLDING_ENV, args, locals: [] });
  });
}

/** Where `node` reads something only an event has (`event`, `$`, `state`, a local); undefined if nowhere. */
function firstRuntimeRead(node: unknown, scope: Scope): Loc | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const candidate = node as { kind?: string; root?: string; name?: string; module?: string[]; loc?: Loc };
  if (candidate.kind === 'path' && candidate.root !== 'args' && !candidate.module) {
    if (candidate.root !== 'local' || !scope.consts.has(candidate.name as string)) return candidate.loc;
  }
  for (const child of Object.values(node)) {
    const found = firstRuntimeRead(child, scope);
    if (found) return found;
  }
  return undefined;
}

/**
 * `fn name(a, b) with … end` as a pure function callers reach through the module's alias
 * (`nanos::from_millis(100)`). Its parameters are the body's first locals.
 */
export function moduleFunction(fn: FnStmt, namespace: Namespace): StdFunction {
  const scope = namespace.scope(true);
  for (const param of fn.params) scope.slotOf(param.name);
  const body = namespace.file.attribute(() => compileScriptBody(fn.body, scope));
  return {
    arity: fn.params.length,
    pure: true,
    call(args) {
      const locals: Array<Value | undefined> = [...args, ...new Array<undefined>(Math.max(0, body.localCount - args.length))];
      try {
        const result = body.run({ event: null, meta: {}, state: null, args: null, locals, ingestNs: 0 });
        return result.kind === 'emit' ? result.value : null;
      } catch (error) {
        // Reported at the call, in the caller's file, as a function's runtime error.
        if (error instanceof Diagnostic) throw new FunctionError('runtime', error.message);
        throw error;
      }
    },
  };
}
