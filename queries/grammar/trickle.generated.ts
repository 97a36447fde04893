// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var semi: any;
declare var DEFINE: any;
declare var ident: any;
declare var coloncolon: any;
declare var OPERATOR: any;
declare var CREATE: any;
declare var SCRIPT: any;
declare var WITH: any;
declare var END: any;
declare var STREAM: any;
declare var MOD: any;
declare var SELECT: any;
declare var FROM: any;
declare var WHERE: any;
declare var INTO: any;
declare var HAVING: any;
declare var WITH: any;
declare var END: any;
declare var comma: any;
declare var eq: any;
declare var coloncolon: any;
declare var slash: any;
declare var PATCH: any;
declare var OF: any;
declare var ident: any;
declare var USE: any;
declare var AS: any;
declare var semi: any;
declare var CONST: any;
declare var eq: any;
declare var FN: any;
declare var lparen: any;
declare var rparen: any;
declare var WITH: any;
declare var END: any;
declare var OF: any;
declare var ellipsis: any;
declare var comma: any;
declare var CASE: any;
declare var WHEN: any;
declare var arrow: any;
declare var DEFAULT: any;
declare var MOD: any;
declare var LET: any;
declare var DROP: any;
declare var EMIT: any;
declare var OR: any;
declare var XOR: any;
declare var AND: any;
declare var eqeq: any;
declare var neq: any;
declare var gte: any;
declare var gt: any;
declare var lte: any;
declare var lt: any;
declare var plus: any;
declare var minus: any;
declare var star: any;
declare var slash: any;
declare var percent: any;
declare var NOT: any;
declare var bang: any;
declare var PRESENT: any;
declare var ABSENT: any;
declare var RECUR: any;
declare var int: any;
declare var float: any;
declare var TRUE: any;
declare var FALSE: any;
declare var NULL: any;
declare var strStart: any;
declare var strEnd: any;
declare var strChunk: any;
declare var interpStart: any;
declare var interpEnd: any;
declare var lbrace: any;
declare var rbrace: any;
declare var colon: any;
declare var lbracket: any;
declare var rbracket: any;
declare var coloncolon: any;
declare var EVENT: any;
declare var STATE: any;
declare var ARGS: any;
declare var dollar: any;
declare var dot: any;
declare var PATCH: any;
declare var INSERT: any;
declare var UPSERT: any;
declare var UPDATE: any;
declare var MERGE: any;
declare var ERASE: any;
declare var MOVE: any;
declare var COPY: any;
declare var MATCH: any;
declare var underscore: any;
declare var pctbracket: any;
declare var pctparen: any;
declare var FOR: any;
declare var pctbrace: any;
declare var tildeeq: any;

