/**
 * What an extractor (`name|rule|`, Tremor's "test literal") is to the compiler: built once from its
 * rule, then run on each string it is matched against. Extractors only ever match strings: any other
 * value is no match, as in Tremor.
 *
 * `extract` returns `NO_MATCH` when the input does not match; otherwise the value a binding
 * (`case x = %{ f ~= re|…| }`) receives. A rule that cannot be built is an ExtractorRuleError, which
 * the compiler reports at the extractor.
 */
import type { Value } from '../values/value.ts';

export const NO_MATCH: unique symbol = Symbol('no match');
export type Extraction = Value | typeof NO_MATCH;

export interface Extractor {
  extract(input: string, ingestNs: number): Extraction;
}

export class ExtractorRuleError extends Error {}
