/**
 * `match T of case P [when G] => e, … default => e end` (trickle-spec §7): the first clause whose
 * pattern matches (and whose guard is true) wins; its last expression is the value.
 */
import type { ExtractorSpec, MatchExpr, Pattern, RecordPattern } from '../ast.ts';
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import { compareValues, INVALID, setKey, typeName, valuesEqual } from '../values/ops.ts';
import { createExtractor, ExtractorRuleError, NO_MATCH, type Extractor } from '../extractors/index.ts';
import type { Env, Evaluate } from './env.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

type Test = (value: Value, env: Env) => boolean;

interface CompiledClause {
  test: Test | undefined;
  guard: Evaluate | undefined;
  guardLoc: MatchExpr['loc'];
  body: Evaluate[];
}

const NO_DEFAULT_WARNING =
  'This match expression has no default clause, if the other clauses do not cover all possibilities this will lead to events being discarded with runtime errors.';
const MULTIPLE_DEFAULTS_WARNING =
  'A match statement with more then one default clause will never reach any but the first default clause.';

export function compileMatch(expr: MatchExpr, scope: Scope, mutable: boolean): Compiled {
  const context = scope.context;
  const defaults = expr.clauses.filter((clause) => clause.pattern === undefined).length;
  if (defaults === 0) context.warn(expr.loc, NO_DEFAULT_WARNING);
  if (defaults > 1) context.warn(expr.loc, MULTIPLE_DEFAULTS_WARNING);

  const target = compileExpression(expr.target, scope, false).evaluate;
  const clauses: CompiledClause[] = expr.clauses.map((clause) => ({
    test: clause.pattern ? compilePattern(clause.pattern, scope) : undefined,
    guard: clause.guard ? compileExpression(clause.guard, scope, false).evaluate : undefined,
    guardLoc: clause.guard?.loc ?? clause.loc,
    body: clause.body.map((item) => compileExpression(item, scope, mutable).evaluate),
  }));
  const matchLoc = expr.loc;
  return {
    evaluate: (env) => {
      const value = target(env);
      for (const clause of clauses) {
        if (clause.test && !clause.test(value, env)) continue;
        if (clause.guard) {
          const passed = clause.guard(env);
          if (typeof passed !== 'boolean') {
            throw context.diagnostic(clause.guardLoc, `Conflicting types, got ${typeName(passed)} but expected boolean`, { expandLines: 2 });
          }
          if (!passed) continue;
        }
        let result: Value = null;
        for (const item of clause.body) result = item(env);
        return result;
      }
      throw context.diagnostic(matchLoc, 'A match expression executed but no clause matched', {
        expandLines: 2,
        hint: 'Consider adding a `default => null` clause at the end of your match or validate full coverage beforehand.',
      });
    },
  };
}

function compilePattern(pattern: Pattern, scope: Scope): Test {
  switch (pattern.kind) {
    case 'any':
      return () => true;
    case 'expr': {
      const expected = compileExpression(pattern.expr, scope, false).evaluate;
      return (value, env) => valuesEqual(value, expected(env));
    }
    case 'extract': {
      const extractor = compileExtractor(pattern.extractor, scope);
      return (value, env) => typeof value === 'string' && extractor.extract(value, env.ingestNs) !== NO_MATCH;
    }
    case 'bind': {
      if (!scope.localsAllowed) throw scope.context.compileError(pattern.loc, 'Local variables are not allowed here');
      const slot = scope.slotOf(pattern.name);
      const bound = pattern.pattern;
      // A record pattern binds the record of what its fields extracted, an extractor its extraction.
      if (bound.kind === 'record') {
        const collect = compileRecordFields(bound, scope);
        return (value, env) => {
          if (!isRecord(value)) return false;
          const extracted: RecordValue = {};
          if (!collect(value, env, extracted)) return false;
          env.locals[slot] = extracted;
          return true;
        };
      }
      if (bound.kind === 'extract') {
        const extractor = compileExtractor(bound.extractor, scope);
        return (value, env) => {
          if (typeof value !== 'string') return false;
          const extracted = extractor.extract(value, env.ingestNs);
          if (extracted === NO_MATCH) return false;
          env.locals[slot] = extracted;
          return true;
        };
      }
      const inner = compilePattern(bound, scope);
      return (value, env) => {
        if (!inner(value, env)) return false;
        env.locals[slot] = value;
        return true;
      };
    }
    case 'record':
      return compileRecordPattern(pattern, scope);
  }
}

