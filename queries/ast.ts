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
  | BytesExpr
  | MatchExpr
  | LetExpr
  | EmitExpr
  | DropExpr;

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
  /** The local's name for `local` roots. */
  name?: string;
  rootLoc: Loc;
  segments: Segment[];
  loc: Loc;
}

export type BinaryOperator =
  | 'or'
  | 'xor'
  | 'and'
  | '&'
  | '|'
  | '^'
  | '=='
  | '!='
  | '>='
  | '>'
  | '<='
  | '<'
  | '<<'
  | '>>'
  | '>>>'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

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

/** One `value:bits/type` part of a `<< … >>` binary. */
export interface BytesPart {
  value: Expr;
  bits?: number;
  type?: string;
  loc: Loc;
}

export interface BytesExpr {
  kind: 'bytes';
  parts: BytesPart[];
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

/** `name|rule|`: an extractor (queries/extractors/). */
export interface ExtractorSpec {
  name: string;
  rule: string;
  loc: Loc;
}

export type RecordPatternField =
  | { kind: 'present' | 'absent'; key: string; loc: Loc }
  | { kind: 'extract'; key: string; extractor: ExtractorSpec; loc: Loc }
  | { kind: 'compare'; key: string; op: '==' | '!=' | '>' | '>=' | '<' | '<='; expr: Expr; loc: Loc }
  | { kind: 'nested'; key: string; pattern: RecordPattern; loc: Loc };

export interface RecordPattern {
  kind: 'record';
  fields: RecordPatternField[];
  loc: Loc;
}

export type Pattern =
  | { kind: 'any'; loc: Loc }
  | { kind: 'expr'; expr: Expr; loc: Loc }
  | { kind: 'bind'; name: string; pattern: Pattern; loc: Loc }
  | { kind: 'extract'; extractor: ExtractorSpec; loc: Loc }
  | RecordPattern;

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

export type ScriptItem = Expr | UseStmt | ConstStmt;

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
  | DefineOperatorStmt
  | CreateOperatorStmt
  | DefineScriptStmt
  | CreateScriptStmt
  | CreateStreamStmt
  | SelectStmt;
