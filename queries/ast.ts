/**
 * The syntax tree the grammar builds. Nodes only record what was written and where (`loc`, source
 * offsets); all checking happens in the compile step.
 */
import type { Value } from './values/value.ts';

/** Source offsets: `start` inclusive, `end` exclusive. */
export interface Loc {
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | LiteralExpr
  | StringExpr
  | RecordExpr
  | ListExpr
  | PathExpr
  | BinaryExpr
  | UnaryExpr
  | PresenceExpr
  | InvokeExpr
  | PatchExpr
  | MergeExpr
  | MatchExpr
  | LetExpr
  | EmitExpr
  | DropExpr
  | RecurExpr
  | ForExpr;

export interface LiteralExpr {
  kind: 'literal';
  value: Value;
  /** Written as a float literal (`6.0`): an integral value must stay a float. */
  isFloat?: boolean;
  loc: Loc;
}

/** A string or heredoc; `parts` alternate literal text and interpolated expressions. */
export interface StringExpr {
  kind: 'string';
  parts: Array<string | Expr>;
  loc: Loc;
}

export interface RecordField {
  key: StringExpr;
  value: Expr;
}

export interface RecordExpr {
  kind: 'record';
  fields: RecordField[];
  loc: Loc;
}

export interface ListExpr {
  kind: 'list';
  items: Expr[];
  loc: Loc;
}

export type PathRoot = 'event' | 'meta' | 'state' | 'args' | 'local';

export type Segment =
  | { kind: 'key'; name: string; loc: Loc }
  | { kind: 'index'; expr: Expr; loc: Loc }
  | { kind: 'range'; start: Expr; end: Expr; loc: Loc };

export interface PathExpr {
  kind: 'path';
  root: PathRoot;
  /** The local's name for `local` roots (the constant's name when `module` is set). */
  name?: string;
  /** `a::b::name`: a constant of module `a::b` (relative to the module the path is written in). */
  module?: string[];
  rootLoc: Loc;
  segments: Segment[];
  loc: Loc;
}

export type BinaryOperator = 'or' | 'xor' | 'and' | '==' | '!=' | '>=' | '>' | '<=' | '<' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
  loc: Loc;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '+' | '-' | 'not' | '!';
  operand: Expr;
  loc: Loc;
}

export interface PresenceExpr {
  kind: 'presence';
  /** `absent` is `not present`. */
  negate: boolean;
  path: PathExpr;
  loc: Loc;
}

export interface InvokeExpr {
  kind: 'invoke';
  /** `string::format` -> ['string']; empty for a bare `f(...)`. */
  module: string[];
  name: string;
  args: Expr[];
  loc: Loc;
}

export type PatchOperation =
  | { kind: 'insert' | 'upsert' | 'update' | 'merge'; key: Expr; value: Expr; loc: Loc; compatKey?: string }
  | { kind: 'erase'; key: Expr; loc: Loc }
  | { kind: 'mergeAll'; value: Expr; loc: Loc }
  | { kind: 'move' | 'copy'; key: Expr; to: Expr; loc: Loc };

export interface PatchExpr {
  kind: 'patch';
  target: Expr;
  operations: PatchOperation[];
  /** Seed compatibility: written without its closing `end`. */
  missingEnd: boolean;
  loc: Loc;
}

export interface MergeExpr {
  kind: 'merge';
  target: Expr;
  spec: Expr;
  loc: Loc;
}

export type RecordPatternField =
  | { kind: 'present' | 'absent'; key: string; loc: Loc }
  | { kind: 'compare'; key: string; op: '==' | '!=' | '>' | '>=' | '<' | '<='; expr: Expr; loc: Loc }
  | { kind: 'nested'; key: string; pattern: RecordPattern | ArrayPattern | TuplePattern; loc: Loc };

export interface RecordPattern {
  kind: 'record';
  fields: RecordPatternField[];
  loc: Loc;
}

/** `%[ p, … ]`: each item must match at least one element, anywhere in the array. */
export interface ArrayPattern {
  kind: 'array';
  items: PredicatePattern[];
  loc: Loc;
}

/** `%( p, … )`: the elements position by position; `open` (`...`) allows more after them. */
export interface TuplePattern {
  kind: 'tuple';
  items: PredicatePattern[];
  open: boolean;
  loc: Loc;
}

