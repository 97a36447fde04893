/**
 * Builds `CompiledQuery` objects by hand, so the engine can be tested without the compiler:
 * each helper makes one statement the way `compileQuery` would.
 */
import type { SourceSpan } from '../../queries/diagnostic.ts';
import type {
  CompiledQuery,
  CompiledStatement,
  EventView,
  OperatorStatement,
  ScriptInstance,
  ScriptStatement,
  SelectStatement,
  StreamRef,
} from '../../queries/compiled-query.ts';
import type { Value } from '../../queries/values/value.ts';
import { EventId } from '../../engine/event-id.ts';
import type { Event } from '../../engine/event.ts';

export const FILE = 'test.trickle';

/** Numbers the selects `select_0`, `select_1`, ... in statement order, as the compiler does. */
export function query(...statements: CompiledStatement[]): CompiledQuery {
  let selectCount = 0;
  for (const statement of statements) if (statement.kind === 'select') statement.nodeId = `select_${selectCount++}`;
  const source = statements.map((s) => `${s.kind} ${s.nodeId};`).join('\n');
  return { file: FILE, source, warnings: [], statements };
}

export function span(line: number, column = 1, length = 6): SourceSpan {
  return { file: FILE, line, column, length };
}

/** `X` or `X/p`: the default port is `out` when reading, `in` when writing. */
function ref(text: string, defaultPort: string, line: number): StreamRef {
  const [node, port] = text.split('/');
  return { node, port: port ?? defaultPort, span: span(line) };
}

export interface SelectOptions {
  shape?: SelectStatement['shape'];
  run?: (event: EventView) => Value | undefined;
  line?: number;
}

export function select(from: string, into: string, options: SelectOptions = {}): SelectStatement {
  const line = options.line ?? 1;
  return {
    kind: 'select',
    nodeId: 'select',
    from: ref(from, 'out', line),
    into: ref(into, 'in', line),
    shape: options.shape ?? (options.run ? 'normal' : 'passthrough'),
    run: options.run ?? ((event) => event.data),
    span: span(line),
  };
}

export function operator(nodeId: string, operatorType: string, params?: Record<string, Value>, line = 1): OperatorStatement {
  const paramSpans = Object.fromEntries(Object.keys(params ?? {}).map((key, i) => [key, span(line, 10 + i * 10, key.length)]));
  return { kind: 'operator', nodeId, operatorType, params, paramSpans, span: span(line) };
}

export function script(nodeId: string, instantiate: () => ScriptInstance, line = 1): ScriptStatement {
  return { kind: 'script', nodeId, instantiate, span: span(line) };
}

export function stream(nodeId: string, line = 1): CompiledQuery['statements'][number] {
  return { kind: 'stream', nodeId, span: span(line) };
}

let eventCount = 0;

export function event(data: Value, options: { transactional?: boolean; sourceId?: number } = {}): Event {
  return {
    id: new EventId(options.sourceId ?? 1000, 0, eventCount++),
    data,
    meta: {},
    ingestNs: eventCount,
    transactional: options.transactional ?? false,
    opMeta: {},
  };
}
