/**
 * `qos::wal`: stores every incoming event durably (store.ts), acks transactional inputs once their
 * commit is on disk, and emits stored events downstream until a downstream ack deletes them.
 *
 * State kept in memory is bounded by the work in flight, never by the backlog:
 * - `nextReadSeq`: the next stored event never emitted by this process (reads go by key range);
 * - `inFlight`: events emitted and neither acked nor failed (seq -> record bytes);
 * - `awaitingResend`: failed events waiting to go out again (seq -> record bytes);
 * - `commits`: commits in progress, with the upstream acks that wait for them.
 *
 * When it emits (each time at most `read_count` events, and, with `max_in_flight`, only while fewer
 * than that many are in flight): on every incoming event and every tick (as Tremor), and also via
 * `emitLater` whenever one of its commits lands, so a stored event goes out as soon as it is durable
 * instead of waiting for the next event or tick. Redeliveries go first, in sequence order, then
 * events never emitted, in sequence order.
 *
 * Failures and poison events: a failed event (and every later one still in flight) goes out again
 * after a short backoff (`resend_backoff_ms`, doubling per failure of the event, capped), not in the
 * same turn, while events never emitted keep flowing. An event failed `max_attempts` times is
 * dead-lettered (dead-letter.ts): appended and fsynced to the `dead_letter` file if configured,
 * emitted on the `err` port, then deleted from the store like an acked one, and counted.
 *
 * Disk full: a refused commit makes the WAL full (trigger upstream, transactional inputs failed).
 * It accepts again only once a probe proved there is room for real work: on each tick while full,
 * one commit writes a filler as large as the largest refused commit (store.probe), and the next
 * deletes it (store.endProbe), so its pages are free for the events that follow; then the WAL
 * restores upstream. Deletions refused with a commit are retried on their own first. Each change
 * of state is one line through `context.warn`.
 *
 * Damaged records: a record read back that fails its checksum or cannot be decoded is reported and
 * set aside in the store (`decodeOrSetAside`), and reading goes on after it.
 */
import { resolve } from 'node:path';
import { EventId } from '../../../engine/event-id.ts';
import { BucketCounts } from '../../../engine/histogram.ts';
import type { Event, OpMeta } from '../../../engine/event.ts';
import type { Insight } from '../../../engine/insight.ts';
import { stringifyJson } from '../../../queries/values/json.ts';
import { copyRecord } from '../../../queries/values/ops.ts';
import { isEmptyRecord, type RecordValue, type Value } from '../../../queries/values/value.ts';
import { TextEvent, utf8PartsHolder, type Utf8Parts } from '../../../engine/text-event.ts';
import { emptyOutput, NO_OUTPUT, type Operator, type OperatorContext, type OperatorOutput } from '../../operator.ts';
import { RESEND_BACKOFF_CAP_MS, type WalConfig } from './config.ts';
import { appendDeadLetter, deadLetterEvent, deadLetterText, type DeadLetter } from './dead-letter.ts';
import { RecentEvents, type RecentEvent } from './recent-events.ts';
import { RecordSlabs } from './record-slabs.ts';
import { DamagedRecordError, decodeRecord, decodeRecordText, encodeRecordIn, type DecodedText, type RecordPlace, type StoredEvent } from './record.ts';
import { WalStore } from './store.ts';
import { PendingSeqs } from './pending-seqs.ts';
import { mergedInsights } from './upstream-acks.ts';

const OUT_PORT = 'out';
const NO_BYTES = Buffer.alloc(0);
const ERR_PORT = 'err';
/**
 * The filler of a disk-full probe: as large as the largest refused commit's records, within these
 * bounds. The floor covers a refused commit of deletions only; the cap keeps a huge group commit
 * from demanding more than a small disk will ever offer. And with nothing stored (no ack will free
 * anything more) the floor is enough: waiting for more would wait for ever.
 */
const PROBE_MIN_BYTES = 64 * 1024;
const PROBE_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Most recently stored events kept decoded in memory until their first emission, so the common
 * case (downstream keeping up) emits without reading and parsing the record back. Bounded; past
 * it events are read from the store as usual. Redeliveries always come from the store.
 * The bound must cover the events stored and not yet emitted at full speed: those of the commit in
 * progress and of the one gathering behind it, which during a slow fsync can be as many as the
 * source lets go unacked (20,000 in `npm run bench -- wal`). With a bound of 16,384 events, 8% of
 * that bench's events were read back and parsed, and it ran about 15% slower.
 * The bound is in record bytes, so that large events cannot make it hold much memory: 16 MiB is
 * 26,000 of the bench's 630-byte events, and their decoded payloads take a few times that, only
 * while events arrive faster than they commit. RECENT_EVENTS_SLOTS bounds the count (the ring's
 * size) for very small events.
 */
