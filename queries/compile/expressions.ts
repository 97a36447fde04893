/**
 * Expressions -> closures (trickle-spec §3, §4). Each AST node is compiled once into a function of
 * the environment; subtrees whose inputs are all constants are evaluated at compile time, so a
 * type error there (`"a" + 1`) is a compile error and a call like `system::hostname()` costs
 * nothing per event.
 *
 * `mutable` says whether `let`/`emit`/`drop` may appear here (script statements, `let` values and
 * match branches in those positions); everywhere else they are compile errors.
 */
import type { BinaryExpr, Expr, InvokeExpr, StringExpr, UnaryExpr } from '../ast.ts';
import { FloatValue, isRecord, type RecordValue, type Value } from '../values/value.ts';
import { stringifyJson } from '../values/json.ts';
import {
  add,
  compareValues,
  divide,
  INVALID,
  multiply,
  negate,
  remainder,
  setKey,
  subtract,
  typeName,
  valuesEqual,
  type OpResult,
} from '../values/ops.ts';
import { mergeValues } from '../values/merge.ts';
import { FunctionError, type StdFunction } from '../stdlib/index.ts';
import { LocatedDiagnostic } from '../diagnostics/located-diagnostic.ts';
import { DROP, type Env, type Evaluate, type ScriptExit } from './env.ts';
import { constant, FOLDING_ENV, type Compiled, type Scope } from './context.ts';
import { compileAssignment, compilePathRead, compilePresence } from './paths.ts';
import { compilePatch } from './patch.ts';
import { compileMatch } from './match.ts';
import { compileFunctionCall, compileRecur } from './functions.ts';
import { compileComprehension } from './comprehension.ts';
import { ScriptNamespace } from './namespace.ts';

export function compileExpression(expr: Expr, scope: Scope, mutable: boolean): Compiled {
  const context = scope.context;
  switch (expr.kind) {
    case 'literal': {
      const { value } = expr;
      return constant(expr.isFloat === true && typeof value === 'number' && Number.isInteger(value) ? new FloatValue(value) : value);
    }
    case 'string':
      return compileString(expr, scope);
    case 'record':
      return compileRecord(expr.fields, scope);
    case 'list': {
      const items = expr.items.map((item) => compileExpression(item, scope, false));
      return fold(items, { evaluate: (env) => items.map((item) => item.evaluate(env)) });
    }
    case 'path':
      return compilePathRead(expr, scope);
    case 'presence': {
      const test = compilePresence(expr.path, scope);
      return { evaluate: expr.negate ? (env) => !test(env) : test };
    }
    case 'binary':
      return compileBinary(expr, scope);
    case 'unary':
      return compileUnary(expr, scope);
    case 'invoke':
      return compileInvoke(expr, scope);
    case 'patch':
      return compilePatch(expr, scope);
    case 'merge': {
      const target = compileExpression(expr.target, scope, false);
      const spec = compileExpression(expr.spec, scope, false);
      const targetLoc = expr.target.loc;
      const specLoc = expr.spec.loc;
      const evaluateTarget = target.evaluate;
      const evaluateSpec = spec.evaluate;
      return fold([target, spec], {
        evaluate: (env) => {
          const base = evaluateTarget(env);
          if (!isRecord(base)) throw context.diagnostic(targetLoc, `Conflicting types, got ${typeName(base)} but expected record`);
          const patch = evaluateSpec(env);
          if (!isRecord(patch)) throw context.diagnostic(specLoc, `Conflicting types, got ${typeName(patch)} but expected record`);
          return mergeValues(base, patch);
        },
      });
    }
    case 'match':
      return compileMatch(expr, scope, mutable);
    case 'let': {
      if (!mutable) throw context.compileError(expr.loc, '`let` is not allowed in an expression that cannot change the event');
      const value = compileExpression(expr.value, scope, true).evaluate;
      const assign = compileAssignment(expr.target, expr.loc, scope);
      return { evaluate: (env) => assign(env, value(env)) };
    }
    case 'emit': {
      if (!mutable) throw context.compileError(expr.loc, '`emit` is not allowed in an expression that cannot change the event');
      if (scope.enclosingFunction) throw context.compileError(expr.loc, '`emit` is not allowed in a function: functions return a value');
      const value = expr.value ? compileExpression(expr.value, scope, false).evaluate : undefined;
      const port = expr.port ? compileString(expr.port, scope).evaluate : undefined;
      return {
        evaluate: (env) => {
          const exit: ScriptExit = { exit: 'emit', value: value ? value(env) : undefined, port: port ? (port(env) as string) : 'out' };
          throw exit;
        },
      };
    }
    case 'recur':
      return compileRecur(expr, scope);
    case 'for':
      return compileComprehension(expr, scope, mutable);
    case 'drop':
      if (!mutable) throw context.compileError(expr.loc, '`drop` is not allowed in an expression that cannot change the event');
      if (scope.enclosingFunction) throw context.compileError(expr.loc, '`drop` is not allowed in a function: functions return a value');
      return {
        evaluate: () => {
          throw DROP;
        },
      };
  }
}

