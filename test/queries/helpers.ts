/** Small helpers for the language tests: run a script over one event, catch compile diagnostics. */
import { compileScript, compileQuery } from '../../queries/index.ts';
import { CompileError, type Diagnostic } from '../../queries/diagnostic.ts';
import type { ScriptOutcome } from '../../queries/compiled-query.ts';
import { stringifyJson } from '../../queries/values/json.ts';
import type { Value } from '../../queries/values/value.ts';

export function runScript(source: string, event: Value = {}): ScriptOutcome {
  return compileScript(source, 'test.tremor').instantiate().run({ data: event, meta: {}, ingestNs: 7 });
}

/** The emitted value as JSON text (int and float kept apart), or a description of the outcome. */
export function evaluate(source: string, event: Value = {}): string {
  const outcome = runScript(source, event);
  if (outcome.kind === 'emit') return stringifyJson(outcome.data);
  if (outcome.kind === 'drop') return '<drop>';
  throw new Error(`runtime error: ${outcome.rendered}`);
}

export function runtimeError(source: string, event: Value = {}): Diagnostic {
  const outcome = runScript(source, event);
  if (outcome.kind !== 'error' || !outcome.diagnostic) throw new Error(`expected a runtime error, got ${outcome.kind}`);
  return outcome.diagnostic;
}

export function compileFailure(compile: () => unknown): Diagnostic {
  try {
    compile();
  } catch (error) {
    if (error instanceof CompileError) return error.diagnostics[0];
    throw error;
  }
  throw new Error('expected a compile error');
}

export function scriptCompileFailure(source: string): Diagnostic {
  return compileFailure(() => compileScript(source, 'test.tremor'));
}

export function queryCompileFailure(source: string): Diagnostic {
  return compileFailure(() => compileQuery(source, 'test.trickle'));
}

export function at(diagnostic: Diagnostic): string {
  return `${diagnostic.span.line}:${diagnostic.span.column}+${diagnostic.span.length} ${diagnostic.message}`;
}
