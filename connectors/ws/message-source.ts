/**
 * The source half of a WebSocket connector (`ws_server`, `ws_client`): each message the socket
 * owner pushes becomes one event, decoded with the connector's codec (a text frame as text, a
 * binary frame as UTF-8). Not transactional: a WebSocket message cannot be asked for again.
 * A trigger asks the owner to pause reading its sockets (`setPaused(true)`, so TCP flow control
 * holds the peers back); messages already received meanwhile wait here and are emitted, in order,
 * on the restore. A message that does not decode is reported and skipped.
 */
import type { RecordValue } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import type { Source, SourceContext } from '../connector.ts';

export class MessageSource implements Source {
  readonly transactional = false;
  private context?: SourceContext;
  private paused = false;
  private stopped = false;
  private readonly waiting: Array<{ text: string; meta: RecordValue }> = [];
  /** Set by the owner: pauses or resumes reading from its sockets. */
  setPaused: (paused: boolean) => void = () => {};
  /** Set by the owner: called once when the runtime starts or stops this half. */
  onStart: () => Promise<void> = async () => {};
  onStop: () => Promise<void> = async () => {};

  constructor(
    private readonly codec: Codec,
    private readonly describe: string,
  ) {}

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    await this.onStart();
  }

  push(data: Buffer, meta: RecordValue): void {
    if (this.stopped) return;
    const text = data.toString('utf8');
    if (this.paused) this.waiting.push({ text, meta });
    else this.emit(text, meta);
  }

  trigger(): void {
    this.paused = true;
    this.setPaused(true);
  }

  restore(): void {
    this.paused = false;
    while (!this.paused && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.emit(next.text, next.meta);
    }
    if (!this.paused) this.setPaused(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.onStop();
  }

  private emit(text: string, meta: RecordValue): void {
    const context = this.context;
    if (context === undefined) return;
    let data;
    try {
      data = this.codec.decode(text);
    } catch (error) {
      context.warn(`${this.describe}: a message does not decode as ${this.codec.name}: ${(error as Error).message}; skipped`);
      return;
    }
    context.emit(data, meta, this.codec.decodesJsonText ? text.trim() : undefined);
  }
}
