/**
 * `patch T of … end` (trickle-spec §5): the target is copied (a shallow copy of the top-level
 * record, nested records are copied only where merged), every key and value is evaluated first
 * against the original state, then the operations apply in order.
 */
import type { Expr, Loc, PatchExpr, PatchOperation } from '../ast.ts';
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import { copyRecord, setKey, typeName } from '../values/ops.ts';
import { mergeValues } from '../values/merge.ts';
import { stringifyJson } from '../values/json.ts';
import type { ConstantInserts } from '../compiled-query.ts';
import type { Env, Evaluate } from './env.ts';
import type { Compiled, Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

/** One operation, with its key and value already evaluated. */
type Apply = (record: RecordValue, key: string, value: Value) => RecordValue;

interface CompiledOperation {
  /** Constant key (the common case), or a closure that must yield a string. */
  key: string | Evaluate | undefined;
  keyLoc: Loc;
  value: Evaluate | undefined;
  /** The value when it is a compile-time constant (`system::hostname()` is one). */
  constantValue?: { value: Value };
  /** `insert`, `upsert`, …: what `constantInserts` looks for. */
  kind: PatchOperation['kind'];
  apply: Apply;
}

export function compilePatch(expr: PatchExpr, scope: Scope): Compiled {
  const context = scope.context;
  if (expr.missingEnd) {
    context.warn(expr.loc, 'Non-standard patch without `end`: write `select patch … end from …`');
  }
  const target = compileExpression(expr.target, scope, false).evaluate;
  const targetLoc = expr.target.loc;
  const operations = expr.operations.map((operation) => compileOperation(operation, scope));
  const count = operations.length;

  const evaluateKey = (operation: CompiledOperation, env: Env): string => {
    const key = operation.key;
    if (typeof key === 'string' || key === undefined) return key ?? '';
    const value = key(env);
    if (typeof value !== 'string') {
      throw context.diagnostic(operation.keyLoc, `Conflicting types, got ${typeName(value)} but expected string`);
    }
    return value;
  };
  const start = (env: Env): RecordValue => {
    const value = target(env);
    if (!isRecord(value)) throw context.diagnostic(targetLoc, `Conflicting types, got ${typeName(value)} but expected record`);
    return copyRecord(value);
  };

  const constantInserts = constantInsertsOf(expr, operations);
  if (count === 1) {
    const [only] = operations;
    const value = only.value;
    return {
      evaluate: (env) => {
        const record = start(env);
        return only.apply(record, evaluateKey(only, env), value ? value(env) : null);
      },
      constantInserts,
    };
  }
  return {
    evaluate: (env) => {
      const original = target(env);
      if (!isRecord(original)) throw context.diagnostic(targetLoc, `Conflicting types, got ${typeName(original)} but expected record`);
      const keys: string[] = new Array(count);
      const values: Value[] = new Array(count);
      for (let i = 0; i < count; i++) {
        keys[i] = evaluateKey(operations[i], env);
        const value = operations[i].value;
        values[i] = value ? value(env) : null;
      }
      let record = copyRecord(original);
      for (let i = 0; i < count; i++) record = operations[i].apply(record, keys[i], values[i]);
      return record;
    },
    constantInserts,
  };
}

/**
 * `patch event of insert "k" => CONSTANT … end` with distinct keys: its result is the event's
 * record with these keys added at the end (or the error of a key that exists), so its JSON text
 * is the event's text with `json` before the closing brace. Undefined for any other patch, and for
 * a `__proto__` key or a value JSON cannot hold (left to the general path and its errors).
 */
function constantInsertsOf(expr: PatchExpr, operations: CompiledOperation[]): ConstantInserts | undefined {
  const target = expr.target;
  if (target.kind !== 'path' || target.root !== 'event' || target.segments.length > 0) return undefined;
  const keys: string[] = [];
  let json = '';
  for (const operation of operations) {
    const key = operation.key;
    if (operation.kind !== 'insert' || typeof key !== 'string' || operation.constantValue === undefined) return undefined;
    // An integer-like key goes first in a JavaScript record, not at the end of the text.
    if (key === '__proto__' || keys.includes(key) || /^\d+$/.test(key)) return undefined;
    const value = operation.constantValue.value;
    let valueJson: string;
    try {
      valueJson = stringifyJson(value);
    } catch {
      return undefined;
    }
    keys.push(key);
    json += `,${JSON.stringify(key)}:${valueJson}`;
  }
  if (keys.length === 0) return undefined;
  const quotedKeys = keys.map((key) => JSON.stringify(key));
  // Surrogates left out altogether (a lone one may be written unescaped in a text): astral keys take the general path.
  const searchable = keys.every((key, i) => !/[\uD800-\uDFFF]/.test(key) && !quotedKeys[i].includes('\\'));
  return { keys, json, quotedKeys: searchable ? quotedKeys : undefined };
}

function compileOperation(operation: PatchOperation, scope: Scope): CompiledOperation {
  const context = scope.context;
  const loc = operation.loc;
  if ('compatKey' in operation && operation.compatKey !== undefined) {
    context.warn(
      loc,
      `Non-standard patch operation: write \`${operation.kind} "${operation.compatKey}" => …\` instead of \`${operation.kind} ${operation.compatKey} = …\``,
    );
  }
  const compileKey = (keyExpr: Expr): string | Evaluate => {
    const compiled = compileExpression(keyExpr, scope, false);
    return compiled.constant && typeof compiled.constant.value === 'string' ? compiled.constant.value : compiled.evaluate;
  };
  const alreadyExists = (key: string) =>
    context.diagnostic(loc, `The key that is supposed to be written to already exists: ${key}`);
  const notARecord = (record: Value) =>
    context.diagnostic(loc, `Conflicting types, got ${typeName(record)} but expected record`);
  const expectRecord = (record: Value): RecordValue => {
    if (!isRecord(record)) throw notARecord(record);
    return record;
  };

  switch (operation.kind) {
    case 'insert':
    case 'upsert':
    case 'update':
    case 'merge': {
      const key = compileKey(operation.key);
      const compiledValue = compileExpression(operation.value, scope, false);
      const value = compiledValue.evaluate;
      const keyLoc = operation.key.loc;
      const apply: Record<typeof operation.kind, Apply> = {
        insert: (record, k, v) => {
          expectRecord(record);
          if (Object.hasOwn(record, k)) throw alreadyExists(k);
          setKey(record, k, v);
          return record;
        },
        upsert: (record, k, v) => {
          expectRecord(record);
          setKey(record, k, v);
          return record;
        },
        update: (record, k, v) => {
          expectRecord(record);
          if (!Object.hasOwn(record, k)) {
            throw context.diagnostic(loc, `The key that is supposed to be updated does not exists: ${k}`);
          }
          setKey(record, k, v);
          return record;
        },
        merge: (record, k, v) => {
          expectRecord(record);
          if (!Object.hasOwn(record, k)) {
            setKey(record, k, mergeValues({}, v));
            return record;
          }
          const existing = record[k];
          if (!isRecord(existing)) {
            throw context.diagnostic(
              loc,
              `Merge can only be performed on keys that either do not exist or are records but the key '${k}' has the type ${typeName(existing)}`,
            );
          }
          setKey(record, k, mergeValues(existing, v));
          return record;
        },
      };
      return { key, keyLoc, value, constantValue: compiledValue.constant, kind: operation.kind, apply: apply[operation.kind] };
    }
    case 'erase':
      return {
        key: compileKey(operation.key),
        keyLoc: operation.key.loc,
        value: undefined,
        kind: operation.kind,
        apply: (record, k) => {
          expectRecord(record);
          delete record[k];
          return record;
        },
      };
    case 'mergeAll': {
      const value = compileExpression(operation.value, scope, false).evaluate;
      return {
        key: undefined,
        keyLoc: loc,
        value,
        kind: operation.kind,
        // v0.11: a non-record value replaces the whole target (later operations then fail).
        apply: (record, _k, v) => mergeValues(expectRecord(record), v) as RecordValue,
      };
    }
    case 'move':
    case 'copy': {
      const to = compileExpression(operation.to, scope, false);
      const toKey = to.constant && typeof to.constant.value === 'string' ? to.constant.value : undefined;
      const toEvaluate = to.evaluate;
      const toLoc = operation.to.loc;
      const isMove = operation.kind === 'move';
      return {
        key: compileKey(operation.key),
        keyLoc: operation.key.loc,
        kind: operation.kind,
        // The destination key travels as the operation's "value", evaluated up front like the rest.
        value: toKey !== undefined ? () => toKey : toEvaluate,
        apply: (record, from, destination) => {
          expectRecord(record);
          if (typeof destination !== 'string') {
            throw context.diagnostic(toLoc, `Conflicting types, got ${typeName(destination)} but expected string`);
          }
          if (Object.hasOwn(record, destination)) throw alreadyExists(destination);
          if (!Object.hasOwn(record, from)) return record;
          setKey(record, destination, record[from]);
          if (isMove) delete record[from];
          return record;
        },
      };
    }
  }
}
