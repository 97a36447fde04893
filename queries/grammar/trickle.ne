# The trickle grammar (Tremor v0.11 query language, trickle-spec §2, §3, §5, §7).
# Semantic actions only build AST nodes (queries/ast.ts); every check is in queries/compile/.
# Regenerate with `npm run grammar`; `npm run grammar:check` fails when the generated file is stale.
@preprocessor typescript
@{%
import { tokenStream as lexer } from '../lexer/token-stream.ts';
import { binary, list, path, span, stringExpr, tokenLoc, withParam } from './build.ts';
%}
@lexer lexer

# ---------------------------------------------------------------------------------------------
# Entry points: a query file, or a script file. The parser is started at one of them.

Query -> Statements %semi:?                                  {% (d) => d[0] %}

# Statements are separated by `;`. The seed's operator definition without `with … end` may be
# followed by the next statement directly (the scraped docs lost the `end;`), so a list that ends
# with one (AfterBareDefine) may go on without a `;`.
Statements -> Item                                           {% (d) => [d[0]] %}
  | Statements %semi Item                                    {% (d) => [...d[0], d[2]] %}
  | AfterBareDefine Item                                     {% (d) => [...d[0], d[1]] %}
AfterBareDefine -> BareDefine                                {% (d) => [d[0]] %}
  | Statements %semi BareDefine                              {% (d) => [...d[0], d[2]] %}
  | AfterBareDefine BareDefine                               {% (d) => [...d[0], d[1]] %}
Item -> Statement                                            {% id %}
  | BareDefine                                               {% id %}
BareDefine -> %DEFINE %ident %coloncolon %ident %OPERATOR %ident WithParams
      {% (d) => ({ kind: 'defineOperator', module: d[1].value, type: d[3].value, name: d[5].value, params: d[6], withoutWith: true, loc: span(d[0], d[6][d[6].length - 1]) }) %}

Script -> ScriptItems %semi:?                                {% (d) => d[0] %}

Statement -> Use                                             {% id %}
  | %DEFINE %ident %coloncolon %ident %OPERATOR %ident WithEnd:?
      {% (d) => ({ kind: 'defineOperator', module: d[1].value, type: d[3].value, name: d[5].value, params: d[6] ?? undefined, withoutWith: false, loc: span(d[0], d[6] ? d[6].last : d[5]) }) %}
  | %CREATE %OPERATOR %ident CreateFrom:? WithEnd:?
      {% (d) => ({ kind: 'createOperator', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) }) %}
  | %DEFINE %SCRIPT %ident (%WITH WithParams):? %SCRIPT ScriptItems %semi:? %END
      {% (d) => ({ kind: 'defineScript', name: d[2].value, params: d[3] ? d[3][1] : undefined, body: d[5], loc: span(d[0], d[7]) }) %}
  | %CREATE %SCRIPT %ident CreateFrom:? WithEnd:?
      {% (d) => ({ kind: 'createScript', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) }) %}
  | %CREATE %STREAM %ident
      {% (d) => ({ kind: 'createStream', name: d[2].value, loc: span(d[0], d[2]) }) %}
  | %SELECT SelectTarget %FROM StreamPort (%WHERE ComplexExpr):? %INTO StreamPort (%HAVING ComplexExpr):?
      {% (d) => ({ kind: 'select', target: d[1], from: d[3], where: d[4] ? d[4][1] : undefined, into: d[6], having: d[7] ? d[7][1] : undefined, loc: span(d[0], d[7] ? d[7][1] : d[6]) }) %}

# `with a = 1, b = 2 end`: a trailing comma is allowed.
WithEnd -> %WITH WithParams %END                             {% (d) => Object.assign(d[1], { last: d[2] }) %}
WithParams -> WithParam (%comma WithParam):* %comma:?        {% (d) => list(d[0], d[1]) %}
WithParam -> Ident %eq Expr                                  {% (d) => withParam(d[0], d[2]) %}

CreateFrom -> %FROM (Ident %coloncolon):* Ident              {% (d) => ({ module: d[1].map((p: any) => p[0].value), name: d[2].value, last: d[2] }) %}

StreamPort -> Ident                                          {% (d) => ({ node: d[0].value, loc: tokenLoc(d[0]) }) %}
  | Ident %slash Ident                                       {% (d) => ({ node: d[0].value, port: d[2].value, loc: span(d[0], d[2]) }) %}

