/**
 * How every benchmark prints a figure: with `--json`, one JSON object per line
 * (`{"bench":"wal","metric":"wal_events_per_s","value":123456}`); with `--markdown`, the human
 * lines as they come and, at the end, one Markdown table of every figure and note, for the README
 * (so its figures are pasted from a command, never typed); else an aligned human line.
 */
export interface Reporter {
  figure(metric: string, value: number, unit?: string): void;
  note(text: string): void;
}

export type ReportFormat = 'text' | 'json' | 'markdown';

export interface RunReporter extends Reporter {
  /** Prints what is kept for the end (the Markdown table). */
  finish(): void;
}

function rounded(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(3));
}

export function createReporter(bench: string, format: ReportFormat | boolean): RunReporter {
  const mode: ReportFormat = format === true ? 'json' : format === false ? 'text' : format;
  const rows: string[] = [];
  const notes: string[] = [];
  return {
    figure(metric, value, unit = '') {
      if (mode === 'json') {
        console.log(JSON.stringify({ bench, metric, value: rounded(value) }));
        return;
      }
      console.log(`${bench.padEnd(8)} ${metric.padEnd(34)} ${String(rounded(value)).padStart(14)} ${unit}`);
      if (mode === 'markdown') rows.push(`| \`${metric}\` | ${rounded(value).toLocaleString('en-US')} | ${unit.replaceAll('|', '\\|')} |`);
    },
    note(text) {
      if (mode === 'json') console.error(`# ${text}`);
      else console.log(`${bench.padEnd(8)} # ${text}`);
      if (mode === 'markdown') notes.push(text);
    },
    finish() {
      if (mode !== 'markdown') return;
      console.log(`\n<!-- npm run bench -- ${bench} --markdown (${new Date().toISOString().slice(0, 10)}) -->`);
      for (const text of notes) console.log(`> ${text}  `);
      console.log(`\n| ${bench} figure | value | unit |\n| --- | ---: | --- |\n${rows.join('\n')}`);
    },
  };
}
