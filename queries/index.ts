/**
 * The trickle language, as the rest of rill uses it:
 * - `compileQuery(source, file)`: a `.trickle` query -> CompiledQuery (throws CompileError);
 * - `compileScript(source, file)`: a tremor-script (`.tremor`) file -> CompiledScript;
 * - `renderDiagnostic(diagnostic, source)`: Tremor's "Dumb" highlighter text.
 */
import type { CompiledQuery, ScriptInstance } from './compiled-query.ts';
import { CompileError, Diagnostic } from './diagnostic.ts';
import { parseQuery, parseScript } from './parse.ts';
import { SourceMap } from './source-map.ts';
import { CompileContext, Scope } from './compile/context.ts';
import { compileStatements, declareQueryModule, instantiateScript } from './compile/query.ts';
import { compileScriptBody } from './compile/script.ts';
import { ScriptNamespace } from './compile/namespace.ts';
import { ModuleLoader } from './compile/module-loader.ts';
import { isFile, trickleModulePath, type ModuleMount } from './module-path.ts';
import { resolve } from 'node:path';

export { renderDiagnostic } from './diagnostics/render.ts';

/** Where `use` looks, and which file is being compiled (a `use` of it is a cycle). */
export interface CompileOptions {
  /** Default: the file's directory (when `file` is a path on disk), then `TREMOR_PATH`. */
  modulePath?: readonly ModuleMount[];
  /** The compiled file on disk; default `file` when that is one. */
  path?: string;
}

export function compileQuery(source: string, file: string, options: CompileOptions = {}): CompiledQuery {
  return asCompileError(source, () => {
    const context = new CompileContext(new SourceMap(source, file));
    const namespace = new ScriptNamespace([], moduleLoader(file, options, true));
    namespace.loader?.checkUsesBeforeParsing(source, context);
    const statements = compileStatements(parseQuery(source, file), context, undefined, namespace);
    return { file, source, warnings: context.warnings, statements };
  });
}

export interface CompiledScript {
  file: string;
  source: string;
  warnings: Diagnostic[];
  /** A running instance with its own `state` (starts null, persists across events). */
  instantiate(): ScriptInstance;
}

export function compileScript(source: string, file: string, options: CompileOptions = {}): CompiledScript {
  return asCompileError(source, () => {
    const context = new CompileContext(new SourceMap(source, file));
    const namespace = new ScriptNamespace([], moduleLoader(file, options, false));
    namespace.loader?.checkUsesBeforeParsing(source, context);
    const body = compileScriptBody(parseScript(source, file), new Scope(context, true, namespace));
    return { file, source, warnings: context.warnings, instantiate: () => instantiateScript(body, null, source) };
  });
}

function moduleLoader(file: string, options: CompileOptions, query: boolean): ModuleLoader {
  const path = options.path ?? (isFile(file) ? file : undefined);
  return new ModuleLoader({
    mounts: options.modulePath ?? trickleModulePath(file),
    mainFile: path === undefined ? undefined : resolve(path),
    declareQueryModule: query ? declareQueryModule : undefined,
  });
}

function asCompileError<T>(source: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof Diagnostic) throw new CompileError([error], source);
    throw error;
  }
}
