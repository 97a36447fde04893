# The trickle grammar (Tremor v0.11 query language, trickle-spec §2, §3, §5, §7).
# Semantic actions only build AST nodes (queries/ast.ts); every check is in queries/compile/.
# Regenerate with `npm run grammar`; `npm run grammar:check` fails when the generated file is stale.
@preprocessor typescript
@{%
import { tokenStream as lexer } from '../lexer/token-stream.ts';
import { binary, list, modulePath, path, span, stringExpr, tokenLoc, withParam } from './build.ts';
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
  | Select                                                   {% id %}
  | QueryModDefn                                             {% id %}

# A query's `mod` may hold definitions (`define … operator`, `define script`, …) beside `use`,
# `const`, `fn` and nested modules; the compiler rejects the statements that are not definitions.
QueryModDefn -> %MOD Ident %WITH QueryModuleItem (%semi QueryModuleItem):* %semi:? %END
      {% (d) => ({ kind: 'module', name: d[1].value, items: list(d[3], d[4]), loc: span(d[0], d[6]) }) %}
QueryModuleItem -> Statement                                 {% id %}
  | ConstDefn                                                {% id %}
  | FnDefn                                                   {% id %}

@include "query-statements.ne"
@include "expressions.ne"