import { tokenStream as lexer } from '../lexer/token-stream.ts';
import { binary, list, modulePath, path, span, stringExpr, tokenLoc, withParam } from './build.ts';

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "Query$ebnf$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "Query$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "Query", "symbols": ["Statements", "Query$ebnf$1"], "postprocess": (d) => d[0]},
    {"name": "Statements", "symbols": ["Item"], "postprocess": (d) => [d[0]]},
    {"name": "Statements", "symbols": ["Statements", (lexer.has("semi") ? {type: "semi"} : semi), "Item"], "postprocess": (d) => [...d[0], d[2]]},
    {"name": "Statements", "symbols": ["AfterBareDefine", "Item"], "postprocess": (d) => [...d[0], d[1]]},
    {"name": "AfterBareDefine", "symbols": ["BareDefine"], "postprocess": (d) => [d[0]]},
    {"name": "AfterBareDefine", "symbols": ["Statements", (lexer.has("semi") ? {type: "semi"} : semi), "BareDefine"], "postprocess": (d) => [...d[0], d[2]]},
    {"name": "AfterBareDefine", "symbols": ["AfterBareDefine", "BareDefine"], "postprocess": (d) => [...d[0], d[1]]},
    {"name": "Item", "symbols": ["Statement"], "postprocess": id},
    {"name": "Item", "symbols": ["BareDefine"], "postprocess": id},
    {"name": "BareDefine", "symbols": [(lexer.has("DEFINE") ? {type: "DEFINE"} : DEFINE), (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon), (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("OPERATOR") ? {type: "OPERATOR"} : OPERATOR), (lexer.has("ident") ? {type: "ident"} : ident), "WithParams"], "postprocess": (d) => ({ kind: 'defineOperator', module: d[1].value, type: d[3].value, name: d[5].value, params: d[6], withoutWith: true, loc: span(d[0], d[6][d[6].length - 1]) })},
    {"name": "Script$ebnf$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "Script$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "Script", "symbols": ["ScriptItems", "Script$ebnf$1"], "postprocess": (d) => d[0]},
    {"name": "Statement", "symbols": ["Use"], "postprocess": id},
    {"name": "Statement$ebnf$1", "symbols": ["WithEnd"], "postprocess": id},
    {"name": "Statement$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "Statement", "symbols": [(lexer.has("DEFINE") ? {type: "DEFINE"} : DEFINE), (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon), (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("OPERATOR") ? {type: "OPERATOR"} : OPERATOR), (lexer.has("ident") ? {type: "ident"} : ident), "Statement$ebnf$1"], "postprocess": (d) => ({ kind: 'defineOperator', module: d[1].value, type: d[3].value, name: d[5].value, params: d[6] ?? undefined, withoutWith: false, loc: span(d[0], d[6] ? d[6].last : d[5]) })},
    {"name": "Statement$ebnf$2", "symbols": ["CreateFrom"], "postprocess": id},
    {"name": "Statement$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "Statement$ebnf$3", "symbols": ["WithEnd"], "postprocess": id},
    {"name": "Statement$ebnf$3", "symbols": [], "postprocess": () => null},
    {"name": "Statement", "symbols": [(lexer.has("CREATE") ? {type: "CREATE"} : CREATE), (lexer.has("OPERATOR") ? {type: "OPERATOR"} : OPERATOR), (lexer.has("ident") ? {type: "ident"} : ident), "Statement$ebnf$2", "Statement$ebnf$3"], "postprocess": (d) => ({ kind: 'createOperator', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) })},
    {"name": "Statement$ebnf$4$subexpression$1", "symbols": [(lexer.has("WITH") ? {type: "WITH"} : WITH), "WithParams"]},
    {"name": "Statement$ebnf$4", "symbols": ["Statement$ebnf$4$subexpression$1"], "postprocess": id},
    {"name": "Statement$ebnf$4", "symbols": [], "postprocess": () => null},
    {"name": "Statement$ebnf$5", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "Statement$ebnf$5", "symbols": [], "postprocess": () => null},
    {"name": "Statement", "symbols": [(lexer.has("DEFINE") ? {type: "DEFINE"} : DEFINE), (lexer.has("SCRIPT") ? {type: "SCRIPT"} : SCRIPT), (lexer.has("ident") ? {type: "ident"} : ident), "Statement$ebnf$4", (lexer.has("SCRIPT") ? {type: "SCRIPT"} : SCRIPT), "ScriptItems", "Statement$ebnf$5", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'defineScript', name: d[2].value, params: d[3] ? d[3][1] : undefined, body: d[5], loc: span(d[0], d[7]) })},
    {"name": "Statement$ebnf$6", "symbols": ["CreateFrom"], "postprocess": id},
    {"name": "Statement$ebnf$6", "symbols": [], "postprocess": () => null},
    {"name": "Statement$ebnf$7", "symbols": ["WithEnd"], "postprocess": id},
    {"name": "Statement$ebnf$7", "symbols": [], "postprocess": () => null},
    {"name": "Statement", "symbols": [(lexer.has("CREATE") ? {type: "CREATE"} : CREATE), (lexer.has("SCRIPT") ? {type: "SCRIPT"} : SCRIPT), (lexer.has("ident") ? {type: "ident"} : ident), "Statement$ebnf$6", "Statement$ebnf$7"], "postprocess": (d) => ({ kind: 'createScript', name: d[2].value, from: d[3] ?? undefined, params: d[4] ?? undefined, loc: span(d[0], d[4] ? d[4].at(-1) : d[3] ? d[3].last : d[2]) })},
    {"name": "Statement", "symbols": [(lexer.has("CREATE") ? {type: "CREATE"} : CREATE), (lexer.has("STREAM") ? {type: "STREAM"} : STREAM), (lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": (d) => ({ kind: 'createStream', name: d[2].value, loc: span(d[0], d[2]) })},
    {"name": "Statement", "symbols": ["Select"], "postprocess": id},
    {"name": "Statement", "symbols": ["QueryModDefn"], "postprocess": id},
    {"name": "QueryModDefn$ebnf$1", "symbols": []},
    {"name": "QueryModDefn$ebnf$1$subexpression$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi), "QueryModuleItem"]},
    {"name": "QueryModDefn$ebnf$1", "symbols": ["QueryModDefn$ebnf$1", "QueryModDefn$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "QueryModDefn$ebnf$2", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "QueryModDefn$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "QueryModDefn", "symbols": [(lexer.has("MOD") ? {type: "MOD"} : MOD), "Ident", (lexer.has("WITH") ? {type: "WITH"} : WITH), "QueryModuleItem", "QueryModDefn$ebnf$1", "QueryModDefn$ebnf$2", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'module', name: d[1].value, items: list(d[3], d[4]), loc: span(d[0], d[6]) })},
    {"name": "QueryModuleItem", "symbols": ["Statement"], "postprocess": id},
    {"name": "QueryModuleItem", "symbols": ["ConstDefn"], "postprocess": id},
    {"name": "QueryModuleItem", "symbols": ["FnDefn"], "postprocess": id},
    {"name": "Select$ebnf$1$subexpression$1", "symbols": [(lexer.has("WHERE") ? {type: "WHERE"} : WHERE), "ComplexExpr"]},
    {"name": "Select$ebnf$1", "symbols": ["Select$ebnf$1$subexpression$1"], "postprocess": id},
    {"name": "Select$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "Select$ebnf$2$subexpression$1", "symbols": [(lexer.has("HAVING") ? {type: "HAVING"} : HAVING), "ComplexExpr"]},
    {"name": "Select$ebnf$2", "symbols": ["Select$ebnf$2$subexpression$1"], "postprocess": id},
    {"name": "Select$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "Select", "symbols": [(lexer.has("SELECT") ? {type: "SELECT"} : SELECT), "SelectTarget", (lexer.has("FROM") ? {type: "FROM"} : FROM), "StreamPort", "Select$ebnf$1", (lexer.has("INTO") ? {type: "INTO"} : INTO), "StreamPort", "Select$ebnf$2"], "postprocess": (d) => ({ kind: 'select', target: d[1], from: d[3], where: d[4] ? d[4][1] : undefined, into: d[6], having: d[7] ? d[7][1] : undefined, loc: span(d[0], d[7] ? d[7][1] : d[6]) })},
    {"name": "WithEnd", "symbols": [(lexer.has("WITH") ? {type: "WITH"} : WITH), "WithParams", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => Object.assign(d[1], { last: d[2] })},
    {"name": "WithParams$ebnf$1", "symbols": []},
    {"name": "WithParams$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "WithParam"]},
    {"name": "WithParams$ebnf$1", "symbols": ["WithParams$ebnf$1", "WithParams$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "WithParams$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "WithParams$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "WithParams", "symbols": ["WithParam", "WithParams$ebnf$1", "WithParams$ebnf$2"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "WithParam", "symbols": ["Ident", (lexer.has("eq") ? {type: "eq"} : eq), "Expr"], "postprocess": (d) => withParam(d[0], d[2])},
    {"name": "CreateFrom$ebnf$1", "symbols": []},
    {"name": "CreateFrom$ebnf$1$subexpression$1", "symbols": ["Ident", (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon)]},
    {"name": "CreateFrom$ebnf$1", "symbols": ["CreateFrom$ebnf$1", "CreateFrom$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "CreateFrom", "symbols": [(lexer.has("FROM") ? {type: "FROM"} : FROM), "CreateFrom$ebnf$1", "Ident"], "postprocess": (d) => ({ module: d[1].map((p: any) => p[0].value), name: d[2].value, last: d[2] })},
    {"name": "StreamPort", "symbols": ["Ident"], "postprocess": (d) => ({ node: d[0].value, loc: tokenLoc(d[0]) })},
    {"name": "StreamPort", "symbols": ["Ident", (lexer.has("slash") ? {type: "slash"} : slash), "Ident"], "postprocess": (d) => ({ node: d[0].value, port: d[2].value, loc: span(d[0], d[2]) })},
    {"name": "SelectTarget", "symbols": ["ComplexExpr"], "postprocess": id},
    {"name": "SelectTarget", "symbols": [(lexer.has("PATCH") ? {type: "PATCH"} : PATCH), "ComplexExpr", (lexer.has("OF") ? {type: "OF"} : OF), "PatchOperations"], "postprocess": (d) => ({ kind: 'patch', target: d[1], operations: d[3], missingEnd: true, loc: span(d[0], d[3][d[3].length - 1]) })},
    {"name": "Ident", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": id},
    {"name": "Use$ebnf$1", "symbols": []},
    {"name": "Use$ebnf$1$subexpression$1", "symbols": [(lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon), "Ident"]},
    {"name": "Use$ebnf$1", "symbols": ["Use$ebnf$1", "Use$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Use$ebnf$2$subexpression$1", "symbols": [(lexer.has("AS") ? {type: "AS"} : AS), "Ident"]},
    {"name": "Use$ebnf$2", "symbols": ["Use$ebnf$2$subexpression$1"], "postprocess": id},
    {"name": "Use$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "Use", "symbols": [(lexer.has("USE") ? {type: "USE"} : USE), "Ident", "Use$ebnf$1", "Use$ebnf$2"], "postprocess": (d) => ({ kind: 'use', path: [d[1].value, ...d[2].map((p: any) => p[1].value)], alias: d[3] ? d[3][1].value : undefined, loc: span(d[0], d[3] ? d[3][1] : d[2].length ? d[2][d[2].length - 1][1] : d[1]) })},
    {"name": "ScriptItems$ebnf$1", "symbols": []},
    {"name": "ScriptItems$ebnf$1$subexpression$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi), "ScriptItem"]},
    {"name": "ScriptItems$ebnf$1", "symbols": ["ScriptItems$ebnf$1", "ScriptItems$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "ScriptItems", "symbols": ["ScriptItem", "ScriptItems$ebnf$1"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "ScriptItem", "symbols": ["ScriptExpr"], "postprocess": id},
    {"name": "ScriptItem", "symbols": ["ModuleItem"], "postprocess": id},
    {"name": "ModuleItem", "symbols": ["Use"], "postprocess": id},
    {"name": "ModuleItem", "symbols": ["ConstDefn"], "postprocess": id},
    {"name": "ModuleItem", "symbols": ["FnDefn"], "postprocess": id},
    {"name": "ModuleItem", "symbols": ["ModDefn"], "postprocess": id},
    {"name": "ConstDefn", "symbols": [(lexer.has("CONST") ? {type: "CONST"} : CONST), "Ident", (lexer.has("eq") ? {type: "eq"} : eq), "Expr"], "postprocess": (d) => ({ kind: 'const', name: d[1].value, value: d[3], loc: span(d[0], d[3]) })},
    {"name": "FnDefn", "symbols": [(lexer.has("FN") ? {type: "FN"} : FN), "Ident", (lexer.has("lparen") ? {type: "lparen"} : lparen), "FnParamList", (lexer.has("rparen") ? {type: "rparen"} : rparen), (lexer.has("WITH") ? {type: "WITH"} : WITH), "FnBody", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'function', name: d[1].value, nameLoc: tokenLoc(d[1]), ...d[3], body: d[6], loc: span(d[0], d[7]) })},
    {"name": "FnDefn$ebnf$1", "symbols": []},
    {"name": "FnDefn$ebnf$1", "symbols": ["FnDefn$ebnf$1", "FnCase"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "FnDefn", "symbols": [(lexer.has("FN") ? {type: "FN"} : FN), "Ident", (lexer.has("lparen") ? {type: "lparen"} : lparen), "FnParamList", (lexer.has("rparen") ? {type: "rparen"} : rparen), (lexer.has("OF") ? {type: "OF"} : OF), "FnDefn$ebnf$1", "FnDefault", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'function', name: d[1].value, nameLoc: tokenLoc(d[1]), ...d[3], cases: [...d[6], d[7]], loc: span(d[0], d[8]) })},
    {"name": "FnParamList", "symbols": [], "postprocess": () => ({ params: [], varargs: false })},
    {"name": "FnParamList", "symbols": [(lexer.has("ellipsis") ? {type: "ellipsis"} : ellipsis)], "postprocess": () => ({ params: [], varargs: true })},
    {"name": "FnParamList$ebnf$1", "symbols": []},
    {"name": "FnParamList$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "Ident"]},
    {"name": "FnParamList$ebnf$1", "symbols": ["FnParamList$ebnf$1", "FnParamList$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "FnParamList$ebnf$2$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("ellipsis") ? {type: "ellipsis"} : ellipsis)]},
    {"name": "FnParamList$ebnf$2", "symbols": ["FnParamList$ebnf$2$subexpression$1"], "postprocess": id},
    {"name": "FnParamList$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "FnParamList", "symbols": ["Ident", "FnParamList$ebnf$1", "FnParamList$ebnf$2"], "postprocess": (d) => ({ params: list(d[0], d[1]).map((t: any) => t.value), varargs: d[2] !== null })},
    {"name": "FnBody$ebnf$1", "symbols": []},
    {"name": "FnBody$ebnf$1$subexpression$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi), "ScriptExpr"]},
    {"name": "FnBody$ebnf$1", "symbols": ["FnBody$ebnf$1", "FnBody$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "FnBody$ebnf$2", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "FnBody$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "FnBody", "symbols": ["ScriptExpr", "FnBody$ebnf$1", "FnBody$ebnf$2"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "FnCase$ebnf$1$subexpression$1", "symbols": [(lexer.has("WHEN") ? {type: "WHEN"} : WHEN), "ComplexExpr"]},
    {"name": "FnCase$ebnf$1", "symbols": ["FnCase$ebnf$1$subexpression$1"], "postprocess": id},
    {"name": "FnCase$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "FnCase", "symbols": [(lexer.has("CASE") ? {type: "CASE"} : CASE), (lexer.has("lparen") ? {type: "lparen"} : lparen), "PredicatePatterns", (lexer.has("rparen") ? {type: "rparen"} : rparen), "FnCase$ebnf$1", (lexer.has("arrow") ? {type: "arrow"} : arrow), "Effectors"], "postprocess": (d) => ({ patterns: d[2], guard: d[4] ? d[4][1] : undefined, body: d[6], loc: span(d[0], d[6][d[6].length - 1]) })},
    {"name": "FnDefault", "symbols": [(lexer.has("DEFAULT") ? {type: "DEFAULT"} : DEFAULT), (lexer.has("arrow") ? {type: "arrow"} : arrow), "Effectors"], "postprocess": (d) => ({ body: d[2], loc: span(d[0], d[2][d[2].length - 1]) })},
    {"name": "ModDefn$ebnf$1", "symbols": []},
    {"name": "ModDefn$ebnf$1$subexpression$1", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi), "ModuleItem"]},
    {"name": "ModDefn$ebnf$1", "symbols": ["ModDefn$ebnf$1", "ModDefn$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "ModDefn$ebnf$2", "symbols": [(lexer.has("semi") ? {type: "semi"} : semi)], "postprocess": id},
    {"name": "ModDefn$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "ModDefn", "symbols": [(lexer.has("MOD") ? {type: "MOD"} : MOD), "Ident", (lexer.has("WITH") ? {type: "WITH"} : WITH), "ModuleItem", "ModDefn$ebnf$1", "ModDefn$ebnf$2", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'module', name: d[1].value, items: list(d[3], d[4]), loc: span(d[0], d[6]) })},
    {"name": "ScriptExpr", "symbols": ["ComplexExpr"], "postprocess": id},
    {"name": "ScriptExpr", "symbols": [(lexer.has("LET") ? {type: "LET"} : LET), "Path", (lexer.has("eq") ? {type: "eq"} : eq), "ScriptExpr"], "postprocess": (d) => ({ kind: 'let', target: d[1], value: d[3], loc: span(d[0], d[3]) })},
    {"name": "ScriptExpr", "symbols": [(lexer.has("DROP") ? {type: "DROP"} : DROP)], "postprocess": (d) => ({ kind: 'drop', loc: tokenLoc(d[0]) })},
    {"name": "ScriptExpr", "symbols": [(lexer.has("EMIT") ? {type: "EMIT"} : EMIT)], "postprocess": (d) => ({ kind: 'emit', loc: tokenLoc(d[0]) })},
    {"name": "ScriptExpr", "symbols": [(lexer.has("EMIT") ? {type: "EMIT"} : EMIT), "ComplexExpr"], "postprocess": (d) => ({ kind: 'emit', value: d[1], loc: span(d[0], d[1]) })},
    {"name": "ScriptExpr", "symbols": [(lexer.has("EMIT") ? {type: "EMIT"} : EMIT), (lexer.has("arrow") ? {type: "arrow"} : arrow), "String"], "postprocess": (d) => ({ kind: 'emit', port: d[2], loc: span(d[0], d[2]) })},
    {"name": "ScriptExpr", "symbols": [(lexer.has("EMIT") ? {type: "EMIT"} : EMIT), "ComplexExpr", (lexer.has("arrow") ? {type: "arrow"} : arrow), "String"], "postprocess": (d) => ({ kind: 'emit', value: d[1], port: d[3], loc: span(d[0], d[3]) })},
    {"name": "ComplexExpr", "symbols": ["Expr"], "postprocess": id},
    {"name": "ComplexExpr", "symbols": ["Match"], "postprocess": id},
    {"name": "ComplexExpr", "symbols": ["For"], "postprocess": id},
    {"name": "Expr", "symbols": ["OrExpr"], "postprocess": id},
    {"name": "OrExpr", "symbols": ["OrExpr", (lexer.has("OR") ? {type: "OR"} : OR), "XorExpr"], "postprocess": (d) => binary(d[0], d[1], d[2])},
    {"name": "OrExpr", "symbols": ["XorExpr"], "postprocess": id},
    {"name": "XorExpr", "symbols": ["XorExpr", (lexer.has("XOR") ? {type: "XOR"} : XOR), "AndExpr"], "postprocess": (d) => binary(d[0], d[1], d[2])},
    {"name": "XorExpr", "symbols": ["AndExpr"], "postprocess": id},
    {"name": "AndExpr", "symbols": ["AndExpr", (lexer.has("AND") ? {type: "AND"} : AND), "EqExpr"], "postprocess": (d) => binary(d[0], d[1], d[2])},
    {"name": "AndExpr", "symbols": ["EqExpr"], "postprocess": id},
    {"name": "EqExpr$subexpression$1", "symbols": [(lexer.has("eqeq") ? {type: "eqeq"} : eqeq)]},
    {"name": "EqExpr$subexpression$1", "symbols": [(lexer.has("neq") ? {type: "neq"} : neq)]},
    {"name": "EqExpr", "symbols": ["EqExpr", "EqExpr$subexpression$1", "CmpExpr"], "postprocess": (d) => binary(d[0], d[1][0], d[2])},
    {"name": "EqExpr", "symbols": ["CmpExpr"], "postprocess": id},
    {"name": "CmpExpr$subexpression$1", "symbols": [(lexer.has("gte") ? {type: "gte"} : gte)]},
    {"name": "CmpExpr$subexpression$1", "symbols": [(lexer.has("gt") ? {type: "gt"} : gt)]},
    {"name": "CmpExpr$subexpression$1", "symbols": [(lexer.has("lte") ? {type: "lte"} : lte)]},
    {"name": "CmpExpr$subexpression$1", "symbols": [(lexer.has("lt") ? {type: "lt"} : lt)]},
    {"name": "CmpExpr", "symbols": ["CmpExpr", "CmpExpr$subexpression$1", "AddExpr"], "postprocess": (d) => binary(d[0], d[1][0], d[2])},
    {"name": "CmpExpr", "symbols": ["AddExpr"], "postprocess": id},
    {"name": "AddExpr$subexpression$1", "symbols": [(lexer.has("plus") ? {type: "plus"} : plus)]},
    {"name": "AddExpr$subexpression$1", "symbols": [(lexer.has("minus") ? {type: "minus"} : minus)]},
    {"name": "AddExpr", "symbols": ["AddExpr", "AddExpr$subexpression$1", "MulExpr"], "postprocess": (d) => binary(d[0], d[1][0], d[2])},
    {"name": "AddExpr", "symbols": ["MulExpr"], "postprocess": id},
    {"name": "MulExpr$subexpression$1", "symbols": [(lexer.has("star") ? {type: "star"} : star)]},
    {"name": "MulExpr$subexpression$1", "symbols": [(lexer.has("slash") ? {type: "slash"} : slash)]},
    {"name": "MulExpr$subexpression$1", "symbols": [(lexer.has("percent") ? {type: "percent"} : percent)]},
    {"name": "MulExpr", "symbols": ["MulExpr", "MulExpr$subexpression$1", "UnaryExpr"], "postprocess": (d) => binary(d[0], d[1][0], d[2])},
    {"name": "MulExpr", "symbols": ["UnaryExpr"], "postprocess": id},
    {"name": "UnaryExpr$subexpression$1", "symbols": [(lexer.has("plus") ? {type: "plus"} : plus)]},
    {"name": "UnaryExpr$subexpression$1", "symbols": [(lexer.has("minus") ? {type: "minus"} : minus)]},
    {"name": "UnaryExpr", "symbols": ["UnaryExpr$subexpression$1", "UnaryExpr"], "postprocess": (d) => ({ kind: 'unary', op: d[0][0].text, operand: d[1], loc: span(d[0][0], d[1]) })},
    {"name": "UnaryExpr", "symbols": ["NotExpr"], "postprocess": id},
    {"name": "NotExpr", "symbols": [(lexer.has("NOT") ? {type: "NOT"} : NOT), "NotExpr"], "postprocess": (d) => ({ kind: 'unary', op: 'not', operand: d[1], loc: span(d[0], d[1]) })},
    {"name": "NotExpr", "symbols": [(lexer.has("bang") ? {type: "bang"} : bang), "NotExpr"], "postprocess": (d) => ({ kind: 'unary', op: '!', operand: d[1], loc: span(d[0], d[1]) })},
    {"name": "NotExpr", "symbols": ["PresenceExpr"], "postprocess": id},
    {"name": "PresenceExpr$subexpression$1", "symbols": [(lexer.has("PRESENT") ? {type: "PRESENT"} : PRESENT)]},
    {"name": "PresenceExpr$subexpression$1", "symbols": [(lexer.has("ABSENT") ? {type: "ABSENT"} : ABSENT)]},
    {"name": "PresenceExpr", "symbols": ["PresenceExpr$subexpression$1", "Path"], "postprocess": (d) => ({ kind: 'presence', negate: d[0][0].type === 'ABSENT', path: d[1], loc: span(d[0][0], d[1]) })},
    {"name": "PresenceExpr", "symbols": ["Primary"], "postprocess": id},
    {"name": "Primary", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), "ComplexExpr", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => d[1]},
    {"name": "Primary", "symbols": ["Literal"], "postprocess": id},
    {"name": "Primary", "symbols": ["String"], "postprocess": id},
    {"name": "Primary", "symbols": ["Record"], "postprocess": id},
    {"name": "Primary", "symbols": ["List"], "postprocess": id},
    {"name": "Primary", "symbols": ["Path"], "postprocess": id},
    {"name": "Primary", "symbols": ["Invoke"], "postprocess": id},
    {"name": "Primary", "symbols": ["Patch"], "postprocess": id},
    {"name": "Primary", "symbols": ["Merge"], "postprocess": id},
    {"name": "Primary", "symbols": ["Recur"], "postprocess": id},
    {"name": "Recur", "symbols": [(lexer.has("RECUR") ? {type: "RECUR"} : RECUR), (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'recur', args: [], loc: span(d[0], d[2]) })},
    {"name": "Recur$ebnf$1", "symbols": []},
    {"name": "Recur$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "ComplexExpr"]},
    {"name": "Recur$ebnf$1", "symbols": ["Recur$ebnf$1", "Recur$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Recur$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "Recur$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "Recur", "symbols": [(lexer.has("RECUR") ? {type: "RECUR"} : RECUR), (lexer.has("lparen") ? {type: "lparen"} : lparen), "ComplexExpr", "Recur$ebnf$1", "Recur$ebnf$2", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'recur', args: list(d[2], d[3]), loc: span(d[0], d[5]) })},
    {"name": "Literal$subexpression$1", "symbols": [(lexer.has("int") ? {type: "int"} : int)]},
    {"name": "Literal$subexpression$1", "symbols": [(lexer.has("float") ? {type: "float"} : float)]},
    {"name": "Literal", "symbols": ["Literal$subexpression$1"], "postprocess": (d) => ({ kind: 'literal', value: d[0][0].value, isFloat: d[0][0].type === 'float', loc: tokenLoc(d[0][0]) })},
    {"name": "Literal", "symbols": [(lexer.has("TRUE") ? {type: "TRUE"} : TRUE)], "postprocess": (d) => ({ kind: 'literal', value: true, loc: tokenLoc(d[0]) })},
    {"name": "Literal", "symbols": [(lexer.has("FALSE") ? {type: "FALSE"} : FALSE)], "postprocess": (d) => ({ kind: 'literal', value: false, loc: tokenLoc(d[0]) })},
    {"name": "Literal", "symbols": [(lexer.has("NULL") ? {type: "NULL"} : NULL)], "postprocess": (d) => ({ kind: 'literal', value: null, loc: tokenLoc(d[0]) })},
    {"name": "String$ebnf$1", "symbols": []},
    {"name": "String$ebnf$1", "symbols": ["String$ebnf$1", "StringPart"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "String", "symbols": [(lexer.has("strStart") ? {type: "strStart"} : strStart), "String$ebnf$1", (lexer.has("strEnd") ? {type: "strEnd"} : strEnd)], "postprocess": (d) => stringExpr(d[0], d[1], d[2])},
    {"name": "StringPart", "symbols": [(lexer.has("strChunk") ? {type: "strChunk"} : strChunk)], "postprocess": id},
    {"name": "StringPart", "symbols": [(lexer.has("interpStart") ? {type: "interpStart"} : interpStart), "ComplexExpr", (lexer.has("interpEnd") ? {type: "interpEnd"} : interpEnd)], "postprocess": (d) => d[1]},
    {"name": "Record", "symbols": [(lexer.has("lbrace") ? {type: "lbrace"} : lbrace), (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => ({ kind: 'record', fields: [], loc: span(d[0], d[1]) })},
    {"name": "Record$ebnf$1", "symbols": []},
    {"name": "Record$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "Field"]},
    {"name": "Record$ebnf$1", "symbols": ["Record$ebnf$1", "Record$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Record$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "Record$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "Record", "symbols": [(lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "Field", "Record$ebnf$1", "Record$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => ({ kind: 'record', fields: list(d[1], d[2]), loc: span(d[0], d[4]) })},
    {"name": "Field", "symbols": ["String", (lexer.has("colon") ? {type: "colon"} : colon), "ComplexExpr"], "postprocess": (d) => ({ key: d[0], value: d[2] })},
    {"name": "List", "symbols": [(lexer.has("lbracket") ? {type: "lbracket"} : lbracket), (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'list', items: [], loc: span(d[0], d[1]) })},
    {"name": "List$ebnf$1", "symbols": []},
    {"name": "List$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "ComplexExpr"]},
    {"name": "List$ebnf$1", "symbols": ["List$ebnf$1", "List$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "List$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "List$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "List", "symbols": [(lexer.has("lbracket") ? {type: "lbracket"} : lbracket), "ComplexExpr", "List$ebnf$1", "List$ebnf$2", (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'list', items: list(d[1], d[2]), loc: span(d[0], d[4]) })},
    {"name": "Invoke$ebnf$1", "symbols": []},
    {"name": "Invoke$ebnf$1$subexpression$1", "symbols": ["Ident", (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon)]},
    {"name": "Invoke$ebnf$1", "symbols": ["Invoke$ebnf$1", "Invoke$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Invoke", "symbols": ["Invoke$ebnf$1", "Ident", (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'invoke', module: d[0].map((p: any) => p[0].value), name: d[1].value, args: [], loc: span(d[0].length ? d[0][0][0] : d[1], d[3]) })},
    {"name": "Invoke$ebnf$2", "symbols": []},
    {"name": "Invoke$ebnf$2$subexpression$1", "symbols": ["Ident", (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon)]},
    {"name": "Invoke$ebnf$2", "symbols": ["Invoke$ebnf$2", "Invoke$ebnf$2$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Invoke$ebnf$3", "symbols": []},
    {"name": "Invoke$ebnf$3$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "ComplexExpr"]},
    {"name": "Invoke$ebnf$3", "symbols": ["Invoke$ebnf$3", "Invoke$ebnf$3$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Invoke$ebnf$4", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "Invoke$ebnf$4", "symbols": [], "postprocess": () => null},
    {"name": "Invoke", "symbols": ["Invoke$ebnf$2", "Ident", (lexer.has("lparen") ? {type: "lparen"} : lparen), "ComplexExpr", "Invoke$ebnf$3", "Invoke$ebnf$4", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'invoke', module: d[0].map((p: any) => p[0].value), name: d[1].value, args: list(d[3], d[4]), loc: span(d[0].length ? d[0][0][0] : d[1], d[6]) })},
    {"name": "Path$ebnf$1", "symbols": []},
    {"name": "Path$ebnf$1", "symbols": ["Path$ebnf$1", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": [(lexer.has("EVENT") ? {type: "EVENT"} : EVENT), "Path$ebnf$1"], "postprocess": (d) => path(d[0], 'event', d[1])},
    {"name": "Path$ebnf$2", "symbols": []},
    {"name": "Path$ebnf$2", "symbols": ["Path$ebnf$2", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": [(lexer.has("STATE") ? {type: "STATE"} : STATE), "Path$ebnf$2"], "postprocess": (d) => path(d[0], 'state', d[1])},
    {"name": "Path$ebnf$3", "symbols": []},
    {"name": "Path$ebnf$3", "symbols": ["Path$ebnf$3", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": [(lexer.has("ARGS") ? {type: "ARGS"} : ARGS), "Path$ebnf$3"], "postprocess": (d) => path(d[0], 'args', d[1])},
    {"name": "Path", "symbols": [(lexer.has("dollar") ? {type: "dollar"} : dollar)], "postprocess": (d) => path(d[0], 'meta', [])},
    {"name": "Path$ebnf$4", "symbols": []},
    {"name": "Path$ebnf$4", "symbols": ["Path$ebnf$4", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": [(lexer.has("dollar") ? {type: "dollar"} : dollar), "Ident", "Path$ebnf$4"], "postprocess": (d) => path(d[0], 'meta', [{ kind: 'key', name: d[1].value, loc: tokenLoc(d[1]) }, ...d[2]])},
    {"name": "Path$ebnf$5", "symbols": []},
    {"name": "Path$ebnf$5", "symbols": ["Path$ebnf$5", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": ["Ident", "Path$ebnf$5"], "postprocess": (d) => path(d[0], 'local', d[1], d[0].value)},
    {"name": "Path$ebnf$6$subexpression$1", "symbols": ["Ident", (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon)]},
    {"name": "Path$ebnf$6", "symbols": ["Path$ebnf$6$subexpression$1"]},
    {"name": "Path$ebnf$6$subexpression$2", "symbols": ["Ident", (lexer.has("coloncolon") ? {type: "coloncolon"} : coloncolon)]},
    {"name": "Path$ebnf$6", "symbols": ["Path$ebnf$6", "Path$ebnf$6$subexpression$2"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path$ebnf$7", "symbols": []},
    {"name": "Path$ebnf$7", "symbols": ["Path$ebnf$7", "Segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Path", "symbols": ["Path$ebnf$6", "Ident", "Path$ebnf$7"], "postprocess": (d) => modulePath(d[0].map((p: any) => p[0]), d[1], d[2])},
    {"name": "Segment", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot), "Ident"], "postprocess": (d) => ({ kind: 'key', name: d[1].value, loc: tokenLoc(d[1]) })},
    {"name": "Segment", "symbols": [(lexer.has("lbracket") ? {type: "lbracket"} : lbracket), "ComplexExpr", (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'index', expr: d[1], loc: span(d[1], d[1]) })},
    {"name": "Segment", "symbols": [(lexer.has("lbracket") ? {type: "lbracket"} : lbracket), "ComplexExpr", (lexer.has("colon") ? {type: "colon"} : colon), "ComplexExpr", (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'range', start: d[1], end: d[3], loc: span(d[1], d[3]) })},
    {"name": "Patch", "symbols": [(lexer.has("PATCH") ? {type: "PATCH"} : PATCH), "ComplexExpr", (lexer.has("OF") ? {type: "OF"} : OF), "PatchOperations", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'patch', target: d[1], operations: d[3], missingEnd: false, loc: span(d[0], d[4]) })},
    {"name": "PatchOperations$ebnf$1", "symbols": []},
    {"name": "PatchOperations$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "PatchOperation"]},
    {"name": "PatchOperations$ebnf$1", "symbols": ["PatchOperations$ebnf$1", "PatchOperations$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "PatchOperations", "symbols": ["PatchOperation", "PatchOperations$ebnf$1"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "PatchOperation$subexpression$1", "symbols": [(lexer.has("INSERT") ? {type: "INSERT"} : INSERT)]},
    {"name": "PatchOperation$subexpression$1", "symbols": [(lexer.has("UPSERT") ? {type: "UPSERT"} : UPSERT)]},
    {"name": "PatchOperation$subexpression$1", "symbols": [(lexer.has("UPDATE") ? {type: "UPDATE"} : UPDATE)]},
    {"name": "PatchOperation$subexpression$1", "symbols": [(lexer.has("MERGE") ? {type: "MERGE"} : MERGE)]},
    {"name": "PatchOperation", "symbols": ["PatchOperation$subexpression$1", "ComplexExpr", (lexer.has("arrow") ? {type: "arrow"} : arrow), "ComplexExpr"], "postprocess": (d) => ({ kind: d[0][0].text, key: d[1], value: d[3], loc: span(d[0][0], d[3]) })},
    {"name": "PatchOperation", "symbols": [(lexer.has("ERASE") ? {type: "ERASE"} : ERASE), "ComplexExpr"], "postprocess": (d) => ({ kind: 'erase', key: d[1], loc: span(d[0], d[1]) })},
    {"name": "PatchOperation", "symbols": [(lexer.has("MERGE") ? {type: "MERGE"} : MERGE), (lexer.has("arrow") ? {type: "arrow"} : arrow), "ComplexExpr"], "postprocess": (d) => ({ kind: 'mergeAll', value: d[2], loc: span(d[0], d[2]) })},
    {"name": "PatchOperation$subexpression$2", "symbols": [(lexer.has("MOVE") ? {type: "MOVE"} : MOVE)]},
    {"name": "PatchOperation$subexpression$2", "symbols": [(lexer.has("COPY") ? {type: "COPY"} : COPY)]},
    {"name": "PatchOperation", "symbols": ["PatchOperation$subexpression$2", "ComplexExpr", (lexer.has("arrow") ? {type: "arrow"} : arrow), "ComplexExpr"], "postprocess": (d) => ({ kind: d[0][0].text, key: d[1], to: d[3], loc: span(d[0][0], d[3]) })},
    {"name": "PatchOperation$subexpression$3", "symbols": [(lexer.has("INSERT") ? {type: "INSERT"} : INSERT)]},
    {"name": "PatchOperation$subexpression$3", "symbols": [(lexer.has("UPSERT") ? {type: "UPSERT"} : UPSERT)]},
    {"name": "PatchOperation$subexpression$3", "symbols": [(lexer.has("UPDATE") ? {type: "UPDATE"} : UPDATE)]},
    {"name": "PatchOperation$subexpression$3", "symbols": [(lexer.has("MERGE") ? {type: "MERGE"} : MERGE)]},
    {"name": "PatchOperation", "symbols": ["PatchOperation$subexpression$3", "Ident", (lexer.has("eq") ? {type: "eq"} : eq), "Expr"], "postprocess": (d) => ({ kind: d[0][0].text, key: { kind: 'string', parts: [d[1].value], loc: tokenLoc(d[1]) }, value: d[3], compatKey: d[1].value, loc: span(d[0][0], d[3]) })},
    {"name": "Merge", "symbols": [(lexer.has("MERGE") ? {type: "MERGE"} : MERGE), "ComplexExpr", (lexer.has("OF") ? {type: "OF"} : OF), "ComplexExpr", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'merge', target: d[1], spec: d[3], loc: span(d[0], d[4]) })},
    {"name": "Match$ebnf$1", "symbols": ["MatchClause"]},
    {"name": "Match$ebnf$1", "symbols": ["Match$ebnf$1", "MatchClause"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Match", "symbols": [(lexer.has("MATCH") ? {type: "MATCH"} : MATCH), "ComplexExpr", (lexer.has("OF") ? {type: "OF"} : OF), "Match$ebnf$1", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'match', target: d[1], clauses: d[3], loc: span(d[0], d[4]) })},
    {"name": "MatchClause$ebnf$1$subexpression$1", "symbols": [(lexer.has("WHEN") ? {type: "WHEN"} : WHEN), "ComplexExpr"]},
    {"name": "MatchClause$ebnf$1", "symbols": ["MatchClause$ebnf$1$subexpression$1"], "postprocess": id},
    {"name": "MatchClause$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "MatchClause", "symbols": [(lexer.has("CASE") ? {type: "CASE"} : CASE), "Pattern", "MatchClause$ebnf$1", (lexer.has("arrow") ? {type: "arrow"} : arrow), "Effectors"], "postprocess": (d) => ({ pattern: d[1], guard: d[2] ? d[2][1] : undefined, body: d[4], loc: span(d[0], d[4][d[4].length - 1]) })},
    {"name": "MatchClause", "symbols": [(lexer.has("DEFAULT") ? {type: "DEFAULT"} : DEFAULT), (lexer.has("arrow") ? {type: "arrow"} : arrow), "Effectors"], "postprocess": (d) => ({ body: d[2], loc: span(d[0], d[2][d[2].length - 1]) })},
    {"name": "Effectors$ebnf$1", "symbols": []},
    {"name": "Effectors$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "ScriptExpr"]},
    {"name": "Effectors$ebnf$1", "symbols": ["Effectors$ebnf$1", "Effectors$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "Effectors", "symbols": ["ScriptExpr", "Effectors$ebnf$1"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "Pattern", "symbols": [(lexer.has("underscore") ? {type: "underscore"} : underscore)], "postprocess": (d) => ({ kind: 'any', loc: tokenLoc(d[0]) })},
    {"name": "Pattern", "symbols": ["Ident", (lexer.has("eq") ? {type: "eq"} : eq), "Pattern"], "postprocess": (d) => ({ kind: 'bind', name: d[0].value, pattern: d[2], loc: span(d[0], d[2]) })},
    {"name": "Pattern", "symbols": ["RecordPattern"], "postprocess": id},
    {"name": "Pattern", "symbols": ["ArrayPattern"], "postprocess": id},
    {"name": "Pattern", "symbols": ["TuplePattern"], "postprocess": id},
    {"name": "Pattern", "symbols": ["Expr"], "postprocess": (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc })},
    {"name": "ArrayPattern", "symbols": [(lexer.has("pctbracket") ? {type: "pctbracket"} : pctbracket), (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'array', items: [], loc: span(d[0], d[1]) })},
    {"name": "ArrayPattern$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "ArrayPattern$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "ArrayPattern", "symbols": [(lexer.has("pctbracket") ? {type: "pctbracket"} : pctbracket), "PredicatePatterns", "ArrayPattern$ebnf$1", (lexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d) => ({ kind: 'array', items: d[1], loc: span(d[0], d[3]) })},
    {"name": "TuplePattern", "symbols": [(lexer.has("pctparen") ? {type: "pctparen"} : pctparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'tuple', items: [], open: false, loc: span(d[0], d[1]) })},
    {"name": "TuplePattern", "symbols": [(lexer.has("pctparen") ? {type: "pctparen"} : pctparen), (lexer.has("ellipsis") ? {type: "ellipsis"} : ellipsis), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'tuple', items: [], open: true, loc: span(d[0], d[2]) })},
    {"name": "TuplePattern$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "TuplePattern$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "TuplePattern", "symbols": [(lexer.has("pctparen") ? {type: "pctparen"} : pctparen), "PredicatePatterns", "TuplePattern$ebnf$1", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'tuple', items: d[1], open: false, loc: span(d[0], d[3]) })},
    {"name": "TuplePattern", "symbols": [(lexer.has("pctparen") ? {type: "pctparen"} : pctparen), "PredicatePatterns", (lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("ellipsis") ? {type: "ellipsis"} : ellipsis), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ kind: 'tuple', items: d[1], open: true, loc: span(d[0], d[4]) })},
    {"name": "PredicatePatterns$ebnf$1", "symbols": []},
    {"name": "PredicatePatterns$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "PredicatePattern"]},
    {"name": "PredicatePatterns$ebnf$1", "symbols": ["PredicatePatterns$ebnf$1", "PredicatePatterns$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "PredicatePatterns", "symbols": ["PredicatePattern", "PredicatePatterns$ebnf$1"], "postprocess": (d) => list(d[0], d[1])},
    {"name": "PredicatePattern", "symbols": [(lexer.has("underscore") ? {type: "underscore"} : underscore)], "postprocess": (d) => ({ kind: 'any', loc: tokenLoc(d[0]) })},
    {"name": "PredicatePattern", "symbols": ["RecordPattern"], "postprocess": id},
    {"name": "PredicatePattern", "symbols": ["ArrayPattern"], "postprocess": id},
    {"name": "PredicatePattern", "symbols": ["TuplePattern"], "postprocess": id},
    {"name": "PredicatePattern", "symbols": ["Expr"], "postprocess": (d) => ({ kind: 'expr', expr: d[0], loc: d[0].loc })},
    {"name": "For$ebnf$1", "symbols": ["ForCase"]},
    {"name": "For$ebnf$1", "symbols": ["For$ebnf$1", "ForCase"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "For", "symbols": [(lexer.has("FOR") ? {type: "FOR"} : FOR), "ComplexExpr", (lexer.has("OF") ? {type: "OF"} : OF), "For$ebnf$1", (lexer.has("END") ? {type: "END"} : END)], "postprocess": (d) => ({ kind: 'for', target: d[1], cases: d[3], loc: span(d[0], d[4]) })},
    {"name": "ForCase$ebnf$1$subexpression$1", "symbols": [(lexer.has("WHEN") ? {type: "WHEN"} : WHEN), "ComplexExpr"]},
    {"name": "ForCase$ebnf$1", "symbols": ["ForCase$ebnf$1$subexpression$1"], "postprocess": id},
    {"name": "ForCase$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "ForCase", "symbols": [(lexer.has("CASE") ? {type: "CASE"} : CASE), (lexer.has("lparen") ? {type: "lparen"} : lparen), "Ident", (lexer.has("comma") ? {type: "comma"} : comma), "Ident", (lexer.has("rparen") ? {type: "rparen"} : rparen), "ForCase$ebnf$1", (lexer.has("arrow") ? {type: "arrow"} : arrow), "Effectors"], "postprocess": (d) => ({ key: d[2].value, value: d[4].value, guard: d[6] ? d[6][1] : undefined, body: d[8], loc: span(d[0], d[8][d[8].length - 1]) })},
    {"name": "RecordPattern", "symbols": [(lexer.has("pctbrace") ? {type: "pctbrace"} : pctbrace), (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => ({ kind: 'record', fields: [], loc: span(d[0], d[1]) })},
    {"name": "RecordPattern$ebnf$1", "symbols": []},
    {"name": "RecordPattern$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "RecordPatternField"]},
    {"name": "RecordPattern$ebnf$1", "symbols": ["RecordPattern$ebnf$1", "RecordPattern$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "RecordPattern$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "RecordPattern$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "RecordPattern", "symbols": [(lexer.has("pctbrace") ? {type: "pctbrace"} : pctbrace), "RecordPatternField", "RecordPattern$ebnf$1", "RecordPattern$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => ({ kind: 'record', fields: list(d[1], d[2]), loc: span(d[0], d[4]) })},
    {"name": "RecordPatternField$subexpression$1", "symbols": [(lexer.has("PRESENT") ? {type: "PRESENT"} : PRESENT)]},
    {"name": "RecordPatternField$subexpression$1", "symbols": [(lexer.has("ABSENT") ? {type: "ABSENT"} : ABSENT)]},
    {"name": "RecordPatternField", "symbols": ["RecordPatternField$subexpression$1", "Ident"], "postprocess": (d) => ({ kind: d[0][0].text, key: d[1].value, loc: span(d[0][0], d[1]) })},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("eqeq") ? {type: "eqeq"} : eqeq)]},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("neq") ? {type: "neq"} : neq)]},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("gt") ? {type: "gt"} : gt)]},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("gte") ? {type: "gte"} : gte)]},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("lt") ? {type: "lt"} : lt)]},
    {"name": "RecordPatternField$subexpression$2", "symbols": [(lexer.has("lte") ? {type: "lte"} : lte)]},
    {"name": "RecordPatternField", "symbols": ["Ident", "RecordPatternField$subexpression$2", "Expr"], "postprocess": (d) => ({ kind: 'compare', key: d[0].value, op: d[1][0].text, expr: d[2], loc: span(d[0], d[2]) })},
    {"name": "RecordPatternField", "symbols": ["Ident", (lexer.has("tildeeq") ? {type: "tildeeq"} : tildeeq), "RecordPattern"], "postprocess": (d) => ({ kind: 'nested', key: d[0].value, pattern: d[2], loc: span(d[0], d[2]) })},
    {"name": "RecordPatternField$subexpression$3", "symbols": ["ArrayPattern"]},
    {"name": "RecordPatternField$subexpression$3", "symbols": ["TuplePattern"]},
    {"name": "RecordPatternField", "symbols": ["Ident", (lexer.has("tildeeq") ? {type: "tildeeq"} : tildeeq), "RecordPatternField$subexpression$3"], "postprocess": (d) => ({ kind: 'nested', key: d[0].value, pattern: d[2][0], loc: span(d[0], d[2][0]) })}
  ],
  ParserStart: "Query",
};

export default grammar;
