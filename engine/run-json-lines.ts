/**
 * Drives one pipeline over a stream of JSON lines: what `rill run` does once the query is built.
 *
 * - Input: one JSON value per line (`\n`, optional `\r`) sent to `in`, with its line number as
 *   event id (so that an output can name the lines it came from). A line that is not JSON is
 *   reported with its line number and skipped; blank lines are skipped silently. A regular file
 *   (`--in FILE`) is read, cut and checked on the line reader's thread (connectors/line-reader.ts),
 *   as a `file` source's is: its JSON lines go on as their bytes (engine/text-event.ts), parsed only
 *   if a node reads them; a WAL stores them and the output writes them without decoding or encoding.
 *   Over 100,000 of the bench's events (medians of five interleaved rounds against the stream path)
 *   `rill run` went from 600 to 511 ms without a WAL and from 1114 to 959 ms through one. A stream
 *   (stdin, a pipe) is read in big chunks and cut here.
 * - Outputs: events reaching `out` or `out/p` are written to `stdout`, `err` (and `err/p`) to
 *   `stderr`, one JSON value per line, in batches. `metrics` is not written. The first event of a
 *   port other than `out` that is written among `out`'s (or not written at all) gets a note on
 *   stderr; with `labelPorts` every port's events go to stdout as `{"port": P, "event": E}`. An event whose payload
 *   no node changed is written as its input line was (see `Event.dataJson`): the same JSON value,
 *   with the input's spacing, key order and number spelling, and no second serialisation. An event
 *   that cannot be serialised (nested too deeply for JSON.stringify) is reported with the input
 *   line(s) it came from and skipped (failed, if transactional, so a `qos::wal` retries and in the
 *   end dead-letters it); the run goes on.
 * - It behaves like a guaranteed-delivery sink: it sends `restore` on every written output when
 *   it starts (so a `qos::wal` in the query starts emitting) and acks each transactional event once
 *   the batch holding it has been written (a run of consecutive ids as one ack: written-acks.ts).
 *   As a source it honours `trigger`/`restore` between chunks.
 * - At the end of the input it keeps ticking the pipeline until it is idle (operators report
 *   nothing in flight and nothing has come out for a quiet period), then closes it.
 */
import type { Readable, Writable } from 'node:stream';
import { isAscii } from 'node:buffer';
import { EventId, allocateUid } from './event-id.ts';
import { nowNs, type Event } from './event.ts';
import { WrittenAcks } from './written-acks.ts';
import type { PipelineExecutor } from './executor.ts';
import { parseJson, stringifyJson } from '../queries/values/json.ts';
import { GatheredLines } from '../connectors/gathered-lines.ts';
import { DEFAULT_CODEC, encodingHeld } from '../connectors/codec.ts';
import { TextEvent, utf8PartsHolder } from './text-event.ts';
import { frozenRecord } from './frozen-record.ts';
import { LineReader } from '../connectors/line-reader.ts';
import type { Value } from '../queries/values/value.ts';

/** A regular file, by its open descriptor (read from its start; closed by the caller). */
export interface FileInput {
  regularFileFd: number;
}

export interface JsonLinesRun {
  input: Readable | FileInput;
  stdout: Writable;
  stderr: Writable;
  /** How long the pipeline must stay quiet after the input ends before it is closed. */
  quietMs?: number;
  /** Every output (but `metrics`) to stdout as `{"port": P, "event": E}` (`rill run --ports`). */
  labelPorts?: boolean;
}

const TICK_MS = 100;
const IDLE_POLL_MS = 2;
const BATCH_BYTES = 1 << 20;

const EMPTY_OP_META = Object.freeze({});
/** `$` of every input event: nothing, shared (a node that sets `$` copies it first). */
const NO_META = frozenRecord({});

