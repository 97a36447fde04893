/**
 * `cb` (Tremor 0.12 debug connector, `--debug-connectors`): checks the runtime's guaranteed
 * delivery end to end.
 *
 * Source: replays the lines of `path` (0.12.4's key; `paths`, a list, as later Tremor versions
 * name it) as transactional events, then waits until every event has come back as an ack or a
 * fail (with `expect_batched`: until the last event of the file is covered by one, as a window
 * or batch acks the ids it merged), at most `timeout` nanoseconds (default 10 s). It prints
 * `All required CB events received.` or `Expected CB events up to id N.` on stderr with the
 * counts, and stops the process. Deviations from Tremor: the wait ends as soon as the answers
 * are complete (Tremor sleeps the whole timeout when they are not complete at the end of the
 * file), and a missing answer makes the exit status 1 (Tremor exits 0 either way).
 *
 * Sink: reads the `cb` field of the event's metadata (`$cb`) or else of its payload, a string or
 * a list of strings: `ack` / `fail` settle the event, `close`/`trigger` and `open`/`restore` set
 * the sink's circuit, which the runtime passes upstream. An event without one is left unsettled,
 * as in Tremor (the cb sink does not auto-ack), so a `cb` source upstream reports it missing.
 */
import type { Event } from '../../engine/event.ts';
import type { Value } from '../../queries/values/value.ts';
import { isRecord } from '../../queries/values/value.ts';
import type { Codec } from '../codec.ts';
import { ConnectorConfigError, type ConnectorFactory, type Delivery, type Sink, type SinkContext, type Source, type SourceContext } from '../connector.ts';
import { readLines } from '../file-lines.ts';
import { PauseGate } from '../pause-gate.ts';

const DEFAULT_TIMEOUT_NS = 10_000_000_000;
/** Lines emitted between yields to the event loop, so acks and timers run while a file replays. */
const LINES_PER_TURN = 64;

export interface CbSourceOptions {
  lines: string[];
  codec: Codec;
  timeoutNs: number;
  expectBatched: boolean;
  /** Where the verdict goes (stderr). */
  report: (text: string) => void;
}

export class CbSource implements Source {
  readonly transactional = true;
  private context?: SourceContext;
  private sent = 0;
  private readonly acked = new Set<number>();
  private readonly failed = new Set<number>();
  /** Event numbers with an ack or a fail, and the highest of them: what `receivedAll` compares. */
  private readonly answeredNumbers = new Set<number>();
  private highestAnswered = -1;
  private triggers = 0;
  private restores = 0;
  /** Closed while triggered: the reading loop waits there. */
  private readonly gate = new PauseGate();
  private stopped = false;
  private answered?: () => void;
  private running?: Promise<void>;

