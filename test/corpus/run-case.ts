/**
 * Runs one case of a trickle conformance corpus laid out like `shared/trickle-corpus`
 * (`<category>/<case>/…` plus `manifest.json`; the harness rules are in its INDEX.md).
 * Used by the vitest suite (test/corpus/corpus.test.ts) and by `rill conformance`.
 *
 * Comparison, as INDEX.md recommends: event payloads compared after a sorted-keys serialisation
 * (int vs float matters, key order does not); compile and runtime errors compared by
 * (line, column, length, message), and for "Found the token …" parse errors by position and the
 * token found, since the expected-token lists are specific to Tremor's LALR parser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileQuery, compileScript, type CompileOptions } from '../../queries/index.ts';
import { CompileError, Diagnostic } from '../../queries/diagnostic.ts';
import type { ScriptOutcome } from '../../queries/compiled-query.ts';
import { parseJson, stringifyJson } from '../../queries/values/json.ts';
import { isRecord, type Value } from '../../queries/values/value.ts';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';

export interface ExpectedDiagnostic {
  header: string | null;
  line: number | null;
  column: number;
  length: number;
  message: string;
  hint: string | null;
}

export interface CorpusCase {
  category: string;
  case: string;
  tier: 'MUST' | 'SHOULD';
  files: string[];
  expected_diagnostics?: ExpectedDiagnostic[];
  expected_error_regex?: string;
  error_text_asserted_upstream?: boolean;
}

export interface CaseResult {
  category: string;
  case: string;
  tier: string;
  ok: boolean;
  /** Why it failed; empty when ok. */
  reason: string;
}

export function loadManifest(corpusDir: string): CorpusCase[] {
  return JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as CorpusCase[];
}

export function caseName(corpusCase: CorpusCase): string {
  return `${corpusCase.category}/${corpusCase.case}`;
}

/** Runs a case; never throws (an unexpected exception is a failure with its message). */
export async function runCase(corpusDir: string, corpusCase: CorpusCase): Promise<CaseResult> {
  const dir = join(corpusDir, corpusCase.category, corpusCase.case);
  const result = (reason: string): CaseResult => ({
    category: corpusCase.category,
    case: corpusCase.case,
    tier: corpusCase.tier,
    ok: reason === '',
    reason,
  });
  try {
    return result(await runInDir(dir, corpusCase));
  } catch (error) {
    return result(`unexpected ${describe(error)}`);
  }
}

async function runInDir(dir: string, corpusCase: CorpusCase): Promise<string> {
  switch (corpusCase.category) {
    case 'queries':
    case 'queries_v012':
    case 'query_runtime_errors_v012':
      return runQueryCase(dir, corpusCase);
    case 'query_errors':
      return expectCompileFailure(() => compileQuery(read(dir, 'query.trickle'), 'query.trickle', moduleOptions(dir, corpusCase, 'query.trickle')), corpusCase);
    case 'scripts':
      return runScriptCase(dir, corpusCase);
    case 'script_errors':
      return expectCompileFailure(() => compileScript(read(dir, 'script.tremor'), 'script.tremor', moduleOptions(dir, corpusCase, 'script.tremor')), corpusCase);
    case 'script_runtime_errors':
      return runScriptRuntimeErrorCase(dir, corpusCase);
    case 'script_warnings':
      return runScriptWarningCase(dir, corpusCase);
    default:
      return `unknown category ${corpusCase.category}`;
  }
}

/**
 * Tremor's harness puts the case directory first on the module path (its std lib is built into
 * rill) and names files from its `tests/` directory: module errors name `tests/<category>/<case>/…`.
 */
export function moduleOptions(dir: string, corpusCase: Pick<CorpusCase, 'category' | 'case'>, file: string): CompileOptions {
  return { modulePath: [{ dir, label: `tests/${corpusCase.category}/${corpusCase.case}` }], path: join(dir, file) };
}

// -----------------------------------------------------------------------------------------------
// Event files and comparison

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function readEvents(dir: string, name: string): Value[] {
  if (!existsSync(join(dir, name))) return [];
  return read(dir, name)
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => parseJson(line));
}

/** JSON text with record keys sorted recursively (Tremor's `sorted_serialize`). */
export function sortedSerialize(value: Value): string {
  return stringifyJson(sortKeys(value));
}

