/**
 * The acks sinks give in one turn, sent back as runs: a sink settles the events of a written batch
 * one after the other (stream-sink.ts: every delivery of a batch in the write's callback), and each
 * ack used to be one insight and one contraflow step through its pipeline (the executor's routing,
 * every node on the way back to the `qos::wal` that deletes the event). Gathered until the end of
 * the turn (a microtask), consecutive events of one pipeline port become one insight whose id
 * tracks the whole run (written-acks.ts says when events may be merged), as `rill run` does.
 *
 * A fail is never held back: whatever acks are pending go first, then the fail, so the pipeline
 * hears them in the order the sink settled them.
 */
import type { Insight } from '../insight.ts';
import type { OpMeta } from '../event.ts';
import type { EventId } from '../event-id.ts';
import type { Pipeline } from '../pipeline.ts';
import { WrittenAcks } from '../written-acks.ts';

export class SinkAcks {
  private pending = new Map<Pipeline, WrittenAcks>();
  private scheduled = false;

  add(pipeline: Pipeline, port: string, id: EventId, opMeta: OpMeta): void {
    let acks = this.pending.get(pipeline);
    if (acks === undefined) {
      acks = new WrittenAcks();
      this.pending.set(pipeline, acks);
    }
    acks.add(port, id, opMeta);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Sends `insight` (a fail) after every ack gathered so far. */
  sendAfterPending(pipeline: Pipeline, port: string, insight: Insight): void {
    this.flush();
    pipeline.contraflow(port, insight);
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    for (const [pipeline, acks] of pending) acks.send((port, insight) => pipeline.contraflow(port, insight));
  };
}