/** Runs a node at compile time when all its inputs are constants; its errors become compile errors. */
function fold(inputs: Compiled[], compiled: Compiled): Compiled {
  if (!inputs.every((input) => input.constant)) return compiled;
  return constant(compiled.evaluate(FOLDING_ENV));
}

export function compileString(expr: StringExpr, scope: Scope): Compiled {
  const parts = expr.parts.map((part) => (typeof part === 'string' ? constant(part) : compileExpression(part, scope, false)));
  if (parts.length === 0) return constant('');
  const render = (value: Value): string => (typeof value === 'string' ? value : stringifyJson(value));
  if (parts.length === 1) {
    const only = parts[0].evaluate;
    return fold(parts, { evaluate: (env) => render(only(env)) });
  }
  return fold(parts, {
    evaluate: (env) => {
      let text = '';
      for (let i = 0; i < parts.length; i++) text += render(parts[i].evaluate(env));
      return text;
    },
  });
}

function compileRecord(fields: Array<{ key: StringExpr; value: Expr }>, scope: Scope): Compiled {
  const keys = fields.map((field) => compileString(field.key, scope));
  const values = fields.map((field) => compileExpression(field.value, scope, false));
  const constantKeys = keys.every((key) => key.constant) ? keys.map((key) => key.constant?.value as string) : undefined;
  const evaluate: Evaluate = constantKeys
    ? (env) => {
        const record: RecordValue = {};
        for (let i = 0; i < constantKeys.length; i++) setKey(record, constantKeys[i], values[i].evaluate(env));
        return record;
      }
    : (env) => {
        const record: RecordValue = {};
        for (let i = 0; i < keys.length; i++) setKey(record, keys[i].evaluate(env) as string, values[i].evaluate(env));
        return record;
      };
  return fold([...keys, ...values], { evaluate });
}

const ARITHMETIC: Partial<Record<BinaryExpr['op'], (a: Value, b: Value) => OpResult>> = {
  '+': add,
  '-': subtract,
  '*': multiply,
  '/': divide,
  '%': remainder,
};

function binaryOperation(op: BinaryExpr['op']): (a: Value, b: Value) => OpResult {
  const arithmetic = ARITHMETIC[op];
  if (arithmetic) return arithmetic;
  switch (op) {
    case '==':
      return valuesEqual;
    case '!=':
      return (a, b) => !valuesEqual(a, b);
    case '<':
      return (a, b) => ordered(compareValues(a, b), (order) => order < 0);
    case '<=':
      return (a, b) => ordered(compareValues(a, b), (order) => order <= 0);
    case '>':
      return (a, b) => ordered(compareValues(a, b), (order) => order > 0);
    case '>=':
      return (a, b) => ordered(compareValues(a, b), (order) => order >= 0);
    // v0.11 evaluates both operands of the logical operators (no short-circuit), then checks types.
    case 'and':
      return (a, b) => (typeof a === 'boolean' && typeof b === 'boolean' ? a && b : INVALID);
    case 'or':
      return (a, b) => (typeof a === 'boolean' && typeof b === 'boolean' ? a || b : INVALID);
    case 'xor':
      return (a, b) => (typeof a === 'boolean' && typeof b === 'boolean' ? a !== b : INVALID);
  }
  throw new Error(`unknown binary operator ${op}`);
}

function ordered(order: -1 | 0 | 1 | typeof INVALID, test: (order: number) => boolean): OpResult {
  return order === INVALID ? INVALID : test(order);
}

