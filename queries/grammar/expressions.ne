# Expression rules trickle (queries/grammar/trickle.ne) and troy (queries/grammar/troy.ne) share:
# script bodies, expressions, literals, paths, patch, merge and match. Included by both grammars,
# never compiled on its own; the including grammar imports the helpers the actions use (build.ts).
# `%token` needs the lexer declared in this file too: nearley compiles each included file on its own.
@lexer lexer

# ---------------------------------------------------------------------------------------------
# Script bodies

ScriptItems -> ScriptItem (%semi ScriptItem):*               {% (d) => list(d[0], d[1]) %}
ScriptItem -> ScriptExpr                                     {% id %}
  | ModuleItem                                               {% id %}

# What a `mod NAME with … end` holds; at a script's top level these sit beside expressions.
ModuleItem -> Use                                            {% id %}
  | ConstDefn                                                {% id %}
  | FnDefn                                                   {% id %}
  | ModDefn                                                  {% id %}
ConstDefn -> %CONST Ident %eq Expr                           {% (d) => ({ kind: 'const', name: d[1].value, value: d[3], loc: span(d[0], d[3]) }) %}

# ---------------------------------------------------------------------------------------------
# Functions and modules (`fn … with … end`, `fn … of case (…) => … end`, `mod … with … end`)

FnDefn -> %FN Ident %lparen FnParamList %rparen %WITH FnBody %END
      {% (d) => ({ kind: 'function', name: d[1].value, nameLoc: tokenLoc(d[1]), ...d[3], body: d[6], loc: span(d[0], d[7]) }) %}
  # As in Tremor's grammar, the cases end with exactly one `default`.
  | %FN Ident %lparen FnParamList %rparen %OF FnCase:* FnDefault %END
      {% (d) => ({ kind: 'function', name: d[1].value, nameLoc: tokenLoc(d[1]), ...d[3], cases: [...d[6], d[7]], loc: span(d[0], d[8]) }) %}
FnParamList -> null                                          {% () => ({ params: [], varargs: false }) %}
  | %ellipsis                                                {% () => ({ params: [], varargs: true }) %}
  | Ident (%comma Ident):* (%comma %ellipsis):?              {% (d) => ({ params: list(d[0], d[1]).map((t: any) => t.value), varargs: d[2] !== null }) %}
FnBody -> ScriptExpr (%semi ScriptExpr):* %semi:?            {% (d) => list(d[0], d[1]) %}
FnCase -> %CASE %lparen PredicatePatterns %rparen (%WHEN ComplexExpr):? %arrow Effectors
      {% (d) => ({ patterns: d[2], guard: d[4] ? d[4][1] : undefined, body: d[6], loc: span(d[0], d[6][d[6].length - 1]) }) %}
FnDefault -> %DEFAULT %arrow Effectors                       {% (d) => ({ body: d[2], loc: span(d[0], d[2][d[2].length - 1]) }) %}

ModDefn -> %MOD Ident %WITH ModuleItem (%semi ModuleItem):* %semi:? %END
      {% (d) => ({ kind: 'module', name: d[1].value, items: list(d[3], d[4]), loc: span(d[0], d[6]) }) %}

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
  | For                                                      {% id %}

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
  | Recur                                                    {% id %}

Recur -> %RECUR %lparen %rparen                              {% (d) => ({ kind: 'recur', args: [], loc: span(d[0], d[2]) }) %}
  | %RECUR %lparen ComplexExpr (%comma ComplexExpr):* %comma:? %rparen
      {% (d) => ({ kind: 'recur', args: list(d[2], d[3]), loc: span(d[0], d[5]) }) %}

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
  # A constant in a module: `c::one`, `snot::badger::color[0]`.
  | (Ident %coloncolon):+ Ident Segment:*                    {% (d) => modulePath(d[0].map((p: any) => p[0]), d[1], d[2]) %}

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
  | ArrayPattern                                             {% id %}
  | TuplePattern                                             {% id %}
  | Expr                                                     {% (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc }) %}

# `%[ … ]` searches an array for each item; `%( … )` matches it position by position (`...`: more may follow).
ArrayPattern -> %pctbracket %rbracket                        {% (d) => ({ kind: 'array', items: [], loc: span(d[0], d[1]) }) %}
  | %pctbracket PredicatePatterns %comma:? %rbracket         {% (d) => ({ kind: 'array', items: d[1], loc: span(d[0], d[3]) }) %}
TuplePattern -> %pctparen %rparen                            {% (d) => ({ kind: 'tuple', items: [], open: false, loc: span(d[0], d[1]) }) %}
  | %pctparen %ellipsis %rparen                              {% (d) => ({ kind: 'tuple', items: [], open: true, loc: span(d[0], d[2]) }) %}
  | %pctparen PredicatePatterns %comma:? %rparen             {% (d) => ({ kind: 'tuple', items: d[1], open: false, loc: span(d[0], d[3]) }) %}
  | %pctparen PredicatePatterns %comma %ellipsis %rparen     {% (d) => ({ kind: 'tuple', items: d[1], open: true, loc: span(d[0], d[4]) }) %}
PredicatePatterns -> PredicatePattern (%comma PredicatePattern):*   {% (d) => list(d[0], d[1]) %}
PredicatePattern -> %underscore                              {% (d) => ({ kind: 'any', loc: tokenLoc(d[0]) }) %}
  | RecordPattern                                            {% id %}
  | ArrayPattern                                             {% id %}
  | TuplePattern                                             {% id %}
  | Expr                                                     {% (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc }) %}

# ---------------------------------------------------------------------------------------------
# for comprehensions: `for T of case (k, v) [when G] => e, … end`

For -> %FOR ComplexExpr %OF ForCase:+ %END                   {% (d) => ({ kind: 'for', target: d[1], cases: d[3], loc: span(d[0], d[4]) }) %}
ForCase -> %CASE %lparen Ident %comma Ident %rparen (%WHEN ComplexExpr):? %arrow Effectors
      {% (d) => ({ key: d[2].value, value: d[4].value, guard: d[6] ? d[6][1] : undefined, body: d[8], loc: span(d[0], d[8][d[8].length - 1]) }) %}

RecordPattern -> %pctbrace %rbrace                           {% (d) => ({ kind: 'record', fields: [], loc: span(d[0], d[1]) }) %}
  | %pctbrace RecordPatternField (%comma RecordPatternField):* %comma:? %rbrace
      {% (d) => ({ kind: 'record', fields: list(d[1], d[2]), loc: span(d[0], d[4]) }) %}
RecordPatternField -> (%PRESENT | %ABSENT) Ident             {% (d) => ({ kind: d[0][0].text, key: d[1].value, loc: span(d[0][0], d[1]) }) %}
  | Ident (%eqeq | %neq | %gt | %gte | %lt | %lte) Expr      {% (d) => ({ kind: 'compare', key: d[0].value, op: d[1][0].text, expr: d[2], loc: span(d[0], d[2]) }) %}
  | Ident %tildeeq RecordPattern                             {% (d) => ({ kind: 'nested', key: d[0].value, pattern: d[2], loc: span(d[0], d[2]) }) %}
  | Ident %tildeeq (ArrayPattern | TuplePattern)             {% (d) => ({ kind: 'nested', key: d[0].value, pattern: d[2][0], loc: span(d[0], d[2][0]) }) %}
