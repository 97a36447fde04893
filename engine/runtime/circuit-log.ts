/**
 * The log lines of one source's circuit breaker: "paused" when a downstream trigger stops it,
 * "resumed" when a restore lets it go on. A sink that pushes back on every full write buffer (a
 * `file` offramp faster than its disk) pauses and resumes its source hundreds of times a second;
 * one line each buried everything else on stderr. So within each QUIET_MS only the first
 * BURST_LINES changes get a line at once; later ones are counted, and when the period ends one
 * line says the state then and how many changes had no line.
 */
export const QUIET_MS = 10_000;
export const BURST_LINES = 4;

type CircuitState = 'paused' | 'resumed';

export class CircuitLog {
  private periodStart = -Infinity;
  private linesInPeriod = 0;
  /** The state the last line reported, and the state now. */
  private shown: CircuitState = 'resumed';
  private state: CircuitState = 'resumed';
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

  private change(state: CircuitState): void {
    if (state === this.state) return;
    const now = this.now();
    if (now - this.periodStart >= QUIET_MS) {
      // A new period; what the last one did not show comes first.
      this.flush();
      this.periodStart = now;
      this.linesInPeriod = 0;
    }
    this.state = state;
    this.unshownChanges++;
    if (this.linesInPeriod < BURST_LINES) {
      this.write();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.periodStart + QUIET_MS - now);
    this.timer.unref();
  }

  private write(): void {
    const what = this.state === 'paused' ? 'paused (circuit breaker triggered downstream)' : 'resumed (circuit breaker restored downstream)';
    // The line stands for the last change when it moved away from what was shown; the rest had none.
    const hidden = this.unshownChanges - (this.shown === this.state ? 0 : 1);
    const since = hidden > 0 ? `; ${hidden} more pauses and resumes in the last ${Math.round(QUIET_MS / 1000)} s not shown` : '';
    this.log(`${this.name}: ${what}${since}`);
    this.shown = this.state;
    this.unshownChanges = 0;
    this.linesInPeriod++;
  }
}
