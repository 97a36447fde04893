/**
 * Paths (trickle-spec §3, §4.2, §4.7, §7): reading `event.a[0]`, testing `present`, assigning with
 * `let`. Assignment is copy-on-write along the path, so a value shared with another branch of the
 * pipeline (or a constant) is never modified in place.
 */
import type { Loc, PathExpr, Segment } from '../ast.ts';
import { isRecord, type Value } from '../values/value.ts';
import { copyRecord, isInteger, setKey, typeName } from '../values/ops.ts';
import type { Env, Evaluate } from './env.ts';
import { constant, type Compiled, type Scope } from './context.ts';
import { compileExpression } from './expressions.ts';
import { ScriptNamespace } from './namespace.ts';

/** What a failed step returns when only presence is asked. */
const MISSING: unique symbol = Symbol('missing');
type Step = (value: Value, env: Env, strict: boolean) => Value | typeof MISSING;

const ROOT_WORDING: Record<PathExpr['root'], string> = {
  event: 'event',
  meta: 'global',
  state: 'state',
  args: 'local',
  local: 'local',
};

export function compilePathRead(path: PathExpr, scope: Scope): Compiled {
  const root = compileRoot(path, scope);
  const steps = path.segments.map((segment) => compileStep(segment, path, scope));
  if (root.constant && path.segments.length === 0) return root;
  const readRoot = root.evaluate;
  if (steps.length === 0) return { evaluate: readRoot };
  if (steps.length === 1) {
    const [step] = steps;
    return { evaluate: (env) => step(readRoot(env), env, true) as Value };
  }
  return {
    evaluate: (env) => {
      let value = readRoot(env);
      for (let i = 0; i < steps.length; i++) value = steps[i](value, env, true) as Value;
      return value;
    },
  };
}

export function compilePresence(path: PathExpr, scope: Scope): Evaluate {
  const steps = path.segments.map((segment) => compileStep(segment, path, scope));
  const readRoot = compileRootIfPresent(path, scope);
  return (env) => {
    let value = readRoot(env);
    if (value === MISSING) return false;
    for (let i = 0; i < steps.length; i++) {
      value = steps[i](value, env, false);
      if (value === MISSING) return false;
    }
    return true;
  };
}

function compileRoot(path: PathExpr, scope: Scope): Compiled {
  const context = scope.context;
  switch (path.root) {
    case 'event':
      return { evaluate: (env) => env.event };
    case 'meta':
      return { evaluate: (env) => env.meta };
    case 'state':
      return { evaluate: (env) => env.state };
    case 'args':
      return { evaluate: (env) => env.args };
    case 'local': {
      const name = path.name as string;
      if (path.module) return constant(moduleConstant(path, scope));
      const known = scope.consts.get(name);
      if (known !== undefined || scope.consts.has(name)) return constant(known as Value);
      if (!scope.localsAllowed) throw context.compileError(path.loc, 'Local variables are not allowed here');
      const slot = scope.slotOf(name);
      const rootLoc = path.rootLoc;
      return {
        evaluate: (env) => {
          const value = env.locals[slot];
          if (value === undefined) {
            throw context.diagnostic(rootLoc, `Trying to access a non existing local key \`${name}\``);
          }
          return value;
        },
      };
    }
  }
}

function compileRootIfPresent(path: PathExpr, scope: Scope): (env: Env) => Value | typeof MISSING {
  if (path.root !== 'local') return compileRoot(path, scope).evaluate;
  const name = path.name as string;
  if (path.module) {
    const value = moduleConstant(path, scope);
    return () => value;
  }
  if (scope.consts.has(name)) {
    const value = scope.consts.get(name) as Value;
    return () => value;
  }
  if (!scope.localsAllowed) throw scope.context.compileError(path.loc, 'Local variables are not allowed here');
  const slot = scope.slotOf(name);
  return (env) => env.locals[slot] ?? MISSING;
}

/** `a::b::name`: the constant `name` of module `a::b`, looked up from the module the path is written in. */
function moduleConstant(path: PathExpr, scope: Scope): Value {
  const modules = path.module as string[];
  const name = path.name as string;
  const module = scope.namespace.moduleAt(modules);
  if (module instanceof ScriptNamespace && module.consts.has(name)) return module.consts.get(name) as Value;
  // Tremor shows only the path's own line for this one.
  throw scope.context.diagnostic(path.rootLoc, `The constant ${scope.namespace.absolute(modules, name)} (absolute path) is not defined.`);
}