const RECENT_EVENTS_MAX_BYTES = 16 * 1024 * 1024;
const RECENT_EVENTS_SLOTS = 65536;

/** Bucket bounds of the commit histograms (`/metrics`): seconds from a commit's first write to durable, events per commit. */
const COMMIT_SECONDS_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const COMMIT_EVENTS_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384];

interface CommitInProgress {
  durable: Promise<void>;
  /** performance.now() when the commit's first write was made (for the latency histogram). */
  startedMs: number;
  /** The first sequence number appended in this commit (if any). */
  firstSeq?: number;
  /** One past the highest sequence number appended in this commit (0 if none). */
  endSeq: number;
  /**
   * The upstream acks (or fails) waiting for this commit: the ids and operator metadata of its
   * transactional events, in two arrays rather than an object per event (see recent-events.ts on
   * why per-event objects that live until a commit are costly).
   */
  ackIds: EventId[];
  ackOpMetas: OpMeta[];
  /** Record bytes appended in this commit (the size of a disk-full probe if it is refused). */
  appendedBytes: number;
  /** Non-transactional events in this commit (lost if the commit is refused). */
  unacknowledgedEvents: number;
  /** Acked events whose deletion this commit makes durable. */
  deletions: number;
  settled?: 'durable' | 'refused';
}

export class WalOperator implements Operator {
  private store: WalStore | undefined;
  private broken = true;
  private diskFull = false;
  private upstreamTriggered = false;
  private closing = false;
  private committedEnd = 0;
  private nextReadSeq = 0;
  private readonly inFlight = new PendingSeqs();
  /**
   * Stored, never emitted events still in memory: their fields (payload, its stored text, ...) in
   * a ring, not the incoming event objects (see recent-events.ts).
   */
  private readonly recentlyStored = new RecentEvents(RECENT_EVENTS_SLOTS, RECENT_EVENTS_MAX_BYTES);
  /** Where `recentlyStored.take` puts the event it hands out (one object for all of them). */
  private readonly recent: RecentEvent = { originalId: new EventId(0, 0, 0), ingestNs: 0, opMeta: {}, meta: {}, buffer: NO_BYTES, start: 0, end: 0, tail: undefined, crc: -1, keys: -1, recordBytes: 0 };
  /** Where `recordText` shows the payload text of a record (one object for all of them). */
  private readonly storedText = utf8PartsHolder();
  /** Where `encodeRecordIn` says it wrote the record of an incoming event (one object for all of them). */
  private readonly recordPlace: RecordPlace = { buffer: NO_BYTES, start: 0, payloadStart: 0, end: 0 };
  /** Where `TextEvent.utf8Text` shows an incoming event's bytes. */
  private readonly payloadBytes = utf8PartsHolder();
  /** This WAL's records, one after the other (record.ts): the store writes runs of them without a copy. */
  private readonly recordSlabs = new RecordSlabs();
  private readonly awaitingResend = new PendingSeqs();
  private readonly commits: CommitInProgress[] = [];
  /** Acked events whose deletion is not durable yet. */
  private deletionsInProgress = 0;
  /** The disk-full probe: refused deletions retried, its filler written, then deleted (see the header). */
  private probe: 'idle' | 'retrying' | 'filling' | 'clearing' = 'idle';
  /** Record bytes of the largest commit refused since the store became full. */
  private largestRefusedBytes = 0;
  /** Failures so far of the events that failed and are neither acked nor dead-lettered (seq -> count). */
  private readonly failures = new Map<number, number>();
  /** Re-sends wait until this time (Date.now() milliseconds): the backoff after the last fail. */
  private resendNotBefore = 0;
  private resendTimer: NodeJS.Timeout | undefined;
  private deadLettered = 0;
  /** Cumulative counts for `/metrics`: events acked downstream, failed, and emitted again (after a fail, or stored by an earlier run). */
  private acked = 0;
  private failed = 0;
  private redelivered = 0;
  /** Events below this seq were stored by an earlier run: emitting one is a redelivery. */
  private firstSeqOfThisRun = 0;
  private readonly commitSeconds = new BucketCounts(COMMIT_SECONDS_BOUNDS);
  private readonly commitEvents = new BucketCounts(COMMIT_EVENTS_BOUNDS);
  private readonly deadLetterPath: string | undefined;

