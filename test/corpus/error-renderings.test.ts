/**
 * Locks in the corpus errors whose whole rendering (source lines, caret, message with Tremor's
 * expected-token list, NOTE line) is byte-for-byte Tremor's error.txt. The list is explicit so that
 * a regression names the case; `node bin/compare-error-renderings.mjs` shows the diffs of the rest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareErrorRenderings } from './error-renderings.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpusDir = join(here, '..', '..', '..', 'shared', 'trickle-corpus');
/** Cases the corpus test already lists as not passing (LATER features not built): their errors cannot match yet. */
const corpusExclusions = JSON.parse(readFileSync(join(here, 'exclusions.json'), 'utf8')) as Record<string, string>;

const RENDERED_EXACTLY = [
  'query_errors/bad_into',
  'query_errors/local_in_select',
  'query_errors/node_duplicate_name_operator',
  'query_errors/node_duplicate_name_script',
  'query_errors/node_reserved_name_script',
  'query_errors/pp_embed_unrecognized_token',
  'query_errors/pp_unrecognized_token',
  'query_errors/pp_unrecognized_token2',
  'query_errors/pp_unrecognized_token3',
  'query_errors/pp_unrecognized_token4',
  'query_errors/pp_unrecognized_token5',
  'script_errors/double_const',
  'script_errors/double_const_mod',
  'script_errors/error_in_include',
  'script_errors/function_already_defined',
  'script_errors/function_error_1',
  'script_errors/function_error_2',
  'script_errors/function_error_n',
  'script_errors/heredoc_interpolation_escape',
  'script_errors/heredoc_interpolation_invalid_unicode',
  'script_errors/heredoc_interpolation_multiline',
  'script_errors/heredoc_tailing',
  'script_errors/imut_bad_drop',
  'script_errors/imut_bad_emit',
  'script_errors/invalid_const_binary',
  'script_errors/invalid_const_unary',
  'script_errors/invalid_utf8_1',
  'script_errors/invalid_utf8_2',
  'script_errors/lexer_diamond',
  'script_errors/lexer_heredoc_interpolation',
  'script_errors/lexer_heredoc_interpolation2',
  'script_errors/lexer_invalid_float',
  'script_errors/lexer_invalid_hex',
  'script_errors/lexer_invalid_int',
  'script_errors/lexer_ngt',
  'script_errors/lexer_string_interpolation',
  'script_errors/lexer_string_interpolation2',
  'script_errors/lexer_unterminated_heredoc',
  'script_errors/lexer_unterminated_string2',
  'script_errors/merge_ident',
  'script_errors/mod_bound_cross',
  'script_errors/pp_cyclic',
  'script_errors/pp_unrecognized_token2',
  'script_errors/pp_unrecognized_token4',
  'script_errors/pp_unrecognized_token5',
  'script_errors/select_ident',
  'script_errors/single_quote',
  'script_errors/string_interpolation_empty',
  'script_errors/string_interpolation_eof',
  'script_errors/string_interpolation_escape',
  'script_errors/unexpected_escape',
  'script_errors/unfinished_escape_eof',
  'script_errors/unknown_function_in_function',
  'script_runtime_errors/arr_bad_idx2',
  'script_runtime_errors/bad_binary',
  'script_runtime_errors/bad_index_type',
  'script_runtime_errors/bad_unary',
  'script_runtime_errors/function_error_1',
  'script_runtime_errors/function_error_2',
  'script_runtime_errors/function_error_3',
  'script_runtime_errors/match_bad_guard_type',
  'script_runtime_errors/match_no_clause_hit',
  'script_runtime_errors/merge_assign_target_new_no_object',
  'script_runtime_errors/merge_assign_target_target_no_object',
  'script_runtime_errors/missing_local',
  'script_runtime_errors/non_arr_access',
  'script_runtime_errors/non_obj_access2',
  'script_runtime_errors/obj_bad_key',
  'script_runtime_errors/patch_on_non_obj',
  'script_runtime_errors/recursion_limit',
  'script_runtime_errors/subslice_and_idx_out_of_bounds',
  'script_runtime_errors/subslice_bad_end',
  'script_runtime_errors/subslice_bad_start',
  'script_runtime_errors/subslice_end_lt_start',
  'script_runtime_errors/subslice_neg_start',
];

/** Cases Tremor asserts upstream that rill does not render exactly yet, and why. */
const NOT_YET_EXACT: Record<string, string> = {
  'query_errors/window_both_settings':
    'windows are not built yet (issue 12): rill reports a parse error at `tumbling` where Tremor reports the window configuration',
  'script_errors/lexer_heredoc_interpolation3':
    "Tremor's context for an unterminated interpolation starts at the line of the enclosing heredoc's opening, which only the lexer knows",
};

describe('error renderings against the corpus error.txt files', () => {
  it('finds the corpus', () => {
    expect(existsSync(join(corpusDir, 'manifest.json')), `expected the corpus at ${corpusDir}`).toBe(true);
  });

  const comparisons = existsSync(join(corpusDir, 'manifest.json')) ? compareErrorRenderings(corpusDir) : [];

  it('lists only cases that exist', () => {
    const names = new Set(comparisons.map((comparison) => comparison.name));
    expect(RENDERED_EXACTLY.filter((name) => !names.has(name))).toEqual([]);
  });

  for (const name of RENDERED_EXACTLY) {
    it(`renders ${name} exactly like Tremor`, () => {
      const comparison = comparisons.find((candidate) => candidate.name === name);
      expect(comparison?.actual).toBe(comparison?.expected);
    });
  }

  it('differs only where Tremor ignores its own error.txt or the case is listed in NOT_YET_EXACT', () => {
    const unexplained = comparisons
      .filter(
        (comparison) =>
          !comparison.matches && comparison.assertedUpstream && NOT_YET_EXACT[comparison.name] === undefined && corpusExclusions[comparison.name] === undefined,
      )
      .map((comparison) => comparison.name);
    expect(unexplained).toEqual([]);
  });

  for (const [name, reason] of Object.entries(NOT_YET_EXACT)) {
    it(`still differs for ${name} (remove it from NOT_YET_EXACT when it matches)`, () => {
      const comparison = comparisons.find((candidate) => candidate.name === name);
      expect(comparison, `${name} is not a corpus error case`).toBeDefined();
      expect(comparison?.matches, `${name} renders exactly now (was: ${reason})`).toBe(false);
    });
  }
});
