/**
 * State the compile step carries: where errors point (source map), warnings found so far, and the
 * scope an expression is compiled in (modules brought in by `use`, locals, constants).
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { Loc } from '../ast.ts';
import type { StdModule } from '../stdlib/index.ts';
import type { Value } from '../values/value.ts';
import type { SourceMap } from '../source-map.ts';
import { diagnosticAt, type DiagnosticOptions, type LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';
import type { Env, Evaluate } from './env.ts';
import type { AggregateCollector } from './aggregate-calls.ts';

export class CompileContext {
  readonly warnings: Diagnostic[] = [];

  constructor(readonly sourceMap: SourceMap) {}

  diagnostic(loc: Loc, message: string, options?: DiagnosticOptions): LocatedDiagnostic {
    return diagnosticAt(this.sourceMap, loc, message, options);
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
  readonly modules = new Map<string, StdModule>();
  /** Functions called without a module path: a troy module's own `fn`s (none in trickle). */
  readonly ownFunctions: StdModule = {};
  readonly consts = new Map<string, Value>();
  private readonly localSlots = new Map<string, number>();
  /** Set while a windowed or grouped select's target compiles: where `aggr::` calls go. */
  aggregates?: AggregateCollector;

  constructor(
    readonly context: CompileContext,
    /** false in selects: `event`, `$`, `state` only. */
    readonly localsAllowed: boolean,
  ) {}

  /** The slot for a local name, assigned on first sight (an unassigned local fails at runtime). */
  slotOf(name: string): number {
    let slot = this.localSlots.get(name);
    if (slot === undefined) {
      slot = this.localSlots.size;
      this.localSlots.set(name, slot);
    }
    return slot;
  }

  get localCount(): number {
    return this.localSlots.size;
  }
}

/** A compiled expression, and its value when it is known at compile time. */
export interface Compiled {
  evaluate: Evaluate;
  constant?: { value: Value };
}

export function constant(value: Value): Compiled {
  return { evaluate: () => value, constant: { value } };
}

/** The environment constant folding runs in: a folded expression never reads it. */
export const FOLDING_ENV: Env = { event: null, meta: {}, state: null, args: null, locals: [], ingestNs: 0 };
