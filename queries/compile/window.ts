/**
 * `define tumbling window NAME with … [script …] end` -> a WindowDefinition (Tremor v0.11
 * `query.rs` `window_decl_to_impl`). Settings: exactly one of `size` (events) or `interval`
 * (nanoseconds), and `emit_empty_windows` (interval windows, on ticks), `max_groups`,
 * `eviction_period` (ns). The errors are Tremor's; an unknown setting is reported (Tremor ignores
 * it) with the nearest known name, since a misspelt `max_group` would otherwise silently do nothing.
 */
import type { DefineWindowStmt, WithParam } from '../ast.ts';
import type { EventView } from '../compiled-query.ts';
import { FloatValue, type Value } from '../values/value.ts';
import { typeName } from '../values/ops.ts';
import { nearestName } from '../../engine/nearest-name.ts';
import { TumblingBySize, TumblingByTime, type WindowDefinition, type WindowScript } from '../windows/window-kinds.ts';
import { CompileContext, Scope } from './context.ts';
import type { Env } from './env.ts';
import { compileScriptBody } from './script.ts';

const SETTINGS = ['size', 'interval', 'emit_empty_windows', 'max_groups', 'eviction_period'] as const;

export function compileWindow(
  statement: DefineWindowStmt,
  context: CompileContext,
  constantParams: (params: WithParam[]) => Record<string, Value>,
): WindowDefinition {
  const fail = (message: string, hint?: string) => context.compileError(statement.loc, message, hint);
  if (statement.windowKind === 'sliding') throw fail('Sliding windows are not yet implemented');
  const params = constantParams(statement.params);
  for (const param of statement.params) {
    if ((SETTINGS as readonly string[]).includes(param.name)) continue;
    const near = nearestName(param.name, SETTINGS);
    context.warn(param.nameLoc, `Unknown window setting \`${param.name}\`; windows know ${SETTINGS.join(', ')}`, near ? `Did you mean \`${near}\`?` : undefined);
  }
  // Tremor reads each number with `as_u64`: a value of another type counts as not given.
  const count = (key: string): number | undefined => {
    const value = params[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
  };
  const notCounted = (key: string): string | undefined =>
    Object.hasOwn(params, key) && count(key) === undefined ? `\`${key}\` is ${describe(params[key])}; it must be a non-negative integer` : undefined;
  const size = count('size');
  const interval = count('interval');
  if (size !== undefined && interval !== undefined) throw fail('Bad window configuration, only one of `size` or `interval` is allowed.');
  if (size === undefined && interval === undefined) {
    throw fail('Bad window configuration, either `size` or `interval` is required.', notCounted('size') ?? notCounted('interval'));
  }
  const maxGroups = count('max_groups') ?? Infinity;
  const evictionNs = count('eviction_period');
  const emitEmpty = params.emit_empty_windows === true;
  if (emitEmpty && params.max_groups === undefined && evictionNs === undefined) {
    // Every group ever seen would emit an empty window on every interval, for ever.
    context.warn(statement.loc, '`emit_empty_windows` without `max_groups` or `eviction_period`: groups are never dropped, and each emits every interval');
  }
  const script = statement.script ? compileWindowScript(statement, context) : undefined;
  return {
    name: statement.name,
    maxGroups,
    evictionNs,
    create: size !== undefined ? () => new TumblingBySize(size, script) : () => new TumblingByTime(interval!, emitEmpty, script),
  };
}

function describe(value: Value): string {
  return value instanceof FloatValue || typeof value === 'number' ? `${value instanceof FloatValue ? value.value : value}` : `a ${typeName(value)}`;
}

/** The window's script: its value for an event must be a non-negative integer. */
function compileWindowScript(statement: DefineWindowStmt, context: CompileContext): WindowScript {
  const body = compileScriptBody(statement.script!, new Scope(context, true));
  const loc = statement.loc;
  return (event: EventView) => {
    const env: Env = { event: event.data, meta: event.meta, state: null, args: null, locals: new Array(body.localCount), ingestNs: event.ingestNs };
    const result = body.run(env);
    const value = result.kind === 'emit' ? result.value : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw context.diagnostic(loc, "Data based window didn't provide a valid value");
    return value;
  };
}