# The seed writes `select patch event of insert hostname = … from in …` without the patch's `end`.
SelectTarget -> ComplexExpr                                  {% id %}
  | %PATCH ComplexExpr %OF PatchOperations
      {% (d) => ({ kind: 'patch', target: d[1], operations: d[3], missingEnd: true, loc: span(d[0], d[3][d[3].length - 1]) }) %}

# Identifiers: `in`, `out`, `err` … are plain identifiers (not keywords).
Ident -> %ident                                              {% id %}

Use -> %USE Ident (%coloncolon Ident):* (%AS Ident):?
  {% (d) => ({ kind: 'use', path: [d[1].value, ...d[2].map((p: any) => p[1].value)], alias: d[3] ? d[3][1].value : undefined, loc: span(d[0], d[3] ? d[3][1] : d[2].length ? d[2][d[2].length - 1][1] : d[1]) }) %}

# ---------------------------------------------------------------------------------------------
# Script bodies

ScriptItems -> ScriptItem (%semi ScriptItem):*               {% (d) => list(d[0], d[1]) %}
ScriptItem -> ScriptExpr                                     {% id %}
  | Use                                                      {% id %}
  | %CONST Ident %eq Expr                                    {% (d) => ({ kind: 'const', name: d[1].value, value: d[3], loc: span(d[0], d[3]) }) %}

# Expressions that may change the event or the script's flow (let, emit, drop).
ScriptExpr -> ComplexExpr                                    {% id %}
  | %LET Path %eq ScriptExpr                                 {% (d) => ({ kind: 'let', target: d[1], value: d[3], loc: span(d[0], d[3]) }) %}
  | %DROP                                                    {% (d) => ({ kind: 'drop', loc: tokenLoc(d[0]) }) %}
  | %EMIT                                                    {% (d) => ({ kind: 'emit', loc: tokenLoc(d[0]) }) %}
  | %EMIT ComplexExpr                                        {% (d) => ({ kind: 'emit', value: d[1], loc: span(d[0], d[1]) }) %}
  | %EMIT %arrow String                                      {% (d) => ({ kind: 'emit', port: d[2], loc: span(d[0], d[2]) }) %}
  | %EMIT ComplexExpr %arrow String                          {% (d) => ({ kind: 'emit', value: d[1], port: d[3], loc: span(d[0], d[3]) }) %}

# ---------------------------------------------------------------------------------------------
# Expressions, lowest precedence first; every binary level is left-associative.

ComplexExpr -> Expr                                          {% id %}
  | Match                                                    {% id %}

Expr -> OrExpr                                               {% id %}
OrExpr -> OrExpr %OR XorExpr                                 {% (d) => binary(d[0], d[1], d[2]) %}
  | XorExpr                                                  {% id %}
XorExpr -> XorExpr %XOR AndExpr                              {% (d) => binary(d[0], d[1], d[2]) %}
  | AndExpr                                                  {% id %}
AndExpr -> AndExpr %AND EqExpr                               {% (d) => binary(d[0], d[1], d[2]) %}
  | EqExpr                                                   {% id %}
EqExpr -> EqExpr (%eqeq | %neq) CmpExpr                      {% (d) => binary(d[0], d[1][0], d[2]) %}
  | CmpExpr                                                  {% id %}
CmpExpr -> CmpExpr (%gte | %gt | %lte | %lt) AddExpr         {% (d) => binary(d[0], d[1][0], d[2]) %}
  | AddExpr                                                  {% id %}
AddExpr -> AddExpr (%plus | %minus) MulExpr                  {% (d) => binary(d[0], d[1][0], d[2]) %}
  | MulExpr                                                  {% id %}
MulExpr -> MulExpr (%star | %slash | %percent) UnaryExpr     {% (d) => binary(d[0], d[1][0], d[2]) %}
  | UnaryExpr                                                {% id %}
UnaryExpr -> (%plus | %minus) UnaryExpr                      {% (d) => ({ kind: 'unary', op: d[0][0].text, operand: d[1], loc: span(d[0][0], d[1]) }) %}
  | NotExpr                                                  {% id %}
