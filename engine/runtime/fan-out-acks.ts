/**
 * A transactional source linked to several pipeline inputs sends each event once per link, and
 * each copy is acked on its own. The event is delivered only when every copy is: a source that
 * took the first ack as confirmation could checkpoint a line another pipeline never stored.
 *
 * So for such a source the runtime counts the acks per event number and passes an ack on when the
 * last copy's arrives. A fail of any copy is passed on at once (the source sends the event and
 * every later one again, as new events), and the copies still waiting from it on stop counting.
 */
export class FanOutAcks {
  /** Event number -> acks still to come. */
  private readonly waiting = new Map<number, number>();

  constructor(private readonly copies: number) {}

  sent(eventNumber: number): void {
    this.waiting.set(eventNumber, this.copies);
  }

  /** Counts one ack of each event first..last; returns the events every copy has now acked. */
  acked(first: number, last: number): number[] {
    const complete: number[] = [];
    const count = (eventNumber: number, left: number): void => {
      if (left > 1) this.waiting.set(eventNumber, left - 1);
      else {
        this.waiting.delete(eventNumber);
        complete.push(eventNumber);
      }
    };
    if (last - first < this.waiting.size) {
      for (let eventNumber = first; eventNumber <= last; eventNumber++) {
        const left = this.waiting.get(eventNumber);
        if (left !== undefined) count(eventNumber, left);
      }
    } else {
      for (const [eventNumber, left] of [...this.waiting]) if (eventNumber >= first && eventNumber <= last) count(eventNumber, left);
    }
    return complete;
  }

  failed(first: number): void {
    for (const eventNumber of [...this.waiting.keys()]) if (eventNumber >= first) this.waiting.delete(eventNumber);
  }
}