export async function runJsonLines(pipeline: PipelineExecutor, run: JsonLinesRun): Promise<void> {
  // A failed write also rejects the flush that made it; the listener only keeps the stream's
  // 'error' event (EPIPE when the reader went away) from becoming an uncaught exception.
  run.stdout.on('error', () => undefined);
  run.stderr.on('error', () => undefined);
  const sourceId = allocateUid();
  const stderr = new BatchedWriter(run.stderr, pipeline, sourceId);
  const stdout = new BatchedWriter(run.stdout, pipeline, sourceId, stderr);
  const breaker = { tripped: false };
  const writtenOutputs = pipeline.outputs.filter((port) => !isMetricsPort(port));
  const noted = new Set<string>();
  const noteOnce = (port: string, text: string): void => {
    if (noted.has(port)) return;
    noted.add(port);
    stderr.note(`rill run: ${text}`);
  };
  await pipeline.start({
    onOutput(port, event) {
      if (isMetricsPort(port)) return;
      if (run.labelPorts) stdout.add(port, event, true);
      else if (port === 'out') stdout.add(port, event);
      else if (port.startsWith('out/')) {
        noteOnce(port, `events of port \`${port}\` are written to stdout among those of \`out\`; --ports labels every event with its port`);
        stdout.add(port, event);
      } else if (port === 'err' || port.startsWith('err/')) stderr.add(port, event);
      else noteOnce(port, `events of port \`${port}\` are not written (only out and err are); --ports writes every port's events to stdout, labelled`);
    },
    onInsight(_port, insight) {
      // The input is not transactional (no acks or fails come here); it honours the circuit breaker.
      if (insight.kind === 'trigger') breaker.tripped = true;
      else if (insight.kind === 'restore') breaker.tripped = false;
    },
  });
  for (const port of writtenOutputs) pipeline.contraflow(port, { kind: 'restore', opMeta: EMPTY_OP_META });
  const ticker = setInterval(() => pipeline.tick(nowNs()), TICK_MS);
  try {
    if ('regularFileFd' in run.input) await feedFileLines(pipeline, run.input.regularFileFd, sourceId, stdout, stderr, breaker);
    else await feedLines(pipeline, run.input, sourceId, stdout, stderr, breaker);
    await waitUntilIdle(pipeline, run.quietMs ?? 200, stdout, stderr);
  } finally {
    clearInterval(ticker);
  }
  await pipeline.close();
  await stdout.flush();
  await stderr.flush();
}

/** Sends line `lineNumber`'s text as an event parsed here, or reports it (blank lines are skipped silently). */
function sendTextLine(pipeline: PipelineExecutor, sourceId: number, stderr: BatchedWriter, lineNumber: number, line: string, ingestNs: number): void {
  if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  if (line.length === 0) return;
  let data: Value;
  try {
    data = parseJson(line);
  } catch (error) {
    if (line.trim() !== '') stderr.note(`rill run: line ${lineNumber}: invalid JSON (${(error as Error).message}); line skipped`);
    return;
  }
  pipeline.send('in', {
    id: new EventId(sourceId, 0, lineNumber),
    data,
    // Kept so an event that leaves unchanged is written as it came, not serialised again.
    dataJson: hasOuterSpace(line) ? line.trim() : line,
    meta: NO_META,
    ingestNs,
    transactional: false,
    opMeta: EMPTY_OP_META,
  });
}

/**
 * A regular file's lines, in the batches the line reader's thread read, cut and checked: a line it
 * found to be JSON goes on as its bytes, any other is decoded and handled here (reported, unless
 * blank). Between batches as between a stream's chunks: output written, `trigger` honoured.
 */
async function feedFileLines(
  pipeline: PipelineExecutor,
  fd: number,
  sourceId: number,
  stdout: BatchedWriter,
  stderr: BatchedWriter,
  breaker: { tripped: boolean },
): Promise<void> {
  const reader = new LineReader(fd, true);
  let lineNumber = 0;
  let offset = 0;
  try {
    for (;;) {
      const { data, starts, ends, lengths, parses, crcs, keys, atEnd } = await reader.read(offset);
      const ingestNs = nowNs();
      for (let line = 0; line < starts.length; line++) {
        lineNumber++;
        offset += lengths[line];
        if (parses[line] === 1) {
          pipeline.send('in', TextEvent.ofUtf8(new EventId(sourceId, 0, lineNumber), data, starts[line], ends[line], NO_META, ingestNs, false, EMPTY_OP_META, crcs[line], keys[line]));
        } else {
          sendTextLine(pipeline, sourceId, stderr, lineNumber, data.toString('utf8', starts[line], ends[line]), ingestNs);
        }
      }
      await stdout.flush();
      await stderr.flush();
      // A batch is TURN_BYTES: the loop turns once per batch (see TURN_BYTES), and a `trigger`
      // from the pipeline (a full WAL) stops reading until `restore`.
      if (!pipeline.isIdle()) await new Promise((resolve) => setImmediate(resolve));
      while (breaker.tripped) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await stdout.flush();
        await stderr.flush();
      }
      if (atEnd) return;
    }
  } finally {
    await reader.close();
  }
}

