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
import { compileStatements, instantiateScript } from './compile/query.ts';
import { compileScriptBody } from './compile/script.ts';

export { renderDiagnostic } from './diagnostics/render.ts';

export function compileQuery(source: string, file: string): CompiledQuery {
  return asCompileError(source, () => {
    const context = new CompileContext(new SourceMap(source, file));
    const statements = compileStatements(parseQuery(source, file), context);
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

export function compileScript(source: string, file: string): CompiledScript {
  return asCompileError(source, () => {
    const context = new CompileContext(new SourceMap(source, file));
    const body = compileScriptBody(parseScript(source, file), new Scope(context, true));
    return { file, source, warnings: context.warnings, instantiate: () => instantiateScript(body, null, source) };
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