  constructor(
    private readonly config: WalConfig,
    private readonly context: OperatorContext,
    /** Absolute directory of the store; undefined = a temporary store. */
    private readonly dir: string | undefined,
  ) {
    // Relative to the working directory, as `dir`.
    this.deadLetterPath = config.deadLetter === undefined ? undefined : resolve(config.deadLetter);
  }

  async start(): Promise<void> {
    const { readCount, maxElements, maxBytes, maxInFlight } = this.config;
    this.store = await WalStore.open(this.dir, { readCount, maxElements, maxBytes, maxInFlight });
    this.committedEnd = this.store.nextSeq;
    this.firstSeqOfThisRun = this.store.nextSeq;
    this.nextReadSeq = this.store.bounds()?.first ?? this.store.nextSeq;
  }

  /** Where the store lives (a temporary directory when no `dir` was configured). */
  get path(): string {
    return this.openStore().path;
  }

  get epoch(): string {
    return this.openStore().epoch;
  }

  onEvent(_port: string, event: Event): OperatorOutput {
    const store = this.openStore();
    let refusal: Insight | undefined;
    if (event.transactional && this.isFull()) {
      // Refused, not stored: the source keeps it and may send it again after our restore.
      refusal = { kind: 'fail', id: event.id, opMeta: event.opMeta };
    } else {
      // The event's own JSON text, when it still has it, is stored as it is (copied as bytes when
      // it holds them); otherwise the payload is serialised here, once: the stored text is what the
      // event goes out with, now or after a replay.
      const bytes = event instanceof TextEvent && event.utf8Parts(this.payloadBytes) ? this.payloadBytes : undefined;
      const record = encodeRecordIn(event.id, event, bytes ?? event.dataJson ?? stringifyJson(event.data), this.recordSlabs.slab, this.recordPlace);
      const seq = store.appendAt(record.buffer, record.start, record.end);
      this.recordSlabs.wrote(record.buffer, seq);
      // Kept as the bytes it came with (the record holds a copy of them), else as the record's own
      // text (recent-events.ts says why), which then lends the record's slab to the sinks.
      this.recentlyStored.add(seq, event.id, event, bytes ?? this.recordText(record), record.end - record.start);
      if (bytes === undefined) this.recordSlabs.lend(record.buffer);
      const commit = this.currentCommit();
      commit.firstSeq ??= seq;
      commit.endSeq = seq + 1;
      commit.appendedBytes += record.end - record.start;
      // Only what the ack needs: the event itself would keep its payload and text alive until then.
      if (event.transactional) {
        commit.ackIds.push(event.id);
        commit.ackOpMetas.push(event.opMeta);
      } else {
        commit.unacknowledgedEvents += 1;
      }
    }
    return this.output(refusal);
  }

  onTick(): OperatorOutput {
    if (this.diskFull && this.probe === 'idle') this.probeDisk();
    return this.output(undefined);
  }

  /**
   * `insight` (if any), a change of fullness to tell upstream, and what can be emitted now. Usually
   * (an event stored, nothing committed since the last call) that is nothing: NO_OUTPUT, no arrays.
   */
  private output(insight: Insight | undefined): OperatorOutput {
    const change = this.fullnessChange();
    const readable = !this.broken && (this.nextReadSeq < this.committedEnd || this.resendDue());
    if (insight === undefined && change === undefined && !readable) return NO_OUTPUT;
    const output = emptyOutput();
    if (insight) output.insights.push(insight);
    if (change) output.insights.push(change);
    if (readable) for (const event of this.read()) output.events.push([OUT_PORT, event]);
    return output;
  }

  onContraflow(insight: Insight): 'stop' | 'pass' {
    if (insight.kind === 'trigger') {
      this.broken = true;
      return 'stop';
    }
    if (insight.kind === 'restore') {
      this.broken = false;
      return 'stop';
    }
    const range = insight.id?.rangeFor(this.context.uid);
    if (range === undefined) return 'pass';
    if (insight.kind === 'ack') this.acknowledge(range.min, range.max);
    else this.fail(range.min, range.max, insight.reason);
    return 'stop';
  }

