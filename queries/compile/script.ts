/**
 * Script bodies (a `.tremor` file, or `define script … script … end`): `use`, `const` and
 * expressions in order. The value of the last expression is emitted unless `emit` or `drop` ends
 * the script first (trickle-spec §7).
 */
import type { ScriptItem } from '../ast.ts';
import type { Value } from '../values/value.ts';
import { MODULES } from '../stdlib/index.ts';
import { isScriptExit, type Env, type Evaluate } from './env.ts';
import type { Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

export type ScriptResult = { kind: 'emit'; value: Value; port: string } | { kind: 'drop' };

export interface CompiledScriptBody {
  localCount: number;
  /** Runs the body; `env.event`, `env.meta`, `env.state` hold the results of assignments afterwards. */
  run(env: Env): ScriptResult;
}

export function compileScriptBody(items: ScriptItem[], scope: Scope): CompiledScriptBody {
  const context = scope.context;
  const steps: Evaluate[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'use':
        bringIntoScope(item, scope);
        break;
      case 'const': {
        if (scope.consts.has(item.name)) throw context.compileError(item.loc, `Can't declare the constant \`${item.name}\` twice`);
        const value = compileExpression(item.value, scope, false);
        if (!value.constant) throw context.compileError(item.value.loc, "The expression isn't constant and can't be evaluated at compile time");
        scope.consts.set(item.name, value.constant.value);
        // A const is an expression too: as the last item its value is the script's result.
        const constantValue = value.constant.value;
        steps.push(() => constantValue);
        break;
      }
      default:
        steps.push(compileExpression(item, scope, true).evaluate);
    }
  }
  return {
    localCount: scope.localCount,
    run(env) {
      try {
        let last: Value = null;
        for (let i = 0; i < steps.length; i++) last = steps[i](env);
        return { kind: 'emit', value: last, port: 'out' };
      } catch (thrown) {
        if (!isScriptExit(thrown)) throw thrown;
        if (thrown.exit === 'drop') return { kind: 'drop' };
        return { kind: 'emit', value: thrown.value === undefined ? env.event : thrown.value, port: thrown.port };
      }
    },
  };
}

/** `use a::b::c [as x]`: the built-in module under its last segment or alias. */
export function bringIntoScope(item: Extract<ScriptItem, { kind: 'use' }>, scope: Scope): void {
  const fullName = item.path.join('::');
  const module = MODULES.get(fullName);
  if (!module) {
    throw scope.context.compileError(
      item.loc,
      `Module \`${item.path.join('/')}\` not found or not readable error in module path: built-in modules ${[...MODULES.keys()].join(', ')}`,
    );
  }
  scope.modules.set(item.alias ?? item.path[item.path.length - 1], module);
}
