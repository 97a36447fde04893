/**
 * State the compile step carries: where errors point (source map), warnings found so far, and the
 * scope an expression is compiled in (modules brought in by `use`, locals, constants).
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { Loc } from '../ast.ts';
import type { StdModule } from '../stdlib/index.ts';
import type { Value } from '../values/value.ts';
import type { ConstantInserts } from '../compiled-query.ts';
import type { SourceMap } from '../source-map.ts';
import { diagnosticAt, type DiagnosticOptions, type LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';
import type { Env, Evaluate } from './env.ts';
import { ScriptNamespace } from './namespace.ts';
import type { AggregateCollector } from './aggregate-calls.ts';

export class CompileContext {
  readonly warnings: Diagnostic[] = [];

  constructor(
    readonly sourceMap: SourceMap,
    /** A module file a `use` brought in: its errors say so and render against its own source. */
    readonly isModuleFile = false,
  ) {}

  diagnostic(loc: Loc, message: string, options?: DiagnosticOptions): LocatedDiagnostic {
    const diagnostic = diagnosticAt(this.sourceMap, loc, message, options);
    if (this.isModuleFile) {
      diagnostic.inModuleFile = this.sourceMap.file;
      diagnostic.moduleSource = this.sourceMap.source;
    }
    return diagnostic;
  }

  /** A compile error with the default two lines of context. */
  compileError(loc: Loc, message: string, hint?: string): LocatedDiagnostic {
    return this.diagnostic(loc, message, { expandLines: 2, hint });
  }

  warn(loc: Loc, message: string, hint?: string): void {
    this.warnings.push(this.diagnostic(loc, message, { expandLines: 2, severity: 'warning', hint }));
  }
}

/**
 * Names visible to one script body or one select. Each `define script` body is its own scope and
 * needs its own `use` (trickle-spec §4.8); selects see the query's top-level `use`s.
 */
export class Scope {
  /** Built-in modules a troy file's `use` brought in (trickle's `use` fills the namespace). */
  readonly modules = new Map<string, StdModule>();
  /** Functions called without a module path: a troy module's own `fn`s (trickle's are in the namespace). */
  readonly ownFunctions: StdModule = {};
  /** Inside a function body: what `recur(…)` calls again. */
  enclosingFunction?: { arity: number; varargs: boolean; loc: Loc };
  private readonly localSlots = new Map<string, number>();
  /** Names bound by `shadow` right now (a comprehension's `case (k, v)`): usable where other locals are not. */
  private readonly bound = new Map<string, number>();
  private slotCount = 0;
  /** Set while a windowed or grouped select's target compiles: where `aggr::` calls go. */
  aggregates?: AggregateCollector;

  constructor(
    readonly context: CompileContext,
    /** false in selects: `event`, `$`, `state` only. */
    readonly localsAllowed: boolean,
    /** The module this code is written in: its constants, functions and sub-modules. */
    readonly namespace: ScriptNamespace = new ScriptNamespace([]),
  ) {}

  get consts(): Map<string, Value> {
    return this.namespace.consts;
  }

  /** The slot for a local name, assigned on first sight (an unassigned local fails at runtime). */
  slotOf(name: string): number {
    let slot = this.localSlots.get(name);
    if (slot === undefined) {
      slot = this.slotCount++;
      this.localSlots.set(name, slot);
    }
    return slot;
  }

  /**
   * Compiles `work` with `name` bound to a fresh slot, as a `case name = pattern` binding is: it is
   * seen by its own guard and body only, and an outer local of that name is left untouched.
   */
  shadow<T>(name: string, work: (slot: number) => T): T {
    const outer = this.localSlots.get(name);
    const slot = this.slotCount++;
    this.localSlots.set(name, slot);
    this.bound.set(name, (this.bound.get(name) ?? 0) + 1);
    try {
      return work(slot);
    } finally {
      if (outer === undefined) this.localSlots.delete(name);
      else this.localSlots.set(name, outer);
      const depth = this.bound.get(name)! - 1;
      if (depth === 0) this.bound.delete(name);
      else this.bound.set(name, depth);
    }
  }

  /** Whether `name` may be read here: any local in a script, in a select only a comprehension's bound names. */
  mayRead(name: string): boolean {
    return this.localsAllowed || this.bound.has(name);
  }

  get localCount(): number {
    return this.slotCount;
  }
}

/** A compiled expression, and its value when it is known at compile time. */
export interface Compiled {
  evaluate: Evaluate;
  constant?: { value: Value };
  /** A `patch event of` that only inserts constants (compiled-query.ts ConstantInserts). */
  constantInserts?: ConstantInserts;
}

export function constant(value: Value): Compiled {
  return { evaluate: () => value, constant: { value } };
}

/** The environment constant folding runs in: a folded expression never reads it. */
export const FOLDING_ENV: Env = { event: null, meta: {}, state: null, args: null, locals: [], ingestNs: 0 };
