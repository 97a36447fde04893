/**
 * The ws offramp's `ack_replies` protocol (rill extension; ws-sink.ts says when it is used): the
 * receiver sends, on the same connection, text frames `{"ack": N}` with N = how many frames it has
 * received on this connection so far. N is cumulative, so a lost or coalesced reply costs nothing.
 * Frames are acked in send order up to the N-th; those not acknowledged when the connection closes
 * are failed, so a `qos::wal` upstream sends them again. A reply that does not fit (not such an
 * object, N backwards or beyond the frames sent) is ignored, with one warning per connection.
 */
import type WebSocket from 'ws';
import type { Delivery } from './connector.ts';

/** One connection's frames the receiver has not acknowledged yet (`ack_replies`), oldest first. */
export class ReplyAcks {
  private readonly unacked: Delivery[] = [];
  /** Frames sent on this connection, and how many of them the receiver has acknowledged. */
  private sentCount = 0;
  private ackedCount = 0;
  private warned = false;

  constructor(
    private readonly url: string,
    private readonly warn: (message: string) => void,
  ) {}

  sent(delivery: Delivery): void {
    this.unacked.push(delivery);
    this.sentCount++;
  }

  /** A frame from the receiver: `{"ack": N}` acks this connection's frames up to the N-th. */
  reply(data: WebSocket.RawData, isBinary: boolean): void {
    const text = isBinary ? undefined : rawText(data);
    const count = text === undefined ? undefined : ackCount(text);
    if (count === undefined) {
      this.ignore(isBinary ? 'a binary frame' : `${JSON.stringify(clip(text ?? ''))}, not {"ack": N}`);
    } else if (count < this.ackedCount) {
      this.ignore(`{"ack": ${count}}: it goes backwards (${this.ackedCount} already acknowledged)`);
    } else if (count > this.sentCount) {
      this.ignore(`{"ack": ${count}}: only ${this.sentCount} frames were sent on this connection`);
    } else {
      const newlyAcked = this.unacked.splice(0, count - this.ackedCount);
      this.ackedCount = count;
      for (const delivery of newlyAcked) delivery.ack();
    }
  }

  /** The connection closed: what the receiver did not acknowledge may not have arrived. */
  failUnacked(): void {
    for (const delivery of this.unacked.splice(0)) delivery.fail(`connection to ${this.url} closed before the receiver acknowledged the frame (ack_replies)`);
  }

  private ignore(what: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(`ignored a reply from ${this.url}: ${what} (ack_replies; further bad replies on this connection are ignored silently)`);
  }
}

/** The N of a reply `{"ack": N}` (a whole number ≥ 0; other keys are ignored), or undefined. */
function ackCount(text: string): number | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) return undefined;
  const count = (reply as { ack?: unknown }).ack;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/** A delivery that passes on only its first ack or fail (a write error may come after the close failed it). */
export function settleOnce(delivery: Delivery): Delivery {
  let settled = false;
  return {
    ack() {
      if (settled) return;
      settled = true;
      delivery.ack();
    },
    fail(reason) {
      if (settled) return;
      settled = true;
      delivery.fail(reason);
    },
  };
}
