/**
 * Troy source text -> troy AST, with the trickle lexer (troy's reserved words) and the troy
 * grammar. Syntax errors read as Tremor 0.12's ("Found the token `x` but expected …", its
 * expected-token names and NOTE hints). Where Tremor has no hint and the error sits where troy
 * needs a keyword it often loses in copy-pasted docs (`flow`, `with`, `end`, a closing brace),
 * the NOTE shows the construct's canonical form instead.
 */
import nearley from 'nearley';
import compiledGrammar from '../grammar/troy.generated.ts';
import { TROY_TERMINALS, expectedTerminals, type EarleyColumn } from '../diagnostics/expected-tokens.ts';
import { parseWith, type Language } from '../parse.ts';
import type { DeploymentStmt, ModuleStmt } from './ast.ts';

const deploymentGrammar = nearley.Grammar.fromCompiled(compiledGrammar as unknown as nearley.CompiledRules);
const moduleGrammar = nearley.Grammar.fromCompiled({
  ...(compiledGrammar as unknown as nearley.CompiledRules),
  ParserStart: 'Module',
});

const TROY: Language = {
  keywords: TROY_TERMINALS.keywords,
  tremor: TROY_TERMINALS,
  showsFinalEmptyLine: false,
  fallbackHint: canonicalFormHint,
};

/** A `.troy` file: `use`, `define flow` and `deploy flow` statements. */
export function parseDeployment(source: string, file: string): DeploymentStmt[] {
  return parseWith(deploymentGrammar, source, file, TROY) as DeploymentStmt[];
}

/** A module file found by `use`: `use`, `const`, `fn` and flow, connector and pipeline definitions. */
export function parseModule(source: string, file: string): ModuleStmt[] {
  return parseWith(moduleGrammar, source, file, TROY) as ModuleStmt[];
}

/** nearley's Earley state, with the column it started in (nearley's typings do not expose it). */
interface StartedState {
  rule: { name: string; symbols: unknown[] };
  dot: number;
  reference: number;
}

const FLOW_FORM = 'A flow is `define flow NAME flow <statements, each ending in `;`> end;`';

/**
 * The canonical form of the construct being parsed, for the positions where a copy-paste
 * typically lost a keyword. Keyed by the innermost construct in progress and what may come next.
 */
function canonicalFormHint(column: EarleyColumn | undefined, found: string): string | undefined {
  const expected = new Set(expectedTerminals(column, TROY_TERMINALS));
  switch (innermostConstruct(column)) {
    case 'DefineFlow':
      if (expected.has('flow')) {
        return found === 'connector' || found === 'pipeline'
          ? `Connectors and pipelines are defined inside a flow. ${FLOW_FORM}`
          : `${FLOW_FORM}: \`flow\` follows the name (and its \`args\`)`;
      }
      if (expected.has('end')) return `${FLOW_FORM}: close the flow with \`end;\``;
      return undefined;
    case 'DefineConnector':
      if (found === 'flow') return `A flow cannot be defined inside another flow: close the enclosing flow with \`end;\` first. ${FLOW_FORM}`;
      if (expected.has('with')) {
        return 'A connector definition takes its settings in `with … end`: `define connector NAME from KIND with codec = "json", config = {"key": value} end;`';
      }
      return undefined;
    case 'DefinePipeline':
      if (found === 'flow') return `A flow cannot be defined inside another flow: close the enclosing flow with \`end;\` first. ${FLOW_FORM}`;
      return undefined;
    case 'Create':
      if (expected.has('with')) return 'Args are given in `with … end`: `create connector ALIAS from DEFINITION with NAME = value end;`';
      return undefined;
    case 'WithEnd':
      if (expected.has('end')) return 'A `with` block is `with NAME = value, NAME = value end`: `end` follows its last value';
      return undefined;
    case 'Record':
      if (expected.has('}')) return 'A record is `{"key": value, "key": value}`: close it with `}`';
      return undefined;
    default:
      return undefined;
  }
}

const CONSTRUCTS = new Set(['DefineFlow', 'DefineConnector', 'DefinePipeline', 'Create', 'WithEnd', 'Record']);

/**
 * The construct in progress (begun, not complete) that started last. nearley names a rule's sub-rules `Rule$ebnf$1`, …;
 * a sub-rule counts as its rule, but where a construct starts at the same token as a sub-rule of
 * the enclosing one (`with` opens both WithEnd and DefineConnector's optional settings), the
 * construct itself is the inner one.
 */
function innermostConstruct(column: EarleyColumn | undefined): string | undefined {
  let innermost: { name: string; rank: number } | undefined;
  for (const state of (column?.states ?? []) as unknown as StartedState[]) {
    const [name, ...subRule] = state.rule.name.split('$');
    const inProgress = state.dot > 0 && state.dot < state.rule.symbols.length;
    if (!inProgress || !CONSTRUCTS.has(name)) continue;
    const rank = state.reference * 2 + (subRule.length === 0 ? 1 : 0);
    if (!innermost || rank > innermost.rank) innermost = { name, rank };
  }
  return innermost?.name;
}
