/**
 * The log lines of one source's circuit breaker: "paused" when a downstream trigger stops it,
 * "resumed" when a restore lets it go on. A sink that pushes back on every full write buffer (a
 * `file` offramp faster than its disk) pauses and resumes its source hundreds of times a second;
 * one line each buried everything else on stderr. So a change of state is written at once only
 * when the last line is QUIET_MS old; changes within that time are counted, and once it has passed
 * one line says the state then and how many changes were not shown.
 */
export const QUIET_MS = 10_000;

export class CircuitLog {
  private lastLineAt = -Infinity;
  /** The state the last line reported, and the state now. */
  private shown: 'paused' | 'resumed' = 'resumed';
  private state: 'paused' | 'resumed' = 'resumed';
  private unshownChanges = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly name: string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  paused(): void {
    this.change('paused');
  }

  resumed(): void {
    this.change('resumed');
  }

  /** Writes the changes not shown yet, if any (also when the runtime stops). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.unshownChanges > 0) this.write();
  }

  private change(state: 'paused' | 'resumed'): void {
    if (state === this.state) return;
    this.state = state;
    this.unshownChanges++;
    const sinceLastLine = this.now() - this.lastLineAt;
    if (sinceLastLine >= QUIET_MS) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), QUIET_MS - sinceLastLine);
    this.timer.unref();
  }

  private write(): void {
    const what = this.state === 'paused' ? 'paused (circuit breaker triggered downstream)' : 'resumed (circuit breaker restored downstream)';
    // The line stands for the last change when it moved away from what was shown; the rest had none.
    const hidden = this.unshownChanges - (this.shown === this.state ? 0 : 1);
    const since = hidden > 0 ? `; ${hidden} more pauses and resumes in the last ${Math.round((this.now() - this.lastLineAt) / 1000)} s not shown` : '';
    this.log(`${this.name}: ${what}${since}`);
    this.shown = this.state;
    this.unshownChanges = 0;
    this.lastLineAt = this.now();
  }
}