function sortKeys(value: Value): Value {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const sorted: Record<string, Value> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(sorted, key, { value: sortKeys(value[key]), enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}

function compareEvents(actual: Value[], expected: Value[]): string {
  if (actual.length !== expected.length) {
    return `expected ${expected.length} events, got ${actual.length}` + (actual.length > 0 ? ` (first: ${truncate(sortedSerialize(actual[0]))})` : '');
  }
  for (let i = 0; i < actual.length; i++) {
    const got = sortedSerialize(actual[i]);
    const want = sortedSerialize(expected[i]);
    if (got !== want) return `event ${i}: expected ${truncate(want)}, got ${truncate(got)}`;
  }
  return '';
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describe(error: unknown): string {
  if (error instanceof CompileError) return `compile error: ${error.diagnostics.map(describeDiagnostic).join('; ')}`;
  if (error instanceof Diagnostic) return `error: ${describeDiagnostic(error)}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function describeDiagnostic(diagnostic: Diagnostic): string {
  const { line, column, length } = diagnostic.span;
  const where = diagnostic.inModuleFile === undefined ? '' : `in ${diagnostic.inModuleFile} `;
  return `${where}${line}:${column}+${length} ${diagnostic.message}`;
}

// -----------------------------------------------------------------------------------------------
// Diagnostics

function compareDiagnostic(actual: Diagnostic, expected: ExpectedDiagnostic): string {
  const foundToken = /^Found the token `(.*?)` but expected/.exec(expected.message);
  const messageMatches = foundToken
    ? actual.message.startsWith(`Found the token \`${foundToken[1]}\` but expected`)
    : actual.message === expected.message;
  // Where Tremor names the module file an error is in, so must rill.
  const headerMatches = !expected.header?.startsWith('Error in ') || `Error in ${actual.inModuleFile}:${actual.span.line}:${actual.span.column}` === expected.header;
  const positionMatches =
    headerMatches &&
    (expected.line === null || actual.span.line === expected.line) &&
    actual.span.column === expected.column &&
    actual.span.length === expected.length;
  if (messageMatches && positionMatches) return '';
  const where = expected.line === null ? `?:${expected.column}` : `${expected.line}:${expected.column}`;
  return `expected ${where}+${expected.length} ${expected.message}; got ${describeDiagnostic(actual)}`;
}

function expectCompileFailure(compile: () => unknown, corpusCase: CorpusCase): string {
  let failure: CompileError;
  try {
    compile();
    return 'compiled, but a compile error was expected';
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    failure = error;
  }
  const [first] = failure.diagnostics;
  if (corpusCase.expected_error_regex !== undefined) {
    return new RegExp(corpusCase.expected_error_regex).test(first.message)
      ? ''
      : `message ${JSON.stringify(first.message)} does not match /${corpusCase.expected_error_regex}/`;
  }
  const [expected] = corpusCase.expected_diagnostics ?? [];
  if (!expected || corpusCase.error_text_asserted_upstream === false) return '';
  return compareDiagnostic(first, expected);
}

// -----------------------------------------------------------------------------------------------
// Queries (through the engine)

function inputEvent(data: Value, index: number): Event {
  return { id: new EventId(0, 0, index), data, meta: {}, ingestNs: index, transactional: false, opMeta: {} };
}

async function runQueryCase(dir: string, corpusCase: CorpusCase): Promise<string> {
  const source = read(dir, 'query.trickle');
  const query = compileQuery(source, join(dir, 'query.trickle'), moduleOptions(dir, corpusCase, 'query.trickle'));
  const errors: string[] = [];
  const pipeline = buildPipeline(query, {
    id: corpusCase.case,
    onError: (_error, rendered) => errors.push(rendered),
    onWarning: () => {},
  });
  const outputs: Value[] = [];
  await pipeline.start({
    onOutput: (_port, event) => outputs.push(event.data),
    onInsight: () => {},
  });
  try {
    readEvents(dir, 'in').forEach((data, index) => pipeline.send('in', inputEvent(data, index)));
  } finally {
    await pipeline.close();
  }
  if (corpusCase.category === 'query_runtime_errors_v012' && errors.length > 0) {
    const expected = read(dir, 'error.txt').trim();
    if (errors[0].trim() !== expected) return `runtime error text differs: ${JSON.stringify(errors[0])}`;
  } else if (errors.length > 0) {
    return `runtime error while running the query: ${errors[0]}`;
  }
  return compareEvents(outputs, readEvents(dir, 'out'));
}

// -----------------------------------------------------------------------------------------------
// Scripts

function runOnce(dir: string, corpusCase: CorpusCase): { outcomes: ScriptOutcome[]; inputs: Value[] } {
  const script = compileScript(read(dir, 'script.tremor'), 'script.tremor', moduleOptions(dir, corpusCase, 'script.tremor'));
  const instance = script.instantiate();
  const inputs = readEvents(dir, 'in');
  const outcomes = inputs.map((data, index) => instance.run({ data, meta: {}, ingestNs: index }));
  return { outcomes, inputs };
}

function runScriptCase(dir: string, corpusCase: CorpusCase): string {
  const { outcomes } = runOnce(dir, corpusCase);
  const outputs: Value[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === 'error') return `runtime error: ${outcome.rendered}`;
    if (outcome.kind === 'emit') outputs.push(outcome.data);
  }
  return compareEvents(outputs, readEvents(dir, 'out'));
}

function runScriptRuntimeErrorCase(dir: string, corpusCase: CorpusCase): string {
  const { outcomes, inputs } = runOnce(dir, corpusCase);
  if (inputs.length !== 1) return `expected exactly one input event, found ${inputs.length}`;
  const [outcome] = outcomes;
  if (outcome.kind !== 'error') return `expected a runtime error, got ${outcome.kind}`;
  const [expected] = corpusCase.expected_diagnostics ?? [];
  if (!expected || corpusCase.error_text_asserted_upstream === false) return '';
  if (!outcome.diagnostic) return 'runtime error carries no diagnostic';
  return compareDiagnostic(outcome.diagnostic, expected);
}

function runScriptWarningCase(dir: string, corpusCase: CorpusCase): string {
  const script = compileScript(read(dir, 'script.tremor'), 'script.tremor', moduleOptions(dir, corpusCase, 'script.tremor'));
  const expected = corpusCase.expected_diagnostics ?? [];
  if (script.warnings.length !== expected.length) {
    return `expected ${expected.length} warnings, got ${script.warnings.length}: ${script.warnings.map(describeDiagnostic).join('; ')}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const difference = compareDiagnostic(script.warnings[i], expected[i]);
    if (difference) return difference;
  }
  return '';
}

