/**
 * `crononome` (Tremor 0.12 connector): events on a cron schedule. `config.entries` is a list of
 * `{"name": ..., "expr": ..., "payload": ...}`; `expr` has Tremor's 6 or 7 fields (seconds
 * first, then minutes, hours, day of month, month, day of week, optionally year), evaluated in
 * UTC by `croner`. Each firing emits `{"connector": "crononome", "ingest_ns": ..., "id": n,
 * "trigger": {"name": ..., "payload": ...}}` with `$crononome = {"trigger": name}`. Structured
 * (no codec), source only, not transactional. A trigger pauses it: firings due while paused are
 * skipped, as a metronome's ticks are.
 */
import { Cron } from 'croner';
import { nowNs } from '../engine/event.ts';
import type { Value } from '../queries/values/value.ts';
import { isRecord } from '../queries/values/value.ts';
import { ConnectorConfigError, type ConnectorFactory, type Source, type SourceContext } from './connector.ts';

export interface CronEntry {
  name: string;
  expr: string;
  payload?: Value;
}

export class CrononomeSource implements Source {
  readonly transactional = false;
  private readonly schedules: Array<{ entry: CronEntry; cron: Cron; timer?: NodeJS.Timeout }>;
  private context?: SourceContext;
  private nextId = 0;
  private paused = false;
  private stopped = false;

  constructor(entries: CronEntry[]) {
    this.schedules = entries.map((entry) => ({ entry, cron: new Cron(entry.expr, { paused: true, timezone: 'UTC' }) }));
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    for (const schedule of this.schedules) this.schedule(schedule);
  }

  trigger(): void {
    this.paused = true;
  }

  restore(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const schedule of this.schedules) if (schedule.timer !== undefined) clearTimeout(schedule.timer);
  }

  // One timer per firing: long waits are cut into pieces because Node timers hold at most ~24.8 days.
  private schedule(schedule: { entry: CronEntry; cron: Cron; timer?: NodeJS.Timeout }): void {
    if (this.stopped) return;
    const next = schedule.cron.nextRun();
    if (next === null) return; // the expression has no future firing (a past year)
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    schedule.timer = setTimeout(() => {
      if (Date.now() + 1 >= next.getTime()) this.fire(schedule.entry);
      this.schedule(schedule);
    }, Math.max(0, wait));
  }

  private fire(entry: CronEntry): void {
    if (this.stopped || this.paused || this.context === undefined) return;
    const trigger: Record<string, Value> = { name: entry.name };
    if (entry.payload !== undefined) trigger.payload = structuredClone(entry.payload);
    this.context.emit({ connector: 'crononome', ingest_ns: nowNs(), id: this.nextId++, trigger }, { crononome: { trigger: entry.name } });
  }
}

function entryOf(value: Value, index: number): CronEntry {
  const where = `entries[${index}]`;
  if (!isRecord(value)) throw new ConnectorConfigError(`${where} must be a record with \`name\` and \`expr\``, 'entries');
  const { name, expr, payload, ...rest } = value;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ConnectorConfigError(`${where}: unknown key "${unknown[0]}" (expected name, expr, payload)`, 'entries');
  if (typeof name !== 'string') throw new ConnectorConfigError(`${where}: \`name\` must be a string`, 'entries');
  if (typeof expr !== 'string') throw new ConnectorConfigError(`${where}: \`expr\` must be a string (a cron expression)`, 'entries');
  const fields = expr.trim().split(/\s+/).length;
  if (fields !== 6 && fields !== 7) {
    throw new ConnectorConfigError(`${where}: cron expression ${JSON.stringify(expr)} has ${fields} fields; Tremor's have 6 or 7 (seconds first, year last)`, 'entries');
  }
  try {
    new Cron(expr, { paused: true, timezone: 'UTC' }).stop();
  } catch (error) {
    throw new ConnectorConfigError(`${where}: invalid cron expression ${JSON.stringify(expr)}: ${(error as Error).message}`, 'entries');
  }
  return payload === undefined ? { name, expr } : { name, expr, payload };
}

export const crononomeConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'crononome',
  configKeys: { entries: { type: 'array', required: true } },
  codec: 'structured',
  create(settings) {
    const entries = (settings.config.entries as Value[]).map(entryOf);
    return { source: new CrononomeSource(entries) };
  },
};
