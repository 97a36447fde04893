# The troy grammar (Tremor 0.12 deployments: reference/troy-and-connectors.md §1.2).
# Semantic actions only build AST nodes (queries/troy/ast.ts); every check is in queries/troy/deploy.ts.
# Expressions and the statements a pipeline body shares with trickle come from the same included
# files as trickle.ne. Regenerate with `npm run grammar`; `npm run grammar:check` fails when stale.
#
# Every list is Tremor's `SEP`: one or more items, an optional trailing delimiter.
@preprocessor typescript
@{%
import { tokenStream as lexer } from '../lexer/token-stream.ts';
import { binary, list, modulePath, named, path, span, stringExpr, tokenLoc, withParam } from './build.ts';

/** `WithEnd` yields the params with its `end` token attached; the troy AST keeps the params' span. */
function withClause(first: any, clause: any) {
  return { params: [...clause], loc: span(first, clause.last) };
}

/** A 0.12 script's `args` defaults are the trickle compiler's script params. */
function scriptParams(args: any[] | null) {
  if (!args) return undefined;
  return args
    .filter((arg) => arg.default)
    .map((arg) => ({ name: arg.name, value: arg.default, loc: arg.loc, nameLoc: { start: arg.loc.start, end: arg.loc.start + arg.name.length } }));
}
%}
@lexer lexer

# ---------------------------------------------------------------------------------------------
# Entry points: a deployment (a `.troy` file), or a module file found by `use`.

Deployment -> DeploymentStatement (%semi DeploymentStatement):* %semi:?   {% (d) => list(d[0], d[1]) %}
DeploymentStatement -> Use                                   {% id %}
  | DefineFlow                                               {% id %}
  | DeployFlow                                               {% id %}

Module -> ModuleStatement (%semi ModuleStatement):* %semi:?  {% (d) => list(d[0], d[1]) %}
ModuleStatement -> Use                                       {% id %}
  | %CONST Ident %eq Expr                                    {% (d) => ({ kind: 'const', name: d[1].value, value: d[3], loc: span(d[0], d[3]) }) %}
  | Fn                                                       {% id %}
  | DefineFlow                                               {% id %}
  | DefineConnector                                          {% id %}
  | DefinePipeline                                           {% id %}

# ---------------------------------------------------------------------------------------------
# Flows

DefineFlow -> %DEFINE %FLOW Ident ArgsClause:? %FLOW FlowStatement (%semi FlowStatement):* %semi:? %END
      {% (d) => ({ kind: 'defineFlow', name: named(d[2]), args: d[3] ?? [], body: list(d[5], d[6]), loc: span(d[0], d[8]) }) %}
FlowStatement -> Use                                         {% id %}
  | DefineConnector                                          {% id %}
  | DefinePipeline                                           {% id %}
  | Create                                                   {% id %}
  | Connect                                                  {% id %}

DeployFlow -> %DEPLOY %FLOW Ident (%FROM ModularTarget):? WithEnd:?
      {% (d) => ({ kind: 'deployFlow', alias: named(d[2]), from: d[3] ? d[3][1] : undefined, with: d[4] ? withClause(d[4][0], d[4]) : undefined, loc: span(d[0], d[4] ? d[4].last : d[3] ? d[3][1] : d[2]) }) %}

# `args a, b = 1,` before `with`, `flow` or `pipeline`.
ArgsClause -> %ARGS ArgDecl (%comma ArgDecl):* %comma:?      {% (d) => list(d[1], d[2]) %}
ArgDecl -> Ident                                             {% (d) => ({ name: d[0].value, loc: tokenLoc(d[0]) }) %}
  | Ident %eq Expr                                           {% (d) => ({ name: d[0].value, default: d[2], loc: span(d[0], d[2]) }) %}

ModularTarget -> (Ident %coloncolon):* Ident
      {% (d) => ({ module: d[0].map((p: any) => p[0].value), name: d[1].value, loc: span(d[0].length ? d[0][0][0] : d[1], d[1]) }) %}

# ---------------------------------------------------------------------------------------------
# Definitions and instances inside a flow

# The kind is one identifier; `args` is only allowed together with a `with … end`.
DefineConnector -> %DEFINE %CONNECTOR Ident %FROM Ident (ArgsClause:? WithEnd):?
      {% (d) => ({ kind: 'defineConnector', name: named(d[2]), connectorKind: named(d[4]), args: d[5]?.[0] ?? [], with: d[5] ? withClause(d[5][1][0], d[5][1]) : undefined, loc: span(d[0], d[5] ? d[5][1].last : d[4]) }) %}