/** What an item of an array or tuple pattern may be. */
export type PredicatePattern = { kind: 'any'; loc: Loc } | { kind: 'expr'; expr: Expr; loc: Loc } | RecordPattern | ArrayPattern | TuplePattern;

export type Pattern = PredicatePattern | { kind: 'bind'; name: string; pattern: Pattern; loc: Loc };

export interface MatchClause {
  /** `undefined` for `default`. */
  pattern?: Pattern;
  guard?: Expr;
  body: Expr[];
  loc: Loc;
}

export interface MatchExpr {
  kind: 'match';
  target: Expr;
  clauses: MatchClause[];
  loc: Loc;
}

/** `recur(a, …)`: a function's tail call of itself with new arguments. */
export interface RecurExpr {
  kind: 'recur';
  args: Expr[];
  loc: Loc;
}

export interface ForCase {
  key: string;
  value: string;
  guard?: Expr;
  body: Expr[];
  loc: Loc;
}

/** `for T of case (k, v) … end`: the first matching case's value per element (index/key, value). */
export interface ForExpr {
  kind: 'for';
  target: Expr;
  cases: ForCase[];
  loc: Loc;
}

export interface LetExpr {
  kind: 'let';
  target: PathExpr;
  value: Expr;
  loc: Loc;
}

export interface EmitExpr {
  kind: 'emit';
  value?: Expr;
  port?: StringExpr;
  loc: Loc;
}

export interface DropExpr {
  kind: 'drop';
  loc: Loc;
}

// ---------------------------------------------------------------------------------------------
// Script bodies (a `.tremor` script, or the body of `define script`)

export interface UseStmt {
  kind: 'use';
  path: string[];
  alias?: string;
  loc: Loc;
}

export interface ConstStmt {
  kind: 'const';
  name: string;
  value: Expr;
  loc: Loc;
}

export interface FnCase {
  /** `undefined` for `default`. */
  patterns?: PredicatePattern[];
  guard?: Expr;
  body: Expr[];
  loc: Loc;
}

/** `fn name(a, b[, ...]) with … end` or `fn name(a, b) of case (…) => … end`. */
export interface FnDefn {
  kind: 'function';
  name: string;
  nameLoc: Loc;
  params: string[];
  /** Ends in `...`: extra arguments are the body's `args` (an array). */
  varargs: boolean;
  body?: Expr[];
  cases?: FnCase[];
  loc: Loc;
}

/** `mod name with … end`; in a query it may also hold `define` statements. */
export interface ModDefn {
  kind: 'module';
  name: string;
  items: Array<ModuleItem | QueryStmt>;
  loc: Loc;
}

export type ModuleItem = UseStmt | ConstStmt | FnDefn | ModDefn;

export type ScriptItem = Expr | ModuleItem;

// ---------------------------------------------------------------------------------------------
// Query statements

export interface WithParam {
  name: string;
  value: Expr;
  loc: Loc;
  nameLoc: Loc;
}

export interface StreamPort {
  node: string;
  port?: string;
  loc: Loc;
}

export interface DefineOperatorStmt {
  kind: 'defineOperator';
  module: string;
  type: string;
  name: string;
  params?: WithParam[];
  /** Seed compatibility: params written without `with … end`. */
  withoutWith: boolean;
  loc: Loc;
}

export interface CreateFrom {
  module: string[];
  name: string;
}

export interface CreateOperatorStmt {
  kind: 'createOperator';
  name: string;
  from?: CreateFrom;
  params?: WithParam[];
  loc: Loc;
}

export interface DefineScriptStmt {
  kind: 'defineScript';
  name: string;
  params?: WithParam[];
  body: ScriptItem[];
  loc: Loc;
}

export interface CreateScriptStmt {
  kind: 'createScript';
  name: string;
  from?: CreateFrom;
  params?: WithParam[];
  loc: Loc;
}

export interface CreateStreamStmt {
  kind: 'createStream';
  name: string;
  loc: Loc;
}

export interface SelectStmt {
  kind: 'select';
  target: Expr;
  from: StreamPort;
  where?: Expr;
  into: StreamPort;
  having?: Expr;
  loc: Loc;
}

export type QueryStmt =
  | UseStmt
  | ModDefn
  | DefineOperatorStmt
  | CreateOperatorStmt
  | DefineScriptStmt
  | CreateScriptStmt
  | CreateStreamStmt
  | SelectStmt;
