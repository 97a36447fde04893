/**
 * Helpers the grammar's semantic actions use to build AST nodes: spans from tokens and nodes,
 * left-associative operator chains. Nothing here checks anything.
 */
import type { Token } from '../lexer/token.ts';
import type { Expr, Loc, PathExpr, PathRoot, Segment, StringExpr, WithParam } from '../ast.ts';

type Located = Token | { loc: Loc };

function startOf(item: Located): number {
  return 'loc' in item ? item.loc.start : item.offset;
}

function endOf(item: Located): number {
  return 'loc' in item ? item.loc.end : item.offset + item.text.length;
}

/** The span from the start of `first` to the end of `last`. */
export function span(first: Located, last: Located): Loc {
  return { start: startOf(first), end: endOf(last) };
}

export function tokenLoc(token: Token): Loc {
  return span(token, token);
}

export function binary(left: Expr, opToken: Token, right: Expr): Expr {
  return { kind: 'binary', op: opToken.text as never, left, right, loc: span(left, right) };
}

export function path(rootToken: Token, root: PathRoot, segments: Segment[], name?: string): PathExpr {
  const last = segments.length > 0 ? segments[segments.length - 1] : rootToken;
  return { kind: 'path', root, name, rootLoc: tokenLoc(rootToken), segments, loc: span(rootToken, last) };
}

/** `a::b::name[…]`: a constant read through module `a::b`. */
export function modulePath(modules: Token[], nameToken: Token, segments: Segment[]): PathExpr {
  const last = segments.length > 0 ? segments[segments.length - 1] : nameToken;
  const rootLoc = span(modules[0], nameToken);
  return { kind: 'path', root: 'local', name: nameToken.value as string, module: modules.map((m) => m.value as string), rootLoc, segments, loc: span(modules[0], last) };
}

export function stringExpr(open: Token, parts: Array<Token | Expr>, close: Token): StringExpr {
  const built: Array<string | Expr> = [];
  for (const part of parts) {
    if ('kind' in part) built.push(part);
    else built.push(part.value as string);
  }
  return { kind: 'string', parts: built, loc: span(open, close) };
}

export function withParam(name: Token, value: Expr): WithParam {
  return { name: name.value as string, value, loc: span(name, value), nameLoc: tokenLoc(name) };
}

/** `a, b, c` collected from `first` and `[[comma, item], ...]` pairs. */
export function list<T>(first: T, rest: Array<[unknown, T]>): T[] {
  return [first, ...rest.map((pair) => pair[1])];
}

/** An identifier token as a name with its location. */
export function named(token: Token): { name: string; loc: Loc } {
  return { name: token.value as string, loc: tokenLoc(token) };
}
