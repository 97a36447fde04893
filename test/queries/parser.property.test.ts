/**
 * Property: whatever text the parser is given — random token soup or a mangled corpus query — it
 * either compiles or throws a CompileError holding Diagnostics. Never another exception (a crash in
 * a grammar action, an ambiguous parse) and never a hang (inputs are bounded; the test has a
 * generous timeout so a hang shows up as a failure).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, compileScript } from '../../queries/index.ts';
import { CompileError, Diagnostic } from '../../queries/diagnostic.ts';
import { KEYWORDS, SYMBOLS } from '../../queries/lexer/token.ts';

const corpusDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'shared', 'trickle-corpus');

function corpusSources(): string[] {
  if (!existsSync(corpusDir)) return [];
  const sources: string[] = [];
  for (const category of readdirSync(corpusDir, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const testCase of readdirSync(join(corpusDir, category.name))) {
      for (const file of ['query.trickle', 'script.tremor']) {
        const path = join(corpusDir, category.name, testCase, file);
        if (existsSync(path)) sources.push(readFileSync(path, 'utf8'));
      }
    }
  }
  return sources;
}

/** Compiles as a query and as a script; fails the property on anything but success or CompileError. */
function compilesOrReportsDiagnostics(source: string): void {
  for (const compile of [compileQuery, compileScript]) {
    try {
      compile(source, 'fuzz');
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      expect(error.diagnostics.length).toBeGreaterThan(0);
      for (const diagnostic of error.diagnostics) {
        expect(diagnostic).toBeInstanceOf(Diagnostic);
        // Line 0 is an error Tremor reports without a place (a cyclic `use`, a function defined twice).
        if (diagnostic.span.line === 0) expect(diagnostic.span.column).toBe(1);
        else expect(diagnostic.span.line).toBeGreaterThanOrEqual(1);
        expect(diagnostic.span.length).toBeGreaterThanOrEqual(1);
      }
    }
  }
}

const tokenText = fc.oneof(
  fc.constantFrom(...KEYWORDS),
  fc.constantFrom(...SYMBOLS.map(([text]) => text)),
  fc.constantFrom('in', 'out', 'x', 'doc-type', '`group`', 'system', 'tremor', 'std', 'string', 'hostname', 'qos', 'wal'),
  fc.constantFrom('0', '42', '-1', '1.5', '0x1f', '"s"', '"#{1}"', '"a #{event.b} c"', '"""\nheredoc\n"""', '"\\n"'),
  fc.constantFrom('\n', '# comment\n', '|', "'"),
);

const tokenSoup = fc.array(tokenText, { maxLength: 40 }).map((tokens) => tokens.join(' '));

const sources = corpusSources();

const mutation = fc.record({
  source: fc.constantFrom(...(sources.length > 0 ? sources : ['select event from in into out;'])),
  edits: fc.array(
    fc.record({ kind: fc.constantFrom('delete', 'insert', 'duplicate'), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }), token: tokenText }),
    { minLength: 1, maxLength: 4 },
  ),
});

function mutate({ source, edits }: { source: string; edits: Array<{ kind: string; at: number; length: number; token: string }> }): string {
  let text = source.slice(0, 2_000);
  for (const edit of edits) {
    const at = edit.at % (text.length + 1);
    if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + edit.length);
    else if (edit.kind === 'insert') text = `${text.slice(0, at)} ${edit.token} ${text.slice(at)}`;
    else text = text.slice(0, at) + text.slice(at, at + edit.length) + text.slice(at);
  }
  return text;
}

describe('parser robustness (property)', () => {
  it('random token sequences compile or report diagnostics', () => {
    fc.assert(fc.property(tokenSoup, (source) => compilesOrReportsDiagnostics(source)), { numRuns: 300 });
  });

  it('mutated corpus queries and scripts compile or report diagnostics', () => {
    expect(sources.length).toBeGreaterThan(50);
    fc.assert(fc.property(mutation, (input) => compilesOrReportsDiagnostics(mutate(input))), { numRuns: 300 });
  });

  it('parses every corpus source to at most one tree', () => {
    // compileQuery/compileScript throw a non-CompileError when the grammar yields several parses.
    for (const source of sources) compilesOrReportsDiagnostics(source);
  });
});
