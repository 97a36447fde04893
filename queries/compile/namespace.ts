/**
 * What one trickle module holds (Tremor 0.11's module system): a script's or query's top level,
 * a `mod name with … end`, or a file a `use` brought in. A module owns its constants, functions
 * and sub-modules; names are looked up relative to the module they are written in and never in
 * an enclosing one (`lies::snot::fib_` written in module `badger` means `badger::lies::snot::fib_`).
 *
 * A `.trickle` module file also holds `define operator` / `define script` definitions that a
 * query's `create … from alias::name` instantiates.
 */
import type { StdModule } from '../stdlib/index.ts';
import type { Value } from '../values/value.ts';
import type { ScriptFunction } from './functions.ts';
import type { ModuleLoader } from './module-loader.ts';

export class ScriptNamespace {
  readonly consts = new Map<string, Value>();
  readonly functions = new Map<string, ScriptFunction>();
  /** Sub-modules (`mod`) and `use` aliases: module namespaces, or rill's built-in function modules. */
  readonly modules = new Map<string, ScriptNamespace | StdModule>();
  /** A `.trickle` module's definitions, by kind (`operator`, `script`, …) and name. */
  readonly definitions = new Map<string, Map<string, unknown>>();

  constructor(
    /** The module's absolute path (`a::b`), empty at the top level. */
    readonly path: readonly string[],
    /** Resolves `use` statements; absent where `use` of files is not available. */
    readonly loader?: ModuleLoader,
  ) {}

  /** A module nested in this one (`mod name` or `use … as name`). */
  child(name: string): ScriptNamespace {
    return new ScriptNamespace([...this.path, name], this.loader);
  }

  /** The module `a::b` names from here; undefined when a segment is missing. */
  moduleAt(path: readonly string[]): ScriptNamespace | StdModule | undefined {
    let current: ScriptNamespace | StdModule = this;
    for (const segment of path) {
      if (!(current instanceof ScriptNamespace)) return undefined;
      const next: ScriptNamespace | StdModule | undefined = current.modules.get(segment);
      if (next === undefined) return undefined;
      current = next;
    }
    return current;
  }

  /** `a::b::name` written here, as Tremor names it in errors: from the top level. */
  absolute(path: readonly string[], name: string): string {
    return [...this.path, ...path, name].join('::');
  }

  definitionsOf<T>(kind: string): Map<string, T> {
    let found = this.definitions.get(kind);
    if (!found) this.definitions.set(kind, (found = new Map()));
    return found as Map<string, T>;
  }
}
