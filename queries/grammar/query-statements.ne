# Statement rules trickle (queries/grammar/trickle.ne) and troy pipeline bodies
# (queries/grammar/troy.ne) share; included by both, never compiled on its own. The including
# grammar imports the helpers the actions use (build.ts) and the expression rules (expressions.ne).
# `%token` needs the lexer declared in this file too: nearley compiles each included file on its own.
@lexer lexer

Select -> %SELECT SelectTarget %FROM StreamPort Windows:? (%WHERE ComplexExpr):? (%GROUP %BY GroupDef):? %INTO StreamPort (%HAVING ComplexExpr):?
      {% (d) => ({ kind: 'select', target: d[1], from: d[3], windows: d[4] ?? undefined, where: d[5] ? d[5][1] : undefined, groupBy: d[6] ? d[6][2] : undefined, into: d[8], having: d[9] ? d[9][1] : undefined, loc: span(d[0], d[9] ? d[9][1] : d[8]) }) %}

# `from in[w1, w2]`: the windows of a tilt frame, in order; a trailing comma is allowed.
Windows -> %lbracket WindowRef (%comma WindowRef):* %comma:? %rbracket   {% (d) => list(d[1], d[2]) %}
WindowRef -> (Ident %coloncolon):* Ident
      {% (d) => ({ module: d[0].map((p: any) => p[0].value), name: d[1].value, loc: span(d[0].length ? d[0][0][0] : d[1], d[1]) }) %}

# `group by e`, `group by set(a, each(b), ...)`, `group by each(e)`.
GroupDef -> Expr                                             {% (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc }) %}
  | %SET %lparen GroupDef (%comma GroupDef):* %comma:? %rparen
      {% (d) => ({ kind: 'set', items: list(d[2], d[3]), loc: span(d[0], d[5]) }) %}
  | %EACH %lparen Expr %rparen                               {% (d) => ({ kind: 'each', expr: d[2], loc: span(d[0], d[3]) }) %}

# `define tumbling window w with size = 10 end`, optionally with a script whose value weighs
# (size) or timestamps (interval) each event: `with size = 4 script 2 end`.
DefineWindow -> %DEFINE (%TUMBLING | %SLIDING) %WINDOW Ident %WITH WithParams (%SCRIPT ScriptItems %semi:?):? %END
      {% (d) => ({ kind: 'defineWindow', windowKind: d[1][0].text, name: d[3].value, params: d[5], script: d[6] ? d[6][1] : undefined, loc: span(d[0], d[7]) }) %}
# Tremor 0.12 (troy pipelines): `define window w from tumbling with size = 10 end`.
DefineWindowFrom -> %DEFINE %WINDOW Ident %FROM (%TUMBLING | %SLIDING) %WITH WithParams (%SCRIPT ScriptItems %semi:?):? %END
      {% (d) => ({ kind: 'defineWindow', windowKind: d[4][0].text, name: d[2].value, params: d[6], script: d[7] ? d[7][1] : undefined, loc: span(d[0], d[8]) }) %}

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
