/**
 * What the connector tests watch: a SourceContext that records emitted events and warnings, a
 * SinkContext that records circuit changes, deliveries that record acks and fails, and real TCP
 * clients on 127.0.0.1 that collect what they receive.
 */
import { connect, type Socket } from 'node:net';
import type { Event } from '../../engine/event.ts';
import { EventId } from '../../engine/event-id.ts';
import { parseJson } from '../../queries/values/json.ts';
import type { ConnectorParts, Delivery, SinkContext, SourceContext } from '../../connectors/connector.ts';
import type { RecordValue, Value } from '../../queries/values/value.ts';

export interface Emitted {
  data: Value;
  meta: RecordValue;
  dataJson?: string;
  /** Handed on as JSON text to be parsed later (emitJson), not as a decoded payload. */
  asText?: boolean;
}

export class SourceRecorder implements SourceContext {
  readonly events: Emitted[] = [];
  readonly warnings: string[] = [];
  /** Called after each emit (a test may trigger the source from inside, as a full WAL would). */
  onEmit?: (event: Emitted) => void;

  emit(data: Value, meta: RecordValue = {}, dataJson?: string): void {
    const event = { data, meta, dataJson };
    this.events.push(event);
    this.onEmit?.(event);
  }

  /** As the runtime's TextEvent would read the bytes when a node looks at the payload. */
  emitJson(utf8: Buffer, start: number, end: number, meta: RecordValue = {}): void {
    const text = utf8.toString('utf8', start, end);
    const event = { data: parseJson(text), meta, dataJson: text, asText: true };
    this.events.push(event);
    this.onEmit?.(event);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** A SourceContext from a test's own `emit` and `warn`; `emitJson` hands `emit` the parsed text. */
export function sourceContext(context: Pick<SourceContext, 'emit' | 'warn'>): SourceContext {
  return {
    ...context,
    emitJson: (utf8, start, end, meta) => {
      const text = utf8.toString('utf8', start, end);
      context.emit(parseJson(text), meta, text);
    },
  };
}

export class SinkRecorder implements SinkContext {
  readonly circuit: Array<'trigger' | 'restore'> = [];
  readonly warnings: string[] = [];
  readonly acks: number[] = [];
  readonly fails: Array<[number, string]> = [];

  trigger(): void {
    this.circuit.push('trigger');
  }

  restore(): void {
    this.circuit.push('restore');
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  delivery(n: number): Delivery {
    return { ack: () => this.acks.push(n), fail: (reason) => this.fails.push([n, reason]) };
  }
}

export function event(n: number, data: Value, meta: RecordValue = {}): Event {
  return { id: new EventId(1, 0, n), data, meta, ingestNs: 0, transactional: true, opMeta: {} };
}

/** A real client socket that collects what it receives as text. */
export class Client {
  received = '';
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => (this.received += data.toString()));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new Client(socket);
  }

  get port(): number {
    return this.socket.localPort!;
  }

  get lines(): string[] {
    return this.received.split('\n').filter((line) => line !== '');
  }

  write(text: string): void {
    this.socket.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}

/**
 * Starts a connector's halves as the runtime does (sink first) with recorders as their contexts;
 * `whenDone` gets what stops them (source first), for the test's cleanup.
 */
export async function startParts(parts: ConnectorParts, whenDone: (stop: () => Promise<void>) => void): Promise<{ source: SourceRecorder; sink: SinkRecorder }> {
  const source = new SourceRecorder();
  const sink = new SinkRecorder();
  await parts.sink?.start(sink);
  await parts.source?.start(source);
  whenDone(async () => {
    await parts.source?.stop();
    await parts.sink?.stop();
  });
  return { source, sink };
}
