/**
 * `file` onramp: one event per line of a file, decoded with the artefact's codec (JSON lines by
 * default). Blank lines are skipped; a line that does not decode is reported with its line number
 * and skipped. The file is read once, to its end as it is then; lines appended later are read by
 * the next run (from its checkpoint).
 *
 * Transactional (Tremor 0.11's file onramp was not): every line is tracked until it is acked, a
 * `fail` reads the file again from the failed line (see acked-prefix.ts), and the end of the
 * acked prefix is saved as a durable checkpoint (file-checkpoint.ts), so a restart resumes after
 * the last confirmed line. The checkpoint is written at most every CHECKPOINT_INTERVAL_MS, or as
 * soon as half of `max_in_flight` confirmed lines wait for it, and when the source stops.
 *
 * Read on a worker thread (line-reader.ts), which also checks that JSON lines parse: such a line
 * goes on as its text and is parsed only if a node reads the payload.
 *
 * Bounded: the file is read in batches of lines, and reading waits while `max_in_flight` lines are
 * beyond the durable checkpoint (emitted and not yet acked, or acked and not yet saved). So a
 * crash re-sends at most `max_in_flight` lines, and memory holds at most that many positions.
 * `trigger` stops reading at the next line, `restore` goes on from there.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { AckedPrefix, type Position } from './acked-prefix.ts';
import { nowNs } from '../engine/event.ts';
import { CheckpointFile, FINGERPRINT_BYTES, fingerprint, identify, resumeFrom, type Checkpoint } from './file-checkpoint.ts';
import type { Codec } from './codec.ts';
import { LineReader, startLineReaderThread, type LineBatch } from './line-reader.ts';
import { ConnectorConfigError, type ConnectorSettings, type Source, type SourceContext, type SourceFactory } from './connector.ts';

export const CHECKPOINT_INTERVAL_MS = 100;
/** After a failed checkpoint write (a full disk), the next attempt. */
const CHECKPOINT_RETRY_MS = 1000;
/** How long `stop()` waits for the acks of lines in flight before it saves the last checkpoint. */
const STOP_ACK_GRACE_MS = 1000;
/**
 * Why this many: reading waits for the durable checkpoint (a write and an fdatasync, saved
 * once half of this many lines are confirmed), so a small window makes a whole-process flow wait
 * on fsyncs, not on its pipeline. At 1000, `rill server run` file -> passthrough -> file spent
 * most of its time idle; 16384 lines of the bench's 630 bytes are 10 MB of input, and their
 * tracked positions about 2 MB. A crash re-sends at most this many lines (a WAL downstream has
 * them already: duplicates, not losses); set `max_in_flight` lower to bound that more tightly.
 */
export const DEFAULT_MAX_IN_FLIGHT = 16384;
/** Reading held at the bound this long without an ack or fail: most likely a pipeline dropping events, worth a warning. */
export const STALL_WARNING_MS = 10_000;

interface UnreadLines {
  batch: LineBatch;
  /** The first line of `batch` not handled yet. */
  next: number;
}

export interface FileSourceOptions {
  path: string;
  codec: Codec;
  /** Where the checkpoint is kept; undefined = none (every run reads from the beginning). */
  checkpointPath?: string;
  maxInFlight: number;
  /** Each event's `$file = {"path": path}` (troy's `file` connector). */
  pathMeta?: boolean;
}

export class FileSource implements Source {
  readonly transactional = true;
  private context?: SourceContext;
  private handle?: FileHandle;
  private prefix = new AckedPrefix({ offset: 0, line: 0 });
  /** Where the next line starts: a place of its own, moved on line by line (no object per line). */
  private position: { offset: number; line: number } = { offset: 0, line: 0 };
  /** Lines read from `position` on and not handled yet (reading waited in the middle of a batch). */
  private unread?: UnreadLines;
  /** Bumped by every rewind, so a read in progress knows its bytes are stale. */
  private generation = 0;
  private atEnd = false;
  private paused = false;
  private stopped = false;
  /** The runtime numbers this source's events 0, 1, 2, ... in the order they are emitted. */
  private emittedCount = 0;
  private reading?: Promise<void>;
  private reachEnd!: () => void;
  private readonly endReached = new Promise<void>((resolve) => (this.reachEnd = resolve));
  private wake?: () => void;

