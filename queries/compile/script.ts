/**
 * Script bodies (a `.tremor` file, or `define script … script … end`): `use`, `const` and
 * expressions in order. The value of the last expression is emitted unless `emit` or `drop` ends
 * the script first (trickle-spec §7).
 */
import type { ScriptItem } from '../ast.ts';
import type { Value } from '../values/value.ts';
import { isScriptExit, type Env, type Evaluate } from './env.ts';
import type { Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { declareModuleItem } from './modules.ts';

export type ScriptResult = { kind: 'emit'; value: Value; port: string } | { kind: 'drop' };

export interface CompiledScriptBody {
  localCount: number;
  /** Runs the body; `env.event`, `env.meta`, `env.state` hold the results of assignments afterwards. */
  run(env: Env): ScriptResult;
}

export function compileScriptBody(items: ScriptItem[], scope: Scope): CompiledScriptBody {
  const steps: Evaluate[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'use':
      case 'const':
      case 'function':
      case 'module': {
        const declared = declareModuleItem(item, scope);
        // A const is an expression too: as the last item its value is the script's result.
        if (declared) steps.push(() => declared.value);
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