DefinePipeline -> %DEFINE %PIPELINE Ident (%FROM Ports):? (%INTO Ports):? ArgsClause:? %PIPELINE PipelineBody %END
      {% (d) => ({ kind: 'definePipeline', name: named(d[2]), inputs: d[3]?.[1], outputs: d[4]?.[1], args: d[5] ?? [], body: d[7], loc: span(d[0], d[8]) }) %}
Ports -> Ident (%comma Ident):* %comma:?                     {% (d) => list(d[0], d[1]).map(named) %}

Create -> %CREATE (%CONNECTOR | %PIPELINE) Ident (%FROM ModularTarget):? WithEnd:?
      {% (d) => ({ kind: 'create', what: d[1][0].text, alias: named(d[2]), from: d[3] ? d[3][1] : undefined, with: d[4] ? withClause(d[4][0], d[4]) : undefined, loc: span(d[0], d[4] ? d[4].last : d[3] ? d[3][1] : d[2]) }) %}

# connector -> pipeline, pipeline -> connector, pipeline -> pipeline; never connector -> connector.
Connect -> %CONNECT %slash %CONNECTOR %slash Endpoint %TO %slash %PIPELINE %slash Endpoint
      {% (d) => ({ kind: 'connect', from: { what: 'connector', ...d[4], loc: span(d[2], d[4]) }, to: { what: 'pipeline', ...d[9], loc: span(d[7], d[9]) }, loc: span(d[0], d[9]) }) %}
  | %CONNECT %slash %PIPELINE %slash Endpoint %TO %slash (%CONNECTOR | %PIPELINE) %slash Endpoint
      {% (d) => ({ kind: 'connect', from: { what: 'pipeline', ...d[4], loc: span(d[2], d[4]) }, to: { what: d[7][0].text, ...d[9], loc: span(d[7][0], d[9]) }, loc: span(d[0], d[9]) }) %}
Endpoint -> Ident (%slash Ident):?
      {% (d) => ({ alias: named(d[0]), port: d[1] ? named(d[1][1]) : undefined, loc: span(d[0], d[1] ? d[1][1] : d[0]) }) %}

# ---------------------------------------------------------------------------------------------
# Pipeline bodies: trickle statements in their 0.12 forms, compiled by the trickle compiler.

PipelineBody -> PipelineStatement (%semi PipelineStatement):* %semi:?   {% (d) => list(d[0], d[1]) %}
PipelineStatement -> Use                                     {% id %}
  | Select                                                   {% id %}
  | %CREATE %STREAM Ident                                    {% (d) => ({ kind: 'createStream', name: d[2].value, loc: span(d[0], d[2]) }) %}
  | %DEFINE %SCRIPT Ident ArgsClause:? %SCRIPT ScriptItems %semi:? %END
      {% (d) => ({ kind: 'defineScript', name: d[2].value, params: scriptParams(d[3]), body: d[5], loc: span(d[0], d[7]) }) %}
  | %CREATE %SCRIPT Ident CreateFrom:? WithEnd:?
      {% (d) => ({ kind: 'createScript', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) }) %}
  | %DEFINE %OPERATOR Ident %FROM Ident %coloncolon Ident WithEnd:?
      {% (d) => ({ kind: 'defineOperator', module: d[4].value, type: d[6].value, name: d[2].value, params: d[7] ?? undefined, withoutWith: false, loc: span(d[0], d[7] ? d[7].last : d[6]) }) %}
  | %CREATE %OPERATOR Ident CreateFrom:? WithEnd:?
      {% (d) => ({ kind: 'createOperator', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) }) %}

# ---------------------------------------------------------------------------------------------
# Module functions

Fn -> %FN Ident %lparen FnParams:? %rparen %WITH ScriptItems %semi:? %END
      {% (d) => ({ kind: 'fn', name: named(d[1]), params: d[3] ?? [], body: d[6], loc: span(d[0], d[8]) }) %}
FnParams -> Ident (%comma Ident):*                           {% (d) => list(d[0], d[1]).map(named) %}

@include "query-statements.ne"
@include "expressions.ne"
