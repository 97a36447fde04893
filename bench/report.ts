/**
 * How every benchmark prints a figure: with `--json`, one JSON object per line
 * (`{"bench":"wal","metric":"wal_events_per_s","value":123456}`), else an aligned human line.
 */
export interface Reporter {
  figure(metric: string, value: number, unit?: string): void;
  note(text: string): void;
}

export function createReporter(bench: string, json: boolean): Reporter {
  return {
    figure(metric, value, unit = '') {
      const rounded = Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(3));
      if (json) console.log(JSON.stringify({ bench, metric, value: rounded }));
      else console.log(`${bench.padEnd(8)} ${metric.padEnd(34)} ${String(rounded).padStart(14)} ${unit}`);
    },
    note(text) {
      if (!json) console.log(`${bench.padEnd(8)} # ${text}`);
      else console.error(`# ${text}`);
    },
  };
}
