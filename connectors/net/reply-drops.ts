/**
 * What a server does with a reply it can never deliver (its connection has closed, or the event
 * names none): drop it, count it and ack it, so a WAL upstream does not re-send it for ever (Tremor
 * fails it), with one warning at the start of each streak of drops. Shared by `tcp_server` (and
 * `unix_socket_server`) and `ws_server`.
 */
import type { Delivery } from '../connector.ts';

export class ReplyDrops {
  private streak = false;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly counted: () => void,
  ) {}

  drop(delivery: Delivery, why: string): void {
    this.counted();
    if (!this.streak) this.warn(`dropped a reply: ${why} (a reply to a closed connection can never be delivered; further drops in a row are only counted)`);
    this.streak = true;
    delivery.ack();
  }

  /** A reply went out: the next drop starts a new streak. */
  delivered(): void {
    this.streak = false;
  }
}