  private durable: Position = { offset: 0, line: 0 };
  private durableConfirmed = 0;
  private writing?: Promise<void>;
  private checkpointTimer?: NodeJS.Timeout;
  private checkpointFailing = false;
  /** Open from the first save on (saves overwrite its slots in place). */
  private checkpointFile?: CheckpointFile;
  private cachedFingerprint?: { fingerprint: string; fingerprintBytes: number };
  private identity?: { dev: string; ino: string };
  private stallTimer?: NodeJS.Timeout;

  constructor(private readonly options: FileSourceOptions) {}

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    try {
      this.handle = await open(this.options.path, 'r');
    } catch (error) {
      context.warn(`cannot read ${this.options.path}: ${(error as Error).message}`);
      this.reachEnd();
      return;
    }
    const { dev, ino } = await identify(this.handle);
    this.identity = { dev, ino };
    if (this.options.checkpointPath !== undefined) {
      const resumption = await resumeFrom(this.options.checkpointPath, this.options.path, this.handle);
      if (resumption.warning !== undefined) context.warn(resumption.warning);
      this.resetTo(resumption.position);
      this.durable = resumption.position;
      if (resumption.position.line > 0) context.warn(`resuming ${this.options.path} after line ${resumption.position.line} (byte ${resumption.position.offset})`);
    }
    this.reading = this.read(this.handle, context);
  }

  /** Resolves once the end of the file has been read (or reading stopped); a later `fail` reads again. */
  get finished(): Promise<void> {
    return this.endReached;
  }

  trigger(): void {
    this.paused = true;
  }

  restore(): void {
    this.paused = false;
    this.signal();
  }

  ack(first: number, last: number): void {
    if (this.prefix.ack(first, last)) {
      this.scheduleCheckpoint();
      this.clearStallWarning();
    }
    this.signal();
  }

  fail(eventNumber: number): void {
    const restart = this.prefix.fail(eventNumber);
    if (restart === undefined) return;
    this.clearStallWarning();
    this.position = { ...restart };
    this.unread = undefined;
    this.atEnd = false;
    this.generation++;
    this.signal();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signal();
    await this.reading;
    this.reachEnd();
    const deadline = Date.now() + STOP_ACK_GRACE_MS;
    while (this.prefix.tracked > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    clearTimeout(this.checkpointTimer);
    this.clearStallWarning();
    await this.writing;
    if (this.needsCheckpoint()) await this.saveCheckpoint();
    await this.checkpointFile?.close();
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Lines past the durable checkpoint: what a crash now would make the next run send again. */
  private get beyondCheckpoint(): number {
    const unsaved = this.options.checkpointPath === undefined ? 0 : this.prefix.confirmed - this.durableConfirmed;
    return unsaved + this.prefix.tracked;
  }

  private mustWait(generation: number): boolean {
    return this.stopped || this.paused || generation !== this.generation || this.beyondCheckpoint >= this.options.maxInFlight;
  }

  /** Warns once if the oldest tracked line stays unconfirmed for STALL_WARNING_MS while reading waits for it. */
  private watchForStall(context: SourceContext): void {
    if (this.stallTimer !== undefined || this.beyondCheckpoint < this.options.maxInFlight) return;
    this.stallTimer = setTimeout(() => {
      const line = this.prefix.end.line + 1;
      context.warn(
        `reading ${this.options.path} waits: line ${line} has been neither acked nor failed for ${STALL_WARNING_MS / 1000} s and ${this.options.maxInFlight} lines (max_in_flight) are beyond it; ` +
          'an event an operator keeps without settling, or a sink that never answers, holds the line back: check the pipeline\'s operators and sinks',
      );
    }, STALL_WARNING_MS);
    this.stallTimer.unref();
  }

  /** Progress: a new stall may be warned about again. */
  private clearStallWarning(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private resetTo(position: Position): void {
    this.prefix = new AckedPrefix(position);
    this.position = { ...position };
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async read(handle: FileHandle, context: SourceContext): Promise<void> {
    const reader = new LineReader(handle.fd, this.options.codec.decodesJsonText);
    try {
      while (!this.stopped) {
        const generation = this.generation;
        if (this.atEnd || this.mustWait(generation)) {
          if (!this.stopped && !this.paused && this.prefix.tracked > 0) this.watchForStall(context);
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (this.unread === undefined) {
          let batch: LineBatch;
          try {
            batch = await reader.read(this.position.offset);
          } catch (error) {
            context.warn(`cannot read ${this.options.path}: ${(error as Error).message}`);
            this.reachEnd();
            return;
          }
          // Rewound while reading: these lines are not the ones to read now.
          if (generation !== this.generation) continue;
          this.unread = { batch, next: 0 };
        }
        this.takeLines(this.unread, generation, context);
      }
    } finally {
      await reader.close();
    }
  }

  /** Handles the batch's lines until it must wait (the rest stays unread) or a fail rewinds. */
  private takeLines(unread: UnreadLines, generation: number, context: SourceContext): void {
    const { data, starts, ends, lengths, parses, crcs, keys, atEnd } = unread.batch;
    // One ingest time for the lines handled in this go (see SourceContext.emitJson).
    const ingestNs = nowNs();
    while (unread.next < starts.length) {
      if (this.mustWait(generation)) return;
      const line = unread.next++;
      this.take(data, starts[line], ends[line], lengths[line], parses[line] === 1, crcs[line], keys[line], ingestNs, context);
    }
    // Unless the last line failed at once: then reading starts again before it.
    if (generation !== this.generation) return;
    this.unread = undefined;
    if (atEnd) {
      this.atEnd = true;
      this.reachEnd();
    }
  }

  /**
   * One line: `bytes` from `start` to `lineEnd` (`length` bytes of the file, its newline included).
   * A line the reader found to be JSON (`parses`; `crc` and `keys` are then its CRC-32 and its key
   * set) goes on as its bytes, parsed only if a node reads it (TextEvent); any other is decoded here.
   */
  private take(bytes: Buffer, start: number, lineEnd: number, length: number, parses: boolean, crc: number, keys: number, ingestNs: number, context: SourceContext): void {
    const end = this.position;
    end.offset += length;
    end.line += 1;
    const meta = this.options.pathMeta ? { file: { path: this.options.path } } : undefined;
    if (parses) {
      // Tracked before it is emitted: its ack or fail may come back during emit (a full WAL fails it at once).
      this.prefix.emitted(this.emittedCount++, end.offset, end.line);
      context.emitJson(bytes, start, lineEnd, meta, crc, keys, ingestNs);
      return;
    }
    const line = bytes.toString('utf8', start, lineEnd);
    if (line.trim() === '') return this.skip();
    const codec = this.options.codec;
    let data;
    try {
      data = codec.decode(line);
    } catch (error) {
      context.warn(`${this.options.path}:${end.line}: cannot decode as ${codec.name}: ${(error as Error).message}`);
      return this.skip();
    }
    this.prefix.emitted(this.emittedCount++, end.offset, end.line);
    context.emit(data, meta, codec.decodesJsonText ? line.trim() : undefined);
  }

  /** The line that ends at `position` is skipped. */
  private skip(): void {
    const before = this.prefix.end;
    this.prefix.skipped(this.position.offset, this.position.line);
    if (this.prefix.end !== before) this.scheduleCheckpoint();
  }

  private needsCheckpoint(): boolean {
    return this.options.checkpointPath !== undefined && this.handle !== undefined && this.prefix.end.offset !== this.durable.offset;
  }

  /** Saves now if half the in-flight budget waits for it, else within CHECKPOINT_INTERVAL_MS. */
  private scheduleCheckpoint(): void {
    if (this.writing !== undefined || this.stopped || !this.needsCheckpoint()) return;
    if ((this.prefix.confirmed - this.durableConfirmed) * 2 >= this.options.maxInFlight) {
      clearTimeout(this.checkpointTimer);
      this.checkpointTimer = undefined;
      void this.saveCheckpoint();
    } else {
      this.checkpointTimer ??= setTimeout(() => {
        this.checkpointTimer = undefined;
        void this.saveCheckpoint();
      }, CHECKPOINT_INTERVAL_MS);
    }
  }

  private saveCheckpoint(): Promise<void> {
    const save = async (): Promise<void> => {
      const position = this.prefix.end;
      const confirmed = this.prefix.confirmed;
      try {
        this.checkpointFile ??= new CheckpointFile(this.options.checkpointPath!);
        await this.checkpointFile.save(await this.checkpointAt(position));
        this.durable = position;
        this.durableConfirmed = confirmed;
        if (this.checkpointFailing) this.context?.warn(`the checkpoint ${this.options.checkpointPath} is written again`);
        this.checkpointFailing = false;
      } catch (error) {
        if (!this.checkpointFailing) {
          this.context?.warn(`cannot write the checkpoint ${this.options.checkpointPath}: ${(error as Error).message}; reading waits once ${this.options.maxInFlight} lines are beyond it, and writing is tried again every ${CHECKPOINT_RETRY_MS / 1000} s`);
        }
        this.checkpointFailing = true;
        if (!this.stopped) this.checkpointTimer ??= setTimeout(() => ((this.checkpointTimer = undefined), this.scheduleCheckpoint()), CHECKPOINT_RETRY_MS);
      }
    };
    const writing = save().finally(() => {
      this.writing = undefined;
      this.signal();
      if (!this.checkpointFailing) this.scheduleCheckpoint();
    });
    this.writing = writing;
    return writing;
  }

  private async checkpointAt(position: Position): Promise<Checkpoint> {
    // Once the checkpoint covers FINGERPRINT_BYTES the fingerprint no longer changes.
    if (this.cachedFingerprint?.fingerprintBytes !== Math.min(position.offset, FINGERPRINT_BYTES)) {
      this.cachedFingerprint = await fingerprint(this.handle!, position.offset);
    }
    return { path: this.options.path, ...this.identity!, ...this.cachedFingerprint, offset: position.offset, line: position.line };
  }
}

/** `<state dir>/<file name>-<hash of its absolute path>.checkpoint`: one per onramp instance and file. */
export function defaultCheckpointPath(stateDir: string, sourcePath: string): string {
  const absolute = resolve(sourcePath);
  const key = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  return join(stateDir, `${basename(absolute)}-${key}.checkpoint`);
}

export const fileSourceFactory: SourceFactory = {
  kind: 'source',
  type: 'file',
  configKeys: {
    source: { type: 'string', required: true },
    checkpoint: { type: 'string' },
    max_in_flight: { type: 'integer' },
  },
  create: (settings) => createFileSource(settings),
};

/**
 * The file source of an onramp's or a troy `file` connector's settings (`config.source` is the
 * path). `withPathMeta`: every event carries `$file = {"path": <the path as configured>}`, as
 * Tremor 0.12's `file` connector sets it (the 0.11 onramp set no metadata).
 */
export function createFileSource(settings: ConnectorSettings, withPathMeta = false): FileSource {
  // Now, when the flow is configured: the worker's start overlaps the rest of the flow's (line-reader.ts).
  startLineReaderThread();
  const path = settings.config.source as string;
  const maxInFlight = (settings.config.max_in_flight as number | undefined) ?? DEFAULT_MAX_IN_FLIGHT;
  if (maxInFlight < 1) throw new ConnectorConfigError(`\`max_in_flight\` must be at least 1, not ${maxInFlight}`, 'max_in_flight');
  const configured = settings.config.checkpoint as string | undefined;
  const checkpointPath =
    configured !== undefined ? resolve(process.cwd(), configured) : settings.stateDir !== undefined ? defaultCheckpointPath(settings.stateDir, path) : undefined;
  return new FileSource({ path, codec: settings.codec, checkpointPath, maxInFlight, pathMeta: withPathMeta });
}
