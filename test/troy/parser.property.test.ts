/**
 * Property: whatever a troy file holds — random troy token soup, or a mangled corpus flow — planning
 * it either succeeds or throws a CompileError holding Diagnostics with a position. Never another
 * exception (a crash in a grammar action, an ambiguous parse, a bad lookup) and never a hang
 * (inputs are bounded; the generous timeout makes a hang a failure).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompileError, Diagnostic } from '../../queries/diagnostic.ts';
import { SYMBOLS, TROY_KEYWORDS } from '../../queries/lexer/token.ts';
import { planDeployment } from '../../queries/troy/deploy.ts';
import { BUNDLED_ONLY } from './helpers.ts';

const corpusDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'shared', 'troy-corpus');
const fixturesDir = fileURLToPath(new URL('./fixtures', import.meta.url));

function troySources(): string[] {
  const sources = readdirSync(fixturesDir).map((name) => readFileSync(join(fixturesDir, name), 'utf8'));
  for (const category of ['flows', 'flow_errors', 'integration']) {
    const dir = join(corpusDir, category);
    if (!existsSync(dir)) continue;
    for (const testCase of readdirSync(dir)) {
      for (const file of ['flow.troy', 'config.troy']) {
        const path = join(dir, testCase, file);
        if (existsSync(path)) sources.push(readFileSync(path, 'utf8'));
      }
    }
  }
  return sources;
}

function plansOrReportsDiagnostics(source: string): void {
  try {
    planDeployment(source, 'fuzz.troy', BUNDLED_ONLY);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    expect(error.diagnostics.length).toBeGreaterThan(0);
    for (const diagnostic of error.diagnostics) {
      expect(diagnostic).toBeInstanceOf(Diagnostic);
      expect(diagnostic.span.line).toBeGreaterThanOrEqual(1);
      expect(diagnostic.span.length).toBeGreaterThanOrEqual(1);
    }
  }
}

const tokenText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('define', 'flow', 'deploy', 'connector', 'pipeline', 'create', 'connect', 'to', 'from', 'with', 'end', 'args', 'use', 'into', 'select') },
  fc.constantFrom(...TROY_KEYWORDS),
  fc.constantFrom(...SYMBOLS.map(([text]) => text)),
  fc.constantFrom('/', ';', ',', '=', '::', 'in', 'out', 'err', 'exit', 'x', 'metronome', 'integration', 'tremor', 'pipelines', 'passthrough', '`tcp-out`'),
  fc.constantFrom('0', '42', '1.5', '"s"', '{"a": 1}', '[1, 2]', 'args.x', 'nanos::from_millis(1)', '"#{1}"'),
  fc.constantFrom('\n', '# comment\n'),
);

const tokenSoup = fc.array(tokenText, { maxLength: 50 }).map((tokens) => tokens.join(' '));

const sources = troySources();

const mutation = fc.record({
  source: fc.constantFrom(...sources),
  edits: fc.array(
    fc.record({ kind: fc.constantFrom('delete', 'insert', 'duplicate'), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }), token: tokenText }),
    { minLength: 1, maxLength: 4 },
  ),
});

function mutate({ source, edits }: { source: string; edits: Array<{ kind: string; at: number; length: number; token: string }> }): string {
  let text = source.slice(0, 3_000);
  for (const edit of edits) {
    const at = edit.at % (text.length + 1);
    if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + edit.length);
    else if (edit.kind === 'insert') text = `${text.slice(0, at)} ${edit.token} ${text.slice(at)}`;
    else text = text.slice(0, at) + text.slice(at, at + edit.length) + text.slice(at);
  }
  return text;
}

describe('troy parser robustness (property)', () => {
  it('random troy token sequences plan or report diagnostics', () => {
    fc.assert(fc.property(tokenSoup, (source) => plansOrReportsDiagnostics(source)), { numRuns: 400 });
  }, 120_000);

  it('mutated corpus flows and seed fixtures plan or report diagnostics', () => {
    expect(sources.length).toBeGreaterThan(30);
    fc.assert(fc.property(mutation, (input) => plansOrReportsDiagnostics(mutate(input))), { numRuns: 300 });
  }, 120_000);

  it('every corpus flow and fixture plans or reports diagnostics, with at most one parse', () => {
    for (const source of sources) plansOrReportsDiagnostics(source);
  }, 120_000);
});