NotExpr -> %NOT NotExpr                                      {% (d) => ({ kind: 'unary', op: 'not', operand: d[1], loc: span(d[0], d[1]) }) %}
  | %bang NotExpr                                            {% (d) => ({ kind: 'unary', op: '!', operand: d[1], loc: span(d[0], d[1]) }) %}
  | PresenceExpr                                             {% id %}
PresenceExpr -> (%PRESENT | %ABSENT) Path                    {% (d) => ({ kind: 'presence', negate: d[0][0].type === 'ABSENT', path: d[1], loc: span(d[0][0], d[1]) }) %}
  | Primary                                                  {% id %}

Primary -> %lparen ComplexExpr %rparen                       {% (d) => d[1] %}
  | Literal                                                  {% id %}
  | String                                                   {% id %}
  | Record                                                   {% id %}
  | List                                                     {% id %}
  | Path                                                     {% id %}
  | Invoke                                                   {% id %}
  | Patch                                                    {% id %}
  | Merge                                                    {% id %}

Literal -> (%int | %float)                                   {% (d) => ({ kind: 'literal', value: d[0][0].value, isFloat: d[0][0].type === 'float', loc: tokenLoc(d[0][0]) }) %}
  | %TRUE                                                    {% (d) => ({ kind: 'literal', value: true, loc: tokenLoc(d[0]) }) %}
  | %FALSE                                                   {% (d) => ({ kind: 'literal', value: false, loc: tokenLoc(d[0]) }) %}
  | %NULL                                                    {% (d) => ({ kind: 'literal', value: null, loc: tokenLoc(d[0]) }) %}

String -> %strStart StringPart:* %strEnd                     {% (d) => stringExpr(d[0], d[1], d[2]) %}
StringPart -> %strChunk                                      {% id %}
  | %interpStart ComplexExpr %interpEnd                      {% (d) => d[1] %}

Record -> %lbrace %rbrace                                    {% (d) => ({ kind: 'record', fields: [], loc: span(d[0], d[1]) }) %}
  | %lbrace Field (%comma Field):* %comma:? %rbrace          {% (d) => ({ kind: 'record', fields: list(d[1], d[2]), loc: span(d[0], d[4]) }) %}
Field -> String %colon ComplexExpr                           {% (d) => ({ key: d[0], value: d[2] }) %}

List -> %lbracket %rbracket                                  {% (d) => ({ kind: 'list', items: [], loc: span(d[0], d[1]) }) %}
  | %lbracket ComplexExpr (%comma ComplexExpr):* %comma:? %rbracket
      {% (d) => ({ kind: 'list', items: list(d[1], d[2]), loc: span(d[0], d[4]) }) %}

Invoke -> (Ident %coloncolon):* Ident %lparen %rparen
      {% (d) => ({ kind: 'invoke', module: d[0].map((p: any) => p[0].value), name: d[1].value, args: [], loc: span(d[0].length ? d[0][0][0] : d[1], d[3]) }) %}
  | (Ident %coloncolon):* Ident %lparen ComplexExpr (%comma ComplexExpr):* %comma:? %rparen
      {% (d) => ({ kind: 'invoke', module: d[0].map((p: any) => p[0].value), name: d[1].value, args: list(d[3], d[4]), loc: span(d[0].length ? d[0][0][0] : d[1], d[6]) }) %}

Path -> %EVENT Segment:*                                     {% (d) => path(d[0], 'event', d[1]) %}
  | %STATE Segment:*                                         {% (d) => path(d[0], 'state', d[1]) %}
  | %ARGS Segment:*                                          {% (d) => path(d[0], 'args', d[1]) %}
  | %dollar                                                  {% (d) => path(d[0], 'meta', []) %}
  | %dollar Ident Segment:*
      {% (d) => path(d[0], 'meta', [{ kind: 'key', name: d[1].value, loc: tokenLoc(d[1]) }, ...d[2]]) %}
  | Ident Segment:*                                          {% (d) => path(d[0], 'local', d[1], d[0].value) %}

Segment -> %dot Ident                                        {% (d) => ({ kind: 'key', name: d[1].value, loc: tokenLoc(d[1]) }) %}
  | %lbracket ComplexExpr %rbracket                          {% (d) => ({ kind: 'index', expr: d[1], loc: span(d[1], d[1]) }) %}
  | %lbracket ComplexExpr %colon ComplexExpr %rbracket       {% (d) => ({ kind: 'range', start: d[1], end: d[3], loc: span(d[1], d[3]) }) %}

