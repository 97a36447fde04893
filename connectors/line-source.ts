/**
 * `stdin` onramp: one event per input line, decoded with the artefact's codec (JSON lines by
 * default). Empty lines are skipped; a line that does not decode is reported with its line number
 * and skipped.
 *
 * Not transactional: standard input cannot be read again, so there is nothing to re-send on a
 * `fail` and no position worth a checkpoint (the `file` source, file-source.ts, is transactional).
 * A `trigger` stops reading at the next line and a `restore` goes on from there, so nothing is
 * dropped while paused; the end of the input simply ends the source.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Codec } from './codec.ts';
import type { Source, SourceContext, SourceFactory } from './connector.ts';
import { PauseGate } from './pause-gate.ts';

export class LineSource implements Source {
  readonly transactional = false;
  private lines?: Interface;
  private stopped = false;
  /** Closed while triggered: the reading loop waits there. */
  private readonly gate = new PauseGate();
  private reading?: Promise<void>;

  constructor(
    private readonly openInput: () => Readable,
    private readonly codec: Codec,
    private readonly inputName: string,
  ) {}

  async start(context: SourceContext): Promise<void> {
    const input = this.openInput();
    input.on('error', (error) => context.warn(`cannot read ${this.inputName}: ${error.message}`));
    this.lines = createInterface({ input, crlfDelay: Infinity });
    this.reading = this.read(this.lines, context);
  }

  trigger(): void {
    this.gate.pause();
  }

  restore(): void {
    this.gate.resume();
  }

  /** Resolves when the whole input has been read (or the source was stopped). */
  get finished(): Promise<void> {
    return this.reading ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.restore();
    this.lines?.close();
    await this.reading;
  }

  private async read(lines: Interface, context: SourceContext): Promise<void> {
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber++;
      await this.gate.passed();
      if (this.stopped) return;
      if (line.trim() === '') continue;
      let data;
      try {
        data = this.codec.decode(line);
      } catch (error) {
        context.warn(`${this.inputName}:${lineNumber}: cannot decode as ${this.codec.name}: ${(error as Error).message}`);
        continue;
      }
      context.emit(data, undefined, this.codec.decodesJsonText ? line.trim() : undefined);
    }
  }
}

export const stdinSourceFactory: SourceFactory = {
  kind: 'source',
  type: 'stdin',
  configKeys: {},
  create: (settings) => new LineSource(() => process.stdin, settings.codec, 'stdin'),
};