function compileStep(segment: Segment, path: PathExpr, scope: Scope): Step {
  const context = scope.context;
  const wording = ROOT_WORDING[path.root];
  const conflict = (loc: Loc, got: Value, expected: string) =>
    context.diagnostic(loc, `Conflicting types, got ${typeName(got)} but expected ${expected}`);

  const readKey = (value: Value, key: string, loc: Loc, strict: boolean): Value | typeof MISSING => {
    if (!isRecord(value)) {
      if (strict) throw conflict(loc, value, 'record');
      return MISSING;
    }
    if (Object.hasOwn(value, key)) return value[key];
    if (strict) throw context.diagnostic(loc, `Trying to access a non existing ${wording} key \`${key}\``);
    return MISSING;
  };

  const outOfBounds = (loc: Loc, index: number, length: number) =>
    context.diagnostic(loc, `Array index out of bounds, got index ${index} but expected an index in the range 0:${length}`);

  switch (segment.kind) {
    case 'key': {
      const { name, loc } = segment;
      return (value, _env, strict) => readKey(value, name, loc, strict);
    }
    case 'index': {
      const index = compileExpression(segment.expr, scope, false).evaluate;
      const loc = segment.loc;
      return (value, env, strict) => {
        const at = index(env);
        if (typeof at === 'string') {
          if (isRecord(value) || !Array.isArray(value)) return readKey(value, at, loc, strict);
          if (strict) throw conflict(loc, at, 'integer');
          return MISSING;
        }
        if (isRecord(value)) {
          if (strict) throw conflict(loc, at, 'string');
          return MISSING;
        }
        if (!Array.isArray(value)) {
          if (strict) throw conflict(loc, value, 'array');
          return MISSING;
        }
        if (!isInteger(at)) {
          if (strict) throw conflict(loc, at, 'integer');
          return MISSING;
        }
        if (at < 0 || at >= value.length) {
          if (!strict) return MISSING;
          if (at < 0) throw context.diagnostic(loc, `Bad array index, got \`${at}\` but expected an index in the range 0:${value.length}`);
          throw outOfBounds(loc, at, value.length);
        }
        return value[at];
      };
    }
    case 'range': {
      const start = compileExpression(segment.start, scope, false).evaluate;
      const end = compileExpression(segment.end, scope, false).evaluate;
      const { loc } = segment;
      const startLoc = segment.start.loc;
      const endLoc = segment.end.loc;
      return (value, env, strict) => {
        const from = start(env);
        const to = end(env);
        if (!Array.isArray(value)) {
          if (strict) throw conflict(loc, value, 'array');
          return MISSING;
        }
        if (!isInteger(from) || !isInteger(to)) {
          if (strict) throw isInteger(from) ? conflict(endLoc, to, 'integer') : conflict(startLoc, from, 'integer');
          return MISSING;
        }
        if (!strict && (from < 0 || to < from || to > value.length)) return MISSING;
        if (from < 0) throw context.diagnostic(startLoc, `Bad array index, got \`${from}\` but expected an index in the range 0:${value.length}`);
        if (to < from) throw context.diagnostic(loc, `A range's end cannot be smaller than its start, ${from}:${to} is invalid`);
        if (to > value.length) throw outOfBounds(endLoc, to, value.length);
        return value.slice(from, to);
      };
    }
  }
}

/**
 * `let PATH = value`: returns a closure that stores `value` and returns it. Missing intermediate
 * records are created; index segments must evaluate to strings (keys).
 */
export function compileAssignment(path: PathExpr, letLoc: Loc, scope: Scope): (env: Env, value: Value) => Value {
  const context = scope.context;
  if (path.root === 'args') throw context.compileError(path.loc, "You are trying to assign to a value that isn't valid");
  // Tremor's functions are pure: they may assign their own locals only.
  if (scope.enclosingFunction && path.root !== 'local') {
    throw context.compileError(path.loc, 'A function cannot change `event`, `state` or `$`: functions are side-effect free');
  }
  if (path.root === 'local' && (path.module || scope.consts.has(path.name as string))) {
    throw context.compileError(path.loc, `Can't assign to the constant \`${path.name}\``);
  }
  const keys = path.segments.map((segment): ((env: Env) => string) => {
    if (segment.kind === 'key') {
      const name = segment.name;
      return () => name;
    }
    if (segment.kind === 'range') throw context.compileError(segment.loc, "You are trying to assign to a value that isn't valid");
    const index = compileExpression(segment.expr, scope, false).evaluate;
    const loc = segment.loc;
    return (env) => {
      const key = index(env);
      if (typeof key !== 'string') throw context.diagnostic(loc, `Conflicting types, got ${typeName(key)} but expected string`);
      return key;
    };
  });
  const store = (container: Value | undefined, env: Env, depth: number, value: Value): Value => {
    if (depth === keys.length) return value;
    const key = keys[depth](env);
    if (container !== undefined && !isRecord(container)) {
      throw context.diagnostic(path.segments[depth].loc, `Conflicting types, got ${typeName(container)} but expected record`);
    }
    const record = container === undefined ? {} : copyRecord(container);
    setKey(record, key, store(Object.hasOwn(record, key) ? record[key] : undefined, env, depth + 1, value));
    return record;
  };
  switch (path.root) {
    case 'event':
      return (env, value) => {
        env.event = store(env.event, env, 0, value);
        return value;
      };
    case 'state':
      return (env, value) => {
        env.state = store(env.state, env, 0, value);
        return value;
      };
    case 'meta': {
      if (keys.length === 0) {
        const loc = { start: path.loc.start, end: letLoc.end };
        return () => {
          throw context.diagnostic(loc, "You are trying to assign to a value that isn't valid", { expandLines: 2 });
        };
      }
      return (env, value) => {
        env.meta = store(env.meta, env, 0, value);
        return value;
      };
    }
    case 'local': {
      const slot = scope.slotOf(path.name as string);
      return (env, value) => {
        env.locals[slot] = store(env.locals[slot], env, 0, value);
        return value;
      };
    }
  }
  throw context.compileError(path.loc, "You are trying to assign to a value that isn't valid");
}
