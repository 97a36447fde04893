/**
 * What a reading loop waits on while a source is triggered: `pause()` closes the gate,
 * `resume()` opens it, and `await gate.passed()` returns at once while it is open and on the
 * resume while it is closed. One gate per source; the loop checks its own `stopped` flag after.
 */
export class PauseGate {
  private closed?: { promise: Promise<void>; open: () => void };

  get paused(): boolean {
    return this.closed !== undefined;
  }

  pause(): void {
    if (this.closed) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.closed = { promise, open };
  }

  resume(): void {
    const closed = this.closed;
    this.closed = undefined;
    closed?.open();
  }

  async passed(): Promise<void> {
    while (this.closed) await this.closed.promise;
  }
}