async function feedLines(
  pipeline: PipelineExecutor,
  input: Readable,
  sourceId: number,
  stdout: BatchedWriter,
  stderr: BatchedWriter,
  breaker: { tripped: boolean },
): Promise<void> {
  let lineNumber = 0;
  let ingestNs = 0;
  const sendLine = (line: string): void => {
    lineNumber++;
    sendTextLine(pipeline, sourceId, stderr, lineNumber, line, ingestNs);
  };
  // Bytes of a line that continues in the next chunk. Chunks are cut at their last newline, so a
  // multi-byte character is never split by decoding.
  let carry: Buffer | undefined;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    // One timestamp per chunk: a per-line clock read costs more than the rest of a passthrough.
    ingestNs = nowNs();
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      carry = carry ? Buffer.concat([carry, bytes]) : bytes;
      continue;
    }
    let start = 0;
    if (carry) {
      const firstNewline = bytes.indexOf(NEWLINE);
      sendLine(decode(Buffer.concat([carry, bytes.subarray(0, firstNewline)])));
      start = firstNewline + 1;
      carry = undefined;
    }
    // Decoded a piece at a time, each piece cut at a newline: a string over V8's large-object size
    // (~128 KB) lives in old space, and one per chunk cost a full GC every few chunks.
    let bytesSinceTurn = 0;
    for (let pieceStart = start; pieceStart <= lastNewline; ) {
      let pieceEnd = pieceStart + DECODE_BYTES >= lastNewline ? lastNewline : bytes.lastIndexOf(NEWLINE, pieceStart + DECODE_BYTES);
      // A line longer than DECODE_BYTES: the piece runs to its end.
      if (pieceEnd < pieceStart) pieceEnd = bytes.indexOf(NEWLINE, pieceStart + DECODE_BYTES);
      const text = decode(bytes.subarray(pieceStart, pieceEnd));
      let lineStart = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', lineStart)) {
        sendLine(text.slice(lineStart, end));
        lineStart = end + 1;
      }
      sendLine(lineStart === 0 ? text : text.slice(lineStart));
      bytesSinceTurn += pieceEnd - pieceStart;
      pieceStart = pieceEnd + 1;
      if (bytesSinceTurn >= TURN_BYTES && pieceStart <= lastNewline && !pipeline.isIdle()) {
        bytesSinceTurn = 0;
        await stdout.flush();
        await stderr.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (lastNewline + 1 < bytes.length) carry = Buffer.from(bytes.subarray(lastNewline + 1));
    await stdout.flush();
    await stderr.flush();
    // Between chunks: a `trigger` from the pipeline (a full WAL) stops reading until `restore`,
    // while what comes out is still written (and acked, which is what lets the WAL drain).
    while (breaker.tripped) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await stdout.flush();
      await stderr.flush();
    }
  }
  if (carry) sendLine(decode(carry));
}

function isMetricsPort(port: string): boolean {
  return port === 'metrics' || port.startsWith('metrics/');
}

function hasOuterSpace(line: string): boolean {
  return line.charCodeAt(0) <= 32 || line.charCodeAt(line.length - 1) <= 32;
}

const NEWLINE = 10;
const DECODE_BYTES = 64 * 1024;
/**
 * While the pipeline has work of its own in progress (a `qos::wal`'s commit), a chunk is sent
 * TURN_BYTES at a time, its output written and the event loop let run in between. A commit lands
 * (and its events go out, are written and acked, and the next commit starts) only on a turn of the
 * event loop; with one turn per 1 MB chunk, every WAL event stayed in memory for two or three
 * chunks' work, survived scavenges and was promoted. Measured over 100,000 events: with a turn per
 * 256 KB the live data that scavenges copied fell from about 100 MB to 55-80 MB and `rill run`
 * through a WAL took about 7% less time (smaller turns gained nothing more). Reading 256 KB chunks
 * instead did the same for the WAL but cost the seed's select a few per cent over 256 MB; a
 * pipeline that is idle after each event (no operator with work of its own) gets no extra turns.
 */
const TURN_BYTES = 256 * 1024;

/** ASCII (nearly every log line) decodes several times faster as latin1, with the same result. */
function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

async function waitUntilIdle(pipeline: PipelineExecutor, quietMs: number, stdout: BatchedWriter, stderr: BatchedWriter): Promise<void> {
  let lastDeliveries = -1;
  let quietSince = Date.now();
  for (;;) {
    await stdout.flush();
    await stderr.flush();
    if (pipeline.deliveries !== lastDeliveries || !pipeline.isIdle() || stdout.awaitingAcks || stderr.awaitingAcks) {
      lastDeliveries = pipeline.deliveries;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs || !pipeline.hasOperators || pipeline.idleIsKnown) {
      // Idle in two looks in a row (nothing delivered in between) is final when every operator
      // reports its own work; else a quiet period covers operators that emit later unannounced.
      return;
    }
    // Short: a WAL's last commits land a few milliseconds apart, and each look that finds its
    // events (or acks) waiting moves them on; a longer sleep was most of the drain's time.
    await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
  }
}