  /** Resolves once no commit of this operator is in progress (their acks and emits are sent). */
  async flushed(): Promise<void> {
    while (this.commits.length > 0) {
      await Promise.allSettled(this.commits.map((commit) => commit.durable));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  stats(): Record<string, number | string> {
    const store = this.openStore();
    return {
      // As of the last durable commit: an event appended a moment ago is not yet what a crash keeps.
      stored: store.durableStoredEvents,
      storedBytes: store.durableStoredBytes,
      inFlight: this.inFlight.size,
      awaitingResend: this.awaitingResend.size,
      deadLettered: this.deadLettered,
      acked: this.acked,
      failed: this.failed,
      redelivered: this.redelivered,
      damaged: store.damagedEvents,
      downstream: this.broken ? 'triggered' : 'open',
      upstream: this.isFull() ? 'full' : 'accepting',
    };
  }

  /** For `/metrics`: commit latency in seconds and events appended per commit. */
  histograms(): Record<string, BucketCounts> {
    return { commitSeconds: this.commitSeconds, commitEvents: this.commitEvents };
  }

  /** No commit in progress and, while downstream is open, nothing stored left to emit. */
  isIdle(): boolean {
    if (this.commits.length > 0) return false;
    return this.broken || (this.awaitingResend.size === 0 && this.nextReadSeq >= this.committedEnd);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.resendTimer);
    await this.store?.close();
  }

  /** Deletes the acked events this process emitted (in flight or waiting for a resend). */
  private acknowledge(min: number, max: number): void {
    const deletions =
      min === max
        ? this.removeOne(this.inFlight, min) || this.removeOne(this.awaitingResend, min)
        : this.removeRange(this.inFlight, min, max) + this.removeRange(this.awaitingResend, min, max);
    if (deletions === 0) return;
    this.acked += deletions;
    this.currentCommit().deletions += deletions;
    this.deletionsInProgress += deletions;
    const change = this.fullnessChange();
    if (change) this.context.insightLater(change);
  }

  /**
   * Dead-letters the failed events that have had their `max_attempts`; re-sends the others, and
   * every later event still in flight, after a backoff (acked events are gone already, and a later
   * event acked during the backoff is not sent again).
   */
  private fail(min: number, max: number, reason: string | undefined): void {
    const failed = seqsInRange(this.inFlight, min, max);
    this.failed += failed.length;
    let firstResent = Infinity;
    let mostFailures = 0;
    for (const seq of failed) {
      const failures = (this.failures.get(seq) ?? 0) + 1;
      if (failures >= this.config.maxAttempts && this.deadLetter(seq, failures, reason)) continue;
      this.failures.set(seq, failures);
      firstResent = Math.min(firstResent, seq);
      mostFailures = Math.max(mostFailures, failures);
    }
    if (firstResent === Infinity) return;
    for (const [seq, bytes] of this.inFlight) {
      if (seq >= firstResent) {
        this.awaitingResend.set(seq, bytes);
        this.inFlight.delete(seq);
      }
    }
    const { resendBackoffMs } = this.config;
    if (resendBackoffMs > 0) this.backOff(Math.min(resendBackoffMs * 2 ** (mostFailures - 1), Math.max(RESEND_BACKOFF_CAP_MS, resendBackoffMs)));
  }

  /** Holds re-sends back for `delayMs`, then emits them (without waiting for an event or a tick). */
  private backOff(delayMs: number): void {
    this.resendNotBefore = Date.now() + delayMs;
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      if (!this.broken && !this.closing) for (const event of this.read()) this.context.emitLater(OUT_PORT, event);
    }, delayMs);
    this.resendTimer.unref();
  }

  private resendDue(): boolean {
    return this.awaitingResend.size > 0 && Date.now() >= this.resendNotBefore;
  }

  /**
   * Sends in-flight event `seq` to the dead-letter destinations, then deletes it as if acked.
   * False (the event stays, to be re-sent and tried again) if the dead-letter file cannot take it.
   */
  private deadLetter(seq: number, attempts: number, reason: string | undefined): boolean {
    const store = this.openStore();
    const recordBytes = this.inFlight.get(seq) as number;
    const bytes = store.get(seq);
    if (bytes !== undefined) {
      const decoded = decodeRecord(bytes);
      const letter: DeadLetter = {
        pipeline: this.context.pipelineId,
        operator: this.context.nodeId,
        epoch: store.epoch,
        seq,
        attempts,
        reason: reason ?? 'failed downstream (no reason given)',
        stored: decoded,
      };
      const text = deadLetterText(letter);
      if (this.deadLetterPath !== undefined) {
        try {
          appendDeadLetter(this.deadLetterPath, text);
        } catch (error) {
          this.context.warn(`qos::wal ${this.context.nodeId}: cannot write event ${seq} to the dead-letter file ${this.deadLetterPath} (${(error as Error).message}); it stays in the WAL and is tried again`);
          return false;
        }
      }
      this.context.emitLater(ERR_PORT, deadLetterEvent(letter, text, EventId.derivedFrom(this.context.uid, 0, seq, decoded.originalId)));
      this.context.warn(
        `qos::wal ${this.context.nodeId}: event ${seq} dead-lettered after ${attempts} failed attempt(s): ${letter.reason}` +
          (this.deadLetterPath === undefined ? ' (emitted on the err port; `dead_letter` keeps it in a file)' : ` (appended to ${this.deadLetterPath})`),
      );
    }
    this.inFlight.delete(seq);
    this.failures.delete(seq);
    this.deadLettered++;
    if (bytes !== undefined) {
      store.remove(seq, recordBytes);
      this.currentCommit().deletions += 1;
      this.deletionsInProgress += 1;
      const change = this.fullnessChange();
      if (change) this.context.insightLater(change);
    }
    return true;
  }

  /** Up to `read_count` events: redeliveries first, then committed events never emitted. */
  private read(): Event[] {
    const store = this.openStore();
    let budget = this.config.readCount;
    // An acked event counts as in flight until its deletion is durable (a refused deletion until
    // its retry lands): a crash before that delivers it again, so max_in_flight bounds the
    // duplicates a crash can cause.
    if (this.config.maxInFlight !== undefined) {
      budget = Math.min(budget, this.config.maxInFlight - this.inFlight.size - this.deletionsInProgress - store.removalsAwaitingRetry);
    }
    const events: Event[] = [];
    if (budget > 0 && this.resendDue()) {
      for (const seq of [...this.awaitingResend.keys()].sort((a, b) => a - b)) {
        if (budget === 0) break;
        this.awaitingResend.delete(seq);
        const bytes = store.get(seq);
        if (bytes === undefined) continue;
        const decoded = this.decodeOrSetAside(seq, bytes);
        if (decoded === undefined) continue;
        events.push(this.emit(seq, decoded.originalId, decoded, bytes.length, decoded.dataJson, decoded.data));
        this.redelivered++;
        budget--;
      }
    }
    const recent = this.recent;
    while (budget > 0 && this.nextReadSeq < this.committedEnd) {
      const seq = this.nextReadSeq;
      if (this.recentlyStored.take(seq, recent)) {
        events.push(this.emitKept(seq, recent));
        this.nextReadSeq = seq + 1;
        budget--;
        continue;
      }
      const records = store.read(seq, this.committedEnd, budget);
      for (const record of records) {
        this.nextReadSeq = record.seq + 1;
        const decoded = this.decodeOrSetAside(record.seq, record.bytes);
        if (decoded === undefined) continue;
        if (record.seq < this.firstSeqOfThisRun) this.redelivered++;
        events.push(this.emit(record.seq, decoded.originalId, decoded, record.bytes.length, decoded.dataJson, decoded.data));
      }
      // Fewer than asked means nothing else is stored below committedEnd (gaps are refused commits).
      if (records.length < budget) this.nextReadSeq = this.committedEnd;
      break;
    }
    return events;
  }

  /**
   * The stored event, or undefined for a damaged record (failed checksum, undecodable): that one is
   * reported, and set aside in the store's `damaged` database with the next commit, so that it
   * blocks neither the events after it nor the next start.
   */
  private decodeOrSetAside(seq: number, bytes: Buffer): DecodedText | undefined {
    try {
      return decodeRecordText(bytes);
    } catch (error) {
      if (!(error instanceof DamagedRecordError)) throw error;
      const store = this.openStore();
      this.context.warn(
        `qos::wal ${this.context.nodeId}: ${store.path}: damaged record seq ${seq} (${error.message}); set aside, not delivered (\`rill wal inspect --verify\` lists it)`,
      );
      store.setAside(seq, bytes);
      this.currentCommit();
      return undefined;
    }
  }

  /**
   * The stored event as it goes out, with the payload's text as stored (`dataJson`): the same text
   * whether the event was kept in memory or read back, so a sink writes the bytes the WAL got.
   * `dataJson` is undefined only for records of the first format, which kept no payload text.
   * `data`, when the payload was parsed already (a record read back); else the event parses its
   * text if something reads its payload (engine/text-event.ts).
   */
  private emit(seq: number, originalId: EventId, stored: Omit<StoredEvent, 'data'>, recordBytes: number, dataJson: string | undefined, data: Value | undefined): Event {
    const id = EventId.derivedFrom(this.context.uid, 0, seq, originalId);
    this.inFlight.set(seq, recordBytes);
    return new TextEvent(id, dataJson, withDeliveryId(stored.meta, this.openStore().epoch, seq), stored.ingestNs, true, stored.opMeta, data);
  }

  /** A stored event kept in memory (recent-events.ts) as it goes out: a view of the payload text it was stored with. */
  private emitKept(seq: number, kept: RecentEvent): Event {
    const id = EventId.derivedFrom(this.context.uid, 0, seq, kept.originalId);
    this.inFlight.set(seq, kept.recordBytes);
    return TextEvent.ofUtf8(id, kept.buffer, kept.start, kept.end, withDeliveryId(kept.meta, this.openStore().epoch, seq), kept.ingestNs, true, kept.opMeta, kept.crc, kept.keys, kept.tail);
  }

  /** The payload text of the record at `place`: the part of it from its payload on. */
  private recordText(place: RecordPlace): Utf8Parts {
    const text = this.storedText;
    text.buffer = place.buffer;
    text.start = place.payloadStart;
    text.end = place.end;
    return text;
  }

  /** The common case (a sink acks each event): no range walk, no array. Returns 1 if `seq` was pending. */
  private removeOne(pending: PendingSeqs, seq: number): number {
    const recordBytes = pending.get(seq);
    if (recordBytes === undefined) return 0;
    this.openStore().remove(seq, recordBytes);
    pending.delete(seq);
    if (this.failures.size > 0) this.failures.delete(seq);
    return 1;
  }

  /** Removes the pending seqs in [min, max] (without an array of them: a sink's batch ack names a run of a thousand). Returns how many were pending. */
  private removeRange(pending: PendingSeqs, min: number, max: number): number {
    let removed = 0;
    if (max - min < pending.size) {
      for (let seq = min; seq <= max; seq++) removed += this.removeOne(pending, seq);
    } else {
      // Deleting the entry being visited is safe (pending-seqs.ts).
      for (const seq of pending.keys()) if (seq >= min && seq <= max) removed += this.removeOne(pending, seq);
    }
    return removed;
  }

  /** The bookkeeping for the commit that the store's current batch will become. */
  private currentCommit(): CommitInProgress {
    const durable = this.openStore().commit();
    const last = this.commits[this.commits.length - 1];
    if (last !== undefined && last.durable === durable) return last;
    const commit: CommitInProgress = { durable, startedMs: performance.now(), endSeq: 0, appendedBytes: 0, ackIds: [], ackOpMetas: [], unacknowledgedEvents: 0, deletions: 0 };
    this.commits.push(commit);
    durable.then(
      () => this.settle(commit, 'durable'),
      (error: unknown) => this.settle(commit, 'refused', error),
    );
    return commit;
  }

  private settle(commit: CommitInProgress, outcome: 'durable' | 'refused', error?: unknown): void {
    commit.settled = outcome;
    this.commitSeconds.observe((performance.now() - commit.startedMs) / 1000);
    if (commit.firstSeq !== undefined) this.commitEvents.observe(commit.endSeq - commit.firstSeq);
    if (outcome === 'refused') {
      this.recentlyStored.forgetFrom(commit.firstSeq ?? commit.endSeq);
      if (!this.diskFull) this.context.warn(`qos::wal ${this.context.nodeId}: store full or failing, refusing events (${(error as Error).message})`);
      this.diskFull = true;
      this.largestRefusedBytes = Math.max(this.largestRefusedBytes, commit.appendedBytes);
      if (commit.unacknowledgedEvents > 0) {
        this.context.warn(`qos::wal ${this.context.nodeId}: ${commit.unacknowledgedEvents} non-transactional event(s) could not be stored and are lost`);
      }
    }
    // A durable commit while full does not end it: small commits (deletions, the counters) fit in
    // pages LMDB freed itself on a disk that has no room for new events. Only a probe ends it.
    // Commits settle in order; the loop only guards the watermark against any reordering.
    while (this.commits.length > 0 && this.commits[0].settled !== undefined) {
      const done = this.commits.shift() as CommitInProgress;
      this.committedEnd = Math.max(this.committedEnd, done.endSeq);
      // lmdb-js is done with the records of every settled commit.
      this.recordSlabs.settledBelow(done.endSeq);
      this.deletionsInProgress -= done.deletions;
      const kind = done.settled === 'durable' ? 'ack' : 'fail';
      mergedInsights(kind, done.ackIds, done.ackOpMetas, (insight) => this.context.insightLater(insight));
    }
    const change = this.fullnessChange();
    if (change) this.context.insightLater(change);
    if (!this.broken && !this.closing) for (const event of this.read()) this.context.emitLater(OUT_PORT, event);
  }

  /**
   * Phase one of a probe: commit a filler; phase two (`clearProbe`) deletes it. Deletions a refused
   * commit left undone go first, in a commit of their own: with the filler they would be refused
   * with it, and the space they free would never come back.
   */
  private probeDisk(): void {
    const store = this.openStore();
    if (store.removalsAwaitingRetry > 0) {
      this.probe = 'retrying';
      const retried = store.retryRemovals();
      this.currentCommit();
      const idle = () => (this.probe = 'idle');
      retried.then(idle, idle);
      return;
    }
    const wanted = store.storedEvents === 0 ? 0 : this.largestRefusedBytes;
    const fillerBytes = Math.min(Math.max(wanted, PROBE_MIN_BYTES), PROBE_MAX_BYTES);
    this.probe = 'filling';
    const filled = store.probe(fillerBytes);
    this.currentCommit();
    filled.then(
      () => this.clearProbe(fillerBytes),
      () => (this.probe = 'idle'),
    );
  }

  private clearProbe(fillerBytes: number): void {
    if (this.closing) return;
    this.probe = 'clearing';
    const cleared = this.openStore().endProbe();
    this.currentCommit();
    cleared.then(
      () => {
        this.probe = 'idle';
        if (this.closing || !this.diskFull) return;
        this.diskFull = false;
        this.largestRefusedBytes = 0;
        this.context.warn(`qos::wal ${this.context.nodeId}: room in the store again, accepting events (a ${fillerBytes}-byte probe was committed)`);
        const change = this.fullnessChange();
        if (change) this.context.insightLater(change);
      },
      () => (this.probe = 'idle'),
    );
  }

  private isFull(): boolean {
    const store = this.openStore();
    const { maxElements, maxBytes } = this.config;
    return (
      this.diskFull ||
      (maxElements !== undefined && store.storedEvents >= maxElements) ||
      (maxBytes !== undefined && store.storedBytes >= maxBytes)
    );
  }

  /** The trigger or restore to send upstream if fullness changed since we last told upstream. */
  private fullnessChange(): Insight | undefined {
    const full = this.isFull();
    if (full === this.upstreamTriggered) return undefined;
    this.upstreamTriggered = full;
    return { kind: full ? 'trigger' : 'restore', opMeta: {} };
  }

  private openStore(): WalStore {
    if (this.store === undefined) throw new Error(`qos::wal ${this.context.nodeId}: used before start()`);
    return this.store;
  }
}

/**
 * `$` of an emitted event: the stored `$` plus `wal`, the delivery id (usually `$` is empty: no
 * copy then). A copy, not a spread: `{ ...meta, wal }` took 0.5 µs per event (a tcp_server's
 * `$tcp_server` metadata: 4% of a tcp -> wal -> file flow); copyRecord takes a tenth of that.
 */
function withDeliveryId(meta: RecordValue, epoch: string, seq: number): RecordValue {
  const wal = { epoch, seq };
  if (isEmptyRecord(meta)) return { wal };
  const copy = copyRecord(meta);
  copy.wal = wal;
  return copy;
}

/** The keys of `pending` within [min, max], without walking a wide range key by key. */
function seqsInRange(pending: PendingSeqs, min: number, max: number): number[] {
  const seqs: number[] = [];
  if (max - min < pending.size) {
    for (let seq = min; seq <= max; seq++) if (pending.has(seq)) seqs.push(seq);
  } else {
    for (const seq of pending.keys()) if (seq >= min && seq <= max) seqs.push(seq);
  }
  return seqs;
}