  constructor(private readonly options: CbSourceOptions) {}

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.running = this.run(context);
  }

  trigger(): void {
    this.triggers++;
    this.gate.pause();
  }

  restore(): void {
    this.restores++;
    this.gate.resume();
  }

  ack(first: number, last: number): void {
    for (let n = first; n <= last; n++) {
      this.acked.add(n);
      this.answer(n);
    }
    this.checkAnswered();
  }

  fail(eventNumber: number): void {
    this.failed.add(eventNumber);
    this.answer(eventNumber);
    this.checkAnswered();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.gate.resume();
    this.answered?.();
    await this.running;
  }

  /** Every event answered (or, batched, the last one covered by an answer). */
  receivedAll(): boolean {
    if (this.options.expectBatched) return this.sent === 0 || this.highestAnswered === this.sent - 1;
    return this.answeredNumbers.size === this.sent;
  }

  private answer(eventNumber: number): void {
    this.answeredNumbers.add(eventNumber);
    this.highestAnswered = Math.max(this.highestAnswered, eventNumber);
  }

  private checkAnswered(): void {
    if (this.answered !== undefined && this.receivedAll()) this.answered();
  }

  private async run(context: SourceContext): Promise<void> {
    const { lines, codec } = this.options;
    for (let index = 0; index < lines.length; index++) {
      await this.gate.passed();
      if (this.stopped) return;
      let data: Value;
      try {
        data = codec.decode(lines[index]!);
      } catch (error) {
        context.warn(`line ${index + 1}: cannot decode as ${codec.name}: ${(error as Error).message}`);
        continue;
      }
      this.sent++;
      context.emit(data, undefined, codec.decodesJsonText ? lines[index]!.trim() : undefined);
      if ((index + 1) % LINES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (!this.receivedAll()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.round(this.options.timeoutNs / 1_000_000));
        this.answered = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.stopped) return;
    const complete = this.receivedAll();
    const verdict = complete ? 'All required CB events received.' : `Expected CB events up to id ${this.sent - 1}.`;
    this.options.report(
      `${verdict}\nGot acks: ${this.acked.size}\nGot fails: ${this.failed.size}\nGot triggers: ${this.triggers}, restores: ${this.restores}\n`,
    );
    context.requestStop?.(complete ? 'cb: all answers received' : 'cb: answers missing after the timeout', complete ? 0 : 1);
  }
}

type CbCommand = 'ack' | 'fail' | 'trigger' | 'restore';

/** The commands of one event's `cb` value (a string or a list of strings; anything else: none). */
function commandsOf(value: Value | undefined): Set<string> {
  if (typeof value === 'string') return new Set([value]);
  if (Array.isArray(value)) return new Set(value.filter((item): item is string => typeof item === 'string'));
  return new Set();
}

export class CbSink implements Sink {
  private context?: SinkContext;
  /** Figures for tests: what the sink was told to do. */
  readonly counts: Record<CbCommand, number> = { ack: 0, fail: 0, trigger: 0, restore: 0 };

  async start(context: SinkContext): Promise<void> {
    this.context = context;
  }

  isActive(): boolean {
    return true;
  }

  send(event: Event, delivery: Delivery): void {
    const fromMeta = event.meta.cb;
    const commands = commandsOf(fromMeta !== undefined ? fromMeta : isRecord(event.data) ? event.data.cb : undefined);
    if (commands.has('ack')) {
      this.counts.ack++;
      delivery.ack();
    } else if (commands.has('fail')) {
      this.counts.fail++;
      delivery.fail('the event asked the cb sink to fail it');
    }
    if (commands.has('close') || commands.has('trigger')) {
      this.counts.trigger++;
      this.context?.trigger();
    } else if (commands.has('open') || commands.has('restore')) {
      this.counts.restore++;
      this.context?.restore();
    }
  }

  async stop(): Promise<void> {}
}

export const cbConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'cb',
  configKeys: { path: { type: 'string' }, paths: { type: 'array' }, timeout: { type: 'integer' }, expect_batched: { type: 'boolean' } },
  codec: 'optional',
  create(settings) {
    const config = settings.config;
    const paths = config.paths;
    if (paths !== undefined && (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string'))) {
      throw new ConnectorConfigError('`paths` must be a list of file names', 'paths');
    }
    const files = [...(typeof config.path === 'string' ? [config.path] : []), ...((paths as string[] | undefined) ?? [])];
    const timeoutNs = (config.timeout as number | undefined) ?? DEFAULT_TIMEOUT_NS;
    if (timeoutNs < 0) throw new ConnectorConfigError('`timeout` must not be negative (nanoseconds)', 'timeout');
    const source =
      files.length === 0
        ? undefined
        : new CbSource({
            lines: files.flatMap((file) => readLines(file, config.path !== undefined ? 'path' : 'paths')),
            codec: settings.codec,
            timeoutNs,
            expectBatched: config.expect_batched === true,
            report: (text) => void process.stderr.write(text),
          });
    return { source, sink: new CbSink() };
  },
};