function compileRecordPattern(pattern: RecordPattern, scope: Scope): Test {
  const test = compileRecordFields(pattern, scope);
  return (value, env) => isRecord(value) && test(value, env, undefined);
}

/**
 * The fields of a record pattern as one test of a record. With `extracted`, it also collects what
 * Tremor's pattern yields when bound: present fields, extractions and nested patterns' records.
 */
type FieldsTest = (record: RecordValue, env: Env, extracted: RecordValue | undefined) => boolean;

function compileRecordFields(pattern: RecordPattern, scope: Scope): FieldsTest {
  warnAboutExtractorFields(pattern, scope);
  const fields: FieldsTest[] = pattern.fields.map((field): FieldsTest => {
    const key = field.key;
    switch (field.kind) {
      case 'present':
        return (record, _env, extracted) => {
          if (!Object.hasOwn(record, key)) return false;
          if (extracted) setKey(extracted, key, record[key]);
          return true;
        };
      case 'absent':
        return (record) => !Object.hasOwn(record, key);
      case 'nested': {
        const nested = compileRecordFields(field.pattern, scope);
        return (record, env, extracted) => {
          if (!Object.hasOwn(record, key)) return false;
          const inner = record[key];
          if (!isRecord(inner)) return false;
          if (!extracted) return nested(inner, env, undefined);
          const innerExtracted: RecordValue = {};
          if (!nested(inner, env, innerExtracted)) return false;
          setKey(extracted, key, innerExtracted);
          return true;
        };
      }
      case 'extract': {
        const extractor = compileExtractor(field.extractor, scope);
        return (record, env, extracted) => {
          if (!Object.hasOwn(record, key)) return false;
          const testee = record[key];
          if (typeof testee !== 'string') return false;
          const result = extractor.extract(testee, env.ingestNs);
          if (result === NO_MATCH) return false;
          if (extracted) setKey(extracted, key, result);
          return true;
        };
      }
      case 'compare': {
        const expected = compileExpression(field.expr, scope, false).evaluate;
        const accept = ORDER_TESTS[field.op];
        return (record, env) => {
          if (!Object.hasOwn(record, key)) return false;
          const actual = record[key];
          const other = expected(env);
          if (field.op === '==') return valuesEqual(actual, other);
          if (field.op === '!=') return !valuesEqual(actual, other);
          const order = compareValues(actual, other);
          return order !== INVALID && accept(order);
        };
      }
    }
  });
  return (record, env, extracted) => {
    for (const field of fields) if (!field(record, env, extracted)) return false;
    return true;
  };
}

const ABSENT_AND_EXTRACTOR_WARNING = (key: string): string =>
  `The field ${key} is checked with both absence and another extractor, this test can never be true.`;
const PRESENT_AND_EXTRACTOR_WARNING = (key: string): string =>
  `The field ${key} is checked with both present and another extractor, this is redundant as extractors imply presence. It may also overwrite the result of the extractor.`;

/** Tremor's warnings for a field that is both extracted and tested for presence or absence. */
function warnAboutExtractorFields(pattern: RecordPattern, scope: Scope): void {
  for (const field of pattern.fields) {
    if (field.kind !== 'extract') continue;
    const others = pattern.fields.filter((other) => other.key === field.key);
    if (others.some((other) => other.kind === 'absent')) scope.context.warn(pattern.loc, ABSENT_AND_EXTRACTOR_WARNING(field.key));
    if (others.some((other) => other.kind === 'present')) scope.context.warn(pattern.loc, PRESENT_AND_EXTRACTOR_WARNING(field.key));
  }
}

function compileExtractor(spec: ExtractorSpec, scope: Scope): Extractor {
  try {
    return createExtractor(spec.name, spec.rule);
  } catch (error) {
    // A SyntaxError: a rule translated into a RegExp that JavaScript rejects (`glob|[z-a]|`).
    if (!(error instanceof ExtractorRuleError) && !(error instanceof SyntaxError)) throw error;
    throw scope.context.compileError(spec.loc, `Invalid extractor ${spec.name}|${spec.rule}|: ${error.message}`);
  }
}

const ORDER_TESTS: Record<string, (order: number) => boolean> = {
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '==': () => false,
  '!=': () => false,
};
