/**
 * Tremor-style parse error renderings beyond what the corpus covers: the NOTE hints, the distance
 * behind "Did you mean", how source lines (comments) are shown, and guards that are `match`es.
 */
import { describe, expect, it } from 'vitest';
import { compileQuery, compileScript, renderDiagnostic } from '../../queries/index.ts';
import { Diagnostic } from '../../queries/diagnostic.ts';
import { damerauLevenshtein } from '../../queries/diagnostics/parse-error-hint.ts';
import { compileFailure, evaluate } from './helpers.ts';

function scriptError(source: string): Diagnostic {
  return compileFailure(() => compileScript(source, 'test.tremor'));
}

describe('Damerau-Levenshtein distance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('use', '`;`')).toBe(3);
    expect(damerauLevenshtein('use', '`as`')).toBe(3);
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
  });

  it('counts an adjacent transposition as one edit, also with an insertion between (unrestricted)', () => {
    expect(damerauLevenshtein('ab', 'ba')).toBe(1);
    expect(damerauLevenshtein('ca', 'abc')).toBe(2);
  });
});

describe('parse error hints', () => {
  it('suggests a trailing comma before `default`', () => {
    const error = scriptError('match event of case 1 => 2, default => 3 end');
    expect(error.message).toMatch(/^Found the token `default` but expected/);
    expect(error.hint).toBe('You might have a trailing `,` in the prior statement');
  });

  it('suggests parentheses for a `-` where an operand must start', () => {
    const error = scriptError('!-event');
    expect(error.message).toMatch(/^Found the token `-` but expected one of `!`, `\\``, `\$`, `\(`/);
    expect(error.hint).toBe('Try wrapping this expression in parentheses `(` ... `)`');
  });

  it('suggests the closest expected token, ties going to the first in code-unit order', () => {
    expect(scriptError('<>').hint).toBe('Did you mean to use `!`?');
    expect(scriptError('use foo::bar use;').hint).toBe('Did you mean to use `;`?');
  });

  it('gives no hint when no expected token is within distance 3', () => {
    const error = scriptError('use ;');
    expect(error.message).toBe('Found the token `;` but expected `<ident>`');
    expect(error.hint).toBeUndefined();
  });
});

describe('expected-token lists', () => {
  it('lists a string start as Tremor does, with heredoc_start, and never `use`', () => {
    const { message } = scriptError('let x = ;');
    expect(message).toContain('`\\``');
    expect(message).toContain('`heredoc_start`');
    expect(message).not.toContain('`use`');
    expect(message).not.toContain('`"`');
  });

  it('lists the preprocessor order inside a use statement of a query too', () => {
    const error = compileFailure(() => compileQuery('use foo::bar select', 'test.trickle'));
    expect(error.message).toBe('Found the token `select` but expected one of `as`, `::`, `;`');
  });
});

describe('rendering', () => {
  it('shows `#` comments the way Tremor prints its comment tokens, and leaves `#` in strings alone', () => {
    const source = '#  note\nlet a = "x # #{1} y"; ## doc\nlet c = ;\n';
    const rendered = renderDiagnostic(scriptError(source), source);
    expect(rendered).toContain('    1 | #   note\n');
    expect(rendered).toContain('    2 | let a = "x # #{1} y"; ## doc\n');
  });

  it('shows the empty line after a query\'s final newline for a syntax error, not for a script', () => {
    const querySource = 'use ;\n';
    const query = compileFailure(() => compileQuery(querySource, 'test.trickle'));
    expect(renderDiagnostic(query, querySource).trim().split('\n').at(-1)).toBe('    2 |');
    const script = scriptError(querySource);
    expect(renderDiagnostic(script, querySource).trim().split('\n').at(-1)).toMatch(/\^ Found the token/);
  });

  it('shows no line after a lexer error', () => {
    const source = 'let a = 1;\nlet s = "open\nevent\n';
    const rendered = renderDiagnostic(scriptError(source), source);
    expect(rendered).toContain('    2 | let s = "open\n');
    expect(rendered).not.toContain('    3 |');
  });
});

describe('match guards', () => {
  it('may be a match expression, as in Tremor', () => {
    const script = 'match event.a of case _ when match event.a of case 1 => true default => false end => "one" default => "other" end';
    expect(evaluate(script, { a: 1 })).toBe('"one"');
    expect(evaluate(script, { a: 2 })).toBe('"other"');
  });
});