# ---------------------------------------------------------------------------------------------
# patch / merge (§5). No trailing comma in the operation list.

Patch -> %PATCH ComplexExpr %OF PatchOperations %END
  {% (d) => ({ kind: 'patch', target: d[1], operations: d[3], missingEnd: false, loc: span(d[0], d[4]) }) %}
PatchOperations -> PatchOperation (%comma PatchOperation):*  {% (d) => list(d[0], d[1]) %}
PatchOperation -> (%INSERT | %UPSERT | %UPDATE | %MERGE) ComplexExpr %arrow ComplexExpr
      {% (d) => ({ kind: d[0][0].text, key: d[1], value: d[3], loc: span(d[0][0], d[3]) }) %}
  | %ERASE ComplexExpr                                       {% (d) => ({ kind: 'erase', key: d[1], loc: span(d[0], d[1]) }) %}
  | %MERGE %arrow ComplexExpr                                {% (d) => ({ kind: 'mergeAll', value: d[2], loc: span(d[0], d[2]) }) %}
  | (%MOVE | %COPY) ComplexExpr %arrow ComplexExpr          {% (d) => ({ kind: d[0][0].text, key: d[1], to: d[3], loc: span(d[0][0], d[3]) }) %}
  # Seed compatibility: `insert hostname = expr` means `insert "hostname" => expr`.
  | (%INSERT | %UPSERT | %UPDATE | %MERGE) Ident %eq Expr
      {% (d) => ({ kind: d[0][0].text, key: { kind: 'string', parts: [d[1].value], loc: tokenLoc(d[1]) }, value: d[3], compatKey: d[1].value, loc: span(d[0][0], d[3]) }) %}

Merge -> %MERGE ComplexExpr %OF ComplexExpr %END             {% (d) => ({ kind: 'merge', target: d[1], spec: d[3], loc: span(d[0], d[4]) }) %}

# ---------------------------------------------------------------------------------------------
# match (§7)

Match -> %MATCH ComplexExpr %OF MatchClause:+ %END           {% (d) => ({ kind: 'match', target: d[1], clauses: d[3], loc: span(d[0], d[4]) }) %}
# A guard may be any expression but let, emit and drop: a `match` too, as in Tremor.
MatchClause -> %CASE Pattern (%WHEN ComplexExpr):? %arrow Effectors
      {% (d) => ({ pattern: d[1], guard: d[2] ? d[2][1] : undefined, body: d[4], loc: span(d[0], d[4][d[4].length - 1]) }) %}
  | %DEFAULT %arrow Effectors                                {% (d) => ({ body: d[2], loc: span(d[0], d[2][d[2].length - 1]) }) %}
Effectors -> ScriptExpr (%comma ScriptExpr):*                {% (d) => list(d[0], d[1]) %}

Pattern -> %underscore                                       {% (d) => ({ kind: 'any', loc: tokenLoc(d[0]) }) %}
  | Ident %eq Pattern                                        {% (d) => ({ kind: 'bind', name: d[0].value, pattern: d[2], loc: span(d[0], d[2]) }) %}
  | RecordPattern                                            {% id %}
  | Expr                                                     {% (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc }) %}

RecordPattern -> %pctbrace %rbrace                           {% (d) => ({ kind: 'record', fields: [], loc: span(d[0], d[1]) }) %}
  | %pctbrace RecordPatternField (%comma RecordPatternField):* %comma:? %rbrace
      {% (d) => ({ kind: 'record', fields: list(d[1], d[2]), loc: span(d[0], d[4]) }) %}
RecordPatternField -> (%PRESENT | %ABSENT) Ident             {% (d) => ({ kind: d[0][0].text, key: d[1].value, loc: span(d[0][0], d[1]) }) %}
  | Ident (%eqeq | %neq | %gt | %gte | %lt | %lte) Expr      {% (d) => ({ kind: 'compare', key: d[0].value, op: d[1][0].text, expr: d[2], loc: span(d[0], d[2]) }) %}
  | Ident %tildeeq RecordPattern                             {% (d) => ({ kind: 'nested', key: d[0].value, pattern: d[2], loc: span(d[0], d[2]) }) %}
