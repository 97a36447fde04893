/**
 * `use a::b::c [as x];` over the module path (Tremor 0.11's preprocessor): the first
 * `a/b/c.tremor` (and, for queries, `a/b/c.trickle`) a mount holds is read and declared as the
 * module `x` (default `c`) of the module the `use` is written in, as if it were written there as
 * `mod x with … end`. rill's built-in function modules (`std::string`, `tremor::system`, …) come
 * first: Tremor's own std lib files (on a TREMOR_PATH that names Tremor's lib directory) declare
 * those functions as `intrinsic`s, which rill provides built in.
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
import { lex } from '../lexer/lexer.ts';
import type { Token } from '../lexer/token.ts';
import { MODULES } from '../stdlib/index.ts';
import { CompileContext, Scope } from './context.ts';
import type { ScriptNamespace } from './namespace.ts';
import { declareModuleItem, isModuleItem } from './modules.ts';

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
  /** Module files declared so far, by path. */
  private readonly declared = new Map<string, ScriptNamespace>();
  /** Module files whose uses were all checked before parsing (checkUsesBeforeParsing). */
  private readonly checked = new Set<string>();

  constructor(private readonly options: ModuleLoaderOptions) {
    this.loading = options.mainFile ? [options.mainFile] : [];
    this.extensions = options.declareQueryModule ? ['.tremor', '.trickle'] : ['.tremor'];
  }

  use(statement: UseStmt, into: ScriptNamespace, context: CompileContext): void {
    const alias = statement.alias ?? statement.path[statement.path.length - 1];
    const builtin = MODULES.get(statement.path.join('::'));
    if (builtin) {
      into.modules.set(alias, builtin);
      return;
    }
    const found = findModuleFile(this.options.mounts, statement.path, this.extensions);
    if (found === undefined) throw context.compileError(statement.loc, this.notFound(statement));
    const file = resolve(found);
    if (this.loading.includes(file)) throw this.cycle(this.loading, file, context);
    // A file used again (a diamond of uses) is the module already declared: declaring it once per
    // path to it would take exponential time on a deep diamond.
    const declared = this.declared.get(file);
    if (declared) {
      into.modules.set(alias, declared);
      return;
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
      // The used file's warnings are the using file's too (each renders against its own source).
      context.warnings.push(...this.declare(file, source, module));
    } finally {
      this.loading.pop();
    }
    this.declared.set(file, module);
    into.modules.set(alias, module);
  }

  /** Declares a module file's definitions into `module`; returns its warnings. */
  private declare(file: string, source: string, module: ScriptNamespace): Diagnostic[] {
    const shown = displayName(this.options.mounts, file);
    const context = new CompileContext(new SourceMap(source, shown), true);
    try {
      if (file.endsWith('.trickle')) {
        this.options.declareQueryModule?.(parseQuery(source, shown), context, module);
        return context.warnings;
      }
      const scope = new Scope(context, false, module);
      for (const item of parseScript(source, shown)) {
        if (!isModuleItem(item)) throw context.compileError(item.loc, 'A module holds only `use`, `const`, `fn` and `mod` definitions');
        declareModuleItem(item, scope);
      }
      return context.warnings;
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

  /**
   * Tremor resolves `use` in a preprocessor, before it parses anything: a module file that is not
   * on the module path, or a cycle of uses, is reported before any syntax error, in the main file
   * or in a used one. This walks the well-formed `use a::b [as c];` statements of the source and
   * of the files they name, in order; anything else is left to the parser.
   */
  checkUsesBeforeParsing(source: string, context: CompileContext, stack: string[] = [...this.loading]): void {
    for (const statement of useStatements(source, context.sourceMap.file)) {
      if (MODULES.has(statement.path.join('::'))) continue;
      const found = findModuleFile(this.options.mounts, statement.path, this.extensions);
      if (found === undefined) throw context.compileError(statement.loc, this.notFound(statement));
      const file = resolve(found);
      if (stack.includes(file)) throw this.cycle(stack, file, context);
      // A file checked before reaches no file on the stack (it would have been a cycle then).
      if (this.checked.has(file)) continue;
      let used: string;
      try {
        used = readFileSync(file, 'utf8');
      } catch {
        continue; // reported when the module is loaded
      }
      const shown = displayName(this.options.mounts, file);
      this.checkUsesBeforeParsing(used, new CompileContext(new SourceMap(used, shown), true), [...stack, file]);
      this.checked.add(file);
    }
  }

  private cycle(stack: readonly string[], file: string, context: CompileContext): LocatedDiagnostic {
    const chain = [...stack, file].map((each) => displayName(this.options.mounts, each)).join(' -> ');
    return new LocatedDiagnostic(`Cyclic dependency detected: ${chain}`, nowhere(context.sourceMap.file), { first: 1, last: 0 });
  }

  private notFound(statement: UseStmt): string {
    const mounts = this.options.mounts.map((mount) => `\n                         - ${mount.label}`).join('');
    return `Module \`${statement.path.join('/')}\` not found or not readable error in module path: ${mounts}`;
  }
}

/** The well-formed `use a::b [as c];` statements of a source, wherever they are; none if it does not lex. */
function useStatements(source: string, file: string): UseStmt[] {
  let tokens: Token[];
  try {
    tokens = lex(source, file);
  } catch {
    return []; // the parser reports lexer errors, with their own rendering
  }
  const statements: UseStmt[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== 'USE') continue;
    const path: string[] = [];
    let at = i + 1;
    while (tokens[at]?.type === 'ident') {
      path.push(tokens[at].value as string);
      if (tokens[at + 1]?.type !== 'coloncolon') break;
      at += 2;
    }
    if (path.length === 0 || tokens[at]?.type !== 'ident') continue;
    let alias: string | undefined;
    let last = tokens[at];
    if (tokens[at + 1]?.type === 'AS' && tokens[at + 2]?.type === 'ident') {
      alias = tokens[at + 2].value as string;
      last = tokens[at + 2];
      at += 2;
    }
    if (tokens[at + 1]?.type !== 'semi') continue;
    statements.push({ kind: 'use', path, alias, loc: { start: tokens[i].offset, end: last.offset + last.text.length } });
  }
  return statements;
}
