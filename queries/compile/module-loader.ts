/**
 * `use a::b::c [as x];` over the module path (Tremor 0.11's preprocessor): the first
 * `a/b/c.tremor` (and, for queries, `a/b/c.trickle`) a mount holds is read and declared as the
 * module `x` (default `c`) of the module the `use` is written in, as if it were written there as
 * `mod x with … end`. A name no mount has may be one of rill's built-in function modules
 * (`std::string`, …).
 *
 * A file that uses itself, directly or through others, is Tremor's "Cyclic dependency detected:
 * a -> b -> a". An error inside a used file is reported in that file, as
 * `Error in <file>:<line>:<col>`, rendered against that file's source.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { QueryStmt, UseStmt } from '../ast.ts';
import { CompileError, Diagnostic, nowhere } from '../diagnostic.ts';
import { LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';
import { displayName, findModuleFile, type ModuleMount } from '../module-path.ts';
import { parseQuery, parseScript } from '../parse.ts';
import { SourceMap } from '../source-map.ts';
import { MODULES } from '../stdlib/index.ts';
import { CompileContext, Scope } from './context.ts';
import type { ScriptNamespace } from './namespace.ts';
import { declareModuleItem } from './modules.ts';

/** Declares a `.trickle` module's statements (its `define`s) into a namespace; see query.ts. */
export type DeclareQueryModule = (statements: QueryStmt[], context: CompileContext, namespace: ScriptNamespace) => void;

export interface ModuleLoaderOptions {
  mounts: readonly ModuleMount[];
  /** The file being compiled, if it is one: a `use` of it is a cycle. */
  mainFile?: string;
  /** Given when compiling a query: `.trickle` modules are found too. */
  declareQueryModule?: DeclareQueryModule;
}

export class ModuleLoader {
  private readonly loading: string[];
  private readonly extensions: string[];

  constructor(private readonly options: ModuleLoaderOptions) {
    this.loading = options.mainFile ? [options.mainFile] : [];
    this.extensions = options.declareQueryModule ? ['.tremor', '.trickle'] : ['.tremor'];
  }

  use(statement: UseStmt, into: ScriptNamespace, context: CompileContext): void {
    const alias = statement.alias ?? statement.path[statement.path.length - 1];
    const found = findModuleFile(this.options.mounts, statement.path, this.extensions);
    const file = found === undefined ? undefined : resolve(found);
    if (file === undefined) {
      const builtin = MODULES.get(statement.path.join('::'));
      if (!builtin) throw context.compileError(statement.loc, this.notFound(statement));
      into.modules.set(alias, builtin);
      return;
    }
    if (this.loading.includes(file)) {
      const chain = [...this.loading, file].map((each) => displayName(this.options.mounts, each)).join(' -> ');
      throw new LocatedDiagnostic(`Cyclic dependency detected: ${chain}`, nowhere(context.sourceMap.file), { first: 1, last: 0 });
    }
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw context.compileError(statement.loc, `${this.notFound(statement)}: ${(error as Error).message}`);
    }
    const module = into.child(alias);
    this.loading.push(file);
    try {
      this.declare(file, source, module);
    } finally {
      this.loading.pop();
    }
    into.modules.set(alias, module);
  }

  private declare(file: string, source: string, module: ScriptNamespace): void {
    const shown = displayName(this.options.mounts, file);
    const context = new CompileContext(new SourceMap(source, shown), true);
    try {
      if (file.endsWith('.trickle')) {
        this.options.declareQueryModule?.(parseQuery(source, shown), context, module);
        return;
      }
      const scope = new Scope(context, false, module);
      for (const item of parseScript(source, shown)) {
        if (item.kind !== 'use' && item.kind !== 'const' && item.kind !== 'function' && item.kind !== 'module') {
          throw context.compileError(item.loc, 'A module holds only `use`, `const`, `fn` and `mod` definitions');
        }
        declareModuleItem(item, scope);
      }
    } catch (error) {
      if (!(error instanceof Diagnostic)) throw error;
      // Parse errors come from the parser, not from the module's context: mark them here.
      if (error.span.line !== 0 && error.inModuleFile === undefined) {
        error.inModuleFile = shown;
        error.moduleSource = source;
      }
      throw new CompileError([error], source);
    }
  }

  private notFound(statement: UseStmt): string {
    const mounts = this.options.mounts.map((mount) => `\n                         - ${mount.label}`).join('');
    return `Module \`${statement.path.join('/')}\` not found or not readable error in module path: ${mounts}`;
  }
}
