/**
 * A word one edit away from a keyword the parser expects gets that keyword as its hint (`frm` ->
 * `from`), where Tremor's rule (distance to the backquoted token) would suggest `%`; Tremor's own
 * hints for other tokens stay (the corpus renderings check those).
 */
import { describe, expect, it } from 'vitest';
import { compileQuery, compileScript } from '../../queries/index.ts';
import type { Diagnostic } from '../../queries/diagnostic.ts';
import { compileFailure } from './helpers.ts';

const queryError = (source: string): Diagnostic => compileFailure(() => compileQuery(source, 'test.trickle'));

describe('keyword typo hints', () => {
  it('frm gets from, not %', () => {
    const error = queryError('select event frm in into out;');
    expect(error.message).toContain('Found the token `frm`');
    expect(error.hint).toBe('Did you mean to use `from`?');
  });

  it('other one-edit typos of an expected keyword', () => {
    expect(queryError('select event from in int out;').hint).toBe('Did you mean to use `into`?');
    expect(queryError('selct event from in into out;').hint).toBe('Did you mean to use `select`?');
  });

  it('a word two edits from every keyword keeps Tremor rule', () => {
    expect(queryError('select event fxxm in into out;').hint).not.toBe('Did you mean to use `from`?');
  });

  it('a Tremor construct rill does not build says so instead of a wrong hint', () => {
    const error = compileFailure(() => compileScript('intrinsic fn foo(a) as foo::bar;\nevent\n', 'test.tremor'));
    expect(error.hint).toContain('`intrinsic` declarations');
    expect(error.hint).toContain('not supported yet');
  });
});