function compileBinary(expr: BinaryExpr, scope: Scope): Compiled {
  const left = compileExpression(expr.left, scope, false);
  const right = compileExpression(expr.right, scope, false);
  const operation = binaryOperation(expr.op);
  const evaluateLeft = left.evaluate;
  const evaluateRight = right.evaluate;
  const { op, loc } = expr;
  const context = scope.context;
  return fold([left, right], {
    evaluate: (env) => {
      const a = evaluateLeft(env);
      const b = evaluateRight(env);
      const result = operation(a, b);
      if (result === INVALID) {
        throw context.diagnostic(loc, `The binary operation \`${op}\` is not defined for the type \`${typeName(a)}\` and \`${typeName(b)}\``);
      }
      return result;
    },
  });
}

function compileUnary(expr: UnaryExpr, scope: Scope): Compiled {
  if (expr.op === '!') throw scope.context.compileError(expr.loc, 'The bitwise operator `!` is not supported by rill');
  const operand = compileExpression(expr.operand, scope, false);
  const evaluateOperand = operand.evaluate;
  const { op } = expr;
  const context = scope.context;
  const fail = (value: Value): never => {
    throw context.diagnostic(op === 'not' ? expr.operand.loc : expr.loc, `The unary operation \`${op}\` is not defined for the type \`${typeName(value)}\``);
  };
  const evaluate: Evaluate =
    op === 'not'
      ? (env) => {
          const value = evaluateOperand(env);
          return typeof value === 'boolean' ? !value : fail(value);
        }
      : op === '-'
        ? (env) => {
            const value = evaluateOperand(env);
            const result = negate(value);
            return result === INVALID ? fail(value) : result;
          }
        : (env) => {
            const value = evaluateOperand(env);
            return typeof value === 'number' || value instanceof FloatValue ? value : fail(value);
          };
  return fold([operand], { evaluate });
}

function compileInvoke(expr: InvokeExpr, scope: Scope): Compiled {
  const context = scope.context;
  // Tremor names a bare function `::name`.
  const qualified = expr.module.length === 0 ? `::${expr.name}` : [...expr.module, expr.name].join('::');
  const target = scope.namespace.moduleAt(expr.module);
  const scriptFunction = target instanceof ScriptNamespace ? target.functions.get(expr.name) : undefined;
  if (scriptFunction) return compileFunctionCall(scriptFunction, expr, qualified, scope);
  const module =
    target !== undefined && !(target instanceof ScriptNamespace)
      ? target
      : expr.module.length === 0
        ? scope.ownFunctions
        : expr.module.length === 1
          ? scope.modules.get(expr.module[0])
          : undefined;
  const fn: StdFunction | undefined = module && Object.hasOwn(module, expr.name) ? module[expr.name] : undefined;
  if (!fn) throw undefinedFunction(expr, qualified, scope);
  const arity = expr.args.length;
  const [min, max] = typeof fn.arity === 'number' ? [fn.arity, fn.arity] : fn.arity;
  if (arity < min || arity > max) throw context.compileError(expr.loc, `Bad arity for function ${qualified}/${arity}`);
  const args = expr.args.map((arg) => compileExpression(arg, scope, false));
  const loc = expr.loc;
  const call = (values: Value[], env: Env): Value => {
    try {
      return fn.call(values, env);
    } catch (error) {
      if (!(error instanceof FunctionError)) throw error;
      const message =
        error.kind === 'badType'
          ? `Bad type passed to function ${qualified}/${arity}`
          : `Runtime error in function ${qualified}/${arity}: ${error.message}`;
      throw context.diagnostic(loc, message, { expandLines: 2 });
    }
  };
  if (fn.pure && args.every((arg) => arg.constant)) {
    try {
      return constant(call(args.map((arg) => arg.constant?.value as Value), FOLDING_ENV));
    } catch (error) {
      // At compile time the error shows only the call's own lines, as Tremor prints it.
      if (error instanceof LocatedDiagnostic) throw context.diagnostic(loc, error.message);
      throw error;
    }
  }
  const evaluators = args.map((arg) => arg.evaluate);
  return { evaluate: (env) => call(evaluators.map((evaluate) => evaluate(env)), env) };
}

/** Inside a function Tremor shows the whole definition around the call, two lines either side. */
function undefinedFunction(expr: InvokeExpr, qualified: string, scope: Scope): LocatedDiagnostic {
  const message = `Call to undefined function ${qualified}`;
  const enclosing = scope.enclosingFunction;
  if (!enclosing) return scope.context.compileError(expr.loc, message);
  const { sourceMap } = scope.context;
  const lines = sourceMap.lines(enclosing.loc);
  return new LocatedDiagnostic(message, sourceMap.span(expr.loc), { first: lines.first - 2, last: lines.last + 2 });
}
