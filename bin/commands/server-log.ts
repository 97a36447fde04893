/**
 * What `rill server run` writes on stderr, in one of two formats (`--log-format`):
 * - `text` (default): `rill: <message>` for what the server does, configuration problems and
 *   warnings as they are rendered (file:line:column first), the status line `rill: status: ...`;
 * - `json`: one JSON object per line, `{"time": ISO 8601, "level": "info" | "warn" | "error",
 *   "message": ...}`, and for the status `"message": "status"` with the figures under `"status"`.
 *
 * The status is written only when a figure changed since the last one written (callers ask every
 * few seconds), so an idle server stays quiet.
 */
import type { RuntimeStats } from '../../engine/runtime/runtime.ts';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class ServerLog {
  private lastStatus: string | undefined;

  constructor(
    private readonly format: LogFormat,
    private readonly write: (line: string) => void = (line) => void process.stderr.write(line),
  ) {}

  /** What the server does (started, a connection, a circuit change, stopping). */
  info(message: string): void {
    this.line('info', message, `rill: ${message}`);
  }

  /** A warning already rendered for people (a non-standard form, a connector's complaint). */
  warn(message: string): void {
    this.line('warn', message, message);
  }

  /** A problem already rendered for people (a configuration problem, a pipeline's runtime error). */
  error(message: string): void {
    this.line('error', message, message);
  }

  /**
   * The status line, if it differs from the last one written (`force`: in any case, as at
   * shutdown). `formatted` is the text status line, also what tells a change.
   */
  status(stats: RuntimeStats, formatted: string, force = false): void {
    if (!force && formatted === this.lastStatus) return;
    this.lastStatus = formatted;
    if (this.format === 'text') {
      this.write(`rill: ${formatted}\n`);
      return;
    }
    // Histograms are for /metrics; the log keeps the figures a person or a log search reads.
    const figures = { ...stats, pipelines: stats.pipelines.map(({ histograms: _histograms, ...pipeline }) => pipeline) };
    this.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', message: 'status', status: figures })}\n`);
  }

  private line(level: 'info' | 'warn' | 'error', message: string, text: string): void {
    if (this.format === 'text') this.write(`${text}\n`);
    else this.write(`${JSON.stringify({ time: new Date().toISOString(), level, message })}\n`);
  }
}
