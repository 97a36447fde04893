/**
 * The definitions a module holds (`use`, `const`, `fn`, `mod`), declared into the module's
 * namespace in the order written: a name is usable after its definition only.
 */
import type { ConstStmt, ModuleItem, UseStmt } from '../ast.ts';
import { MODULES } from '../stdlib/index.ts';
import type { Value } from '../values/value.ts';
import { Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { defineFunction } from './functions.ts';

const NOT_CONSTANT = "The expression isn't constant and can't be evaluated at compile time";

/** Declares one item in `scope`'s namespace; a `const` returns its value (a script's last item is its result). */
export function declareModuleItem(item: ModuleItem, scope: Scope): { value: Value } | undefined {
  const { context, namespace } = scope;
  switch (item.kind) {
    case 'use':
      useModule(item, scope);
      return undefined;
    case 'const':
      return { value: declareConst(item, scope) };
    case 'function':
      defineFunction(item, namespace, context);
      return undefined;
    case 'module': {
      const child = namespace.child(item.name);
      namespace.modules.set(item.name, child);
      const moduleScope = new Scope(context, false, child);
      for (const inner of item.items) {
        if (!isModuleItem(inner)) throw context.compileError(inner.loc, 'A module holds only `use`, `const`, `fn` and `mod` definitions');
        declareModuleItem(inner, moduleScope);
      }
      return undefined;
    }
  }
}

export function isModuleItem(item: { kind: string }): item is ModuleItem {
  return item.kind === 'use' || item.kind === 'const' || item.kind === 'function' || item.kind === 'module';
}

function declareConst(item: ConstStmt, scope: Scope): Value {
  const context = scope.context;
  if (scope.consts.has(item.name)) throw context.compileError(item.loc, `Can't declare the constant \`${item.name}\` twice`);
  const value = compileExpression(item.value, scope, false);
  if (!value.constant) throw context.compileError(item.value.loc, NOT_CONSTANT);
  scope.consts.set(item.name, value.constant.value);
  return value.constant.value;
}

/**
 * `use a::b::c [as x]`: a module file on the module path (module-loader.ts) or one of rill's
 * built-in function modules, under its last path segment or its alias.
 */
export function useModule(item: UseStmt, scope: Scope): void {
  const { namespace } = scope;
  if (namespace.loader) {
    namespace.loader.use(item, namespace, scope.context);
    return;
  }
  const module = MODULES.get(item.path.join('::'));
  if (!module) {
    throw scope.context.compileError(
      item.loc,
      `Module \`${item.path.join('/')}\` not found or not readable error in module path: built-in modules ${[...MODULES.keys()].join(', ')}`,
    );
  }
  namespace.modules.set(item.alias ?? item.path[item.path.length - 1], module);
}