/**
 * Collects output lines and writes them in one batch per input chunk; acks transactional events
 * once written. The batch is the `file` sink's (connectors/gathered-lines.ts): an event that holds
 * its text as UTF-8 bytes (a line of the input no node changed, or a WAL's event) goes in as a view
 * of them, and consecutive input lines as one view; other lines are encoded straight into a byte
 * buffer (concatenating strings and encoding the result costs twice the copying). Copying every
 * line into one buffer instead was a third of the main thread's Buffer copying in `rill run`
 * through a WAL (measured with `node --cpu-prof`: `_copyActual` 49 ms over 100,000 events).
 */
class BatchedWriter {
  private readonly lines = new GatheredLines();
  private acks = new WrittenAcks();
  private acksInFlight = 0;
  private lastWrite: Promise<void> = Promise.resolve();
  /** Where `encodingHeld` shows an event's bytes. */
  private readonly held = utf8PartsHolder();

  constructor(
    private readonly stream: Writable,
    private readonly pipeline: PipelineExecutor,
    /** The input's source id: an event's id names the input lines it came from. */
    private readonly sourceId: number,
    /** Where an event that cannot be written is reported (itself if absent). */
    private readonly errors?: BatchedWriter,
  ) {}

  get awaitingAcks(): boolean {
    return this.acksInFlight > 0 || this.acks.length > 0;
  }

  /** `labelled`: written as `{"port": P, "event": E}`. */
  add(port: string, event: Event, labelled = false): void {
    // An event a WAL emitted holds its text as the record's bytes: copied, not decoded and encoded.
    if (!labelled && encodingHeld(DEFAULT_CODEC, event, this.held)) this.lines.addUtf8(this.held);
    else {
      let text: string;
      try {
        text = event.dataJson ?? stringifyJson(event.data);
      } catch (error) {
        this.refuse(port, event, (error as Error).message);
        return;
      }
      this.lines.add(labelled ? `{"port":${JSON.stringify(port)},"event":${text}}` : text);
    }
    this.flushWhenFull();
    if (event.transactional) this.acks.add(port, event.id, event.opMeta);
  }

  note(text: string): void {
    this.lines.add(text);
    this.flushWhenFull();
  }

  /** An event that cannot be serialised: reported with the lines it came from, failed if transactional. */
  private refuse(port: string, event: Event, reason: string): void {
    const range = event.id.rangeFor(this.sourceId);
    const lines = range === undefined ? 'an event' : range.min === range.max ? `line ${range.min}` : `lines ${range.min}-${range.max}`;
    const outcome = event.transactional ? 'failed back upstream (a qos::wal sends it again, up to its max_attempts)' : 'event skipped';
    (this.errors ?? this).note(`rill run: ${lines}: cannot write the event on \`${port}\` as JSON (${reason}); ${outcome}`);
    if (event.transactional) this.pipeline.contraflow(port, { kind: 'fail', id: event.id, opMeta: event.opMeta, reason: `cannot encode event as json: ${reason}` });
  }

  /** Writes what is batched; resolves once it and every earlier batch are written (rejects if one failed). */
  flush(): Promise<void> {
    const pieces = this.lines.take();
    if (pieces !== undefined) {
      this.lastWrite = Promise.all([this.lastWrite, this.writeOut(pieces)]).then(() => undefined);
      // Marked handled here; whoever awaits it later still sees the rejection.
      this.lastWrite.catch(() => undefined);
    }
    return this.lastWrite;
  }

  private writeOut(pieces: Buffer[]): Promise<void> {
    const acks = this.acks;
    this.acks = new WrittenAcks();
    this.acksInFlight += acks.length;
    // Resolving on the write callback is also the backpressure: no more input is read until then.
    return new Promise((resolve, reject) => {
      const written = (error: Error | null | undefined) => {
        // Written (or never to be): the copies among the pieces may be written over (connectors/line-batch.ts).
        this.lines.release(pieces);
        this.acksInFlight -= acks.length;
        if (error) return reject(error);
        acks.send((port, insight) => this.pipeline.contraflow(port, insight));
        resolve();
      };
      // Corked: a pipe or socket takes the pieces as one writev; the callbacks of a stream's writes
      // run in order, and a failed piece fails the ones after it, so the last one's says it all.
      const last = pieces.length - 1;
      if (last > 0) this.stream.cork();
      for (let i = 0; i < last; i++) this.stream.write(pieces[i]);
      this.stream.write(pieces[last], written);
      if (last > 0) this.stream.uncork();
    });
  }

  private flushWhenFull(): void {
    // Written now, awaited with the next flush.
    if (this.lines.bytes >= BATCH_BYTES) void this.flush();
  }
}
