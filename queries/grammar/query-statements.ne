# Statement rules trickle (queries/grammar/trickle.ne) and troy pipeline bodies
# (queries/grammar/troy.ne) share; included by both, never compiled on its own. The including
# grammar imports the helpers the actions use (build.ts) and the expression rules (expressions.ne).
# `%token` needs the lexer declared in this file too: nearley compiles each included file on its own.
@lexer lexer

Select -> %SELECT SelectTarget %FROM StreamPort (%WHERE ComplexExpr):? %INTO StreamPort (%HAVING ComplexExpr):?
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
