/**
 * `npm run bench -- NAME --markdown`: the figures as they are measured, then one Markdown table
 * of all of them (what the README's figure tables are pasted from); `--json` stays one object per line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReporter } from '../../bench/report.ts';

afterEach(() => vi.restoreAllMocks());

function captured(run: () => void): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(text));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  run();
  return lines.join('\n').split('\n');
}

describe('bench reporter', () => {
  it('--markdown ends with a table of every figure, with the notes above it', () => {
    const lines = captured(() => {
      const reporter = createReporter('wal', 'markdown');
      reporter.note('load average at start: 1.0');
      reporter.figure('wal_events_per_s', 123456.7, 'events/s');
      reporter.figure('wal_vs_lmdb_ratio', 0.51234, '(target >= 0.4)');
      reporter.finish();
    });
    const table = lines.slice(lines.indexOf('| wal figure | value | unit |'));
    expect(table).toEqual(['| wal figure | value | unit |', '| --- | ---: | --- |', '| `wal_events_per_s` | 123,457 | events/s |', '| `wal_vs_lmdb_ratio` | 0.512 | (target >= 0.4) |']);
    expect(lines).toContain('> load average at start: 1.0  ');
    expect(lines.some((line) => /^<!-- npm run bench -- wal --markdown \(\d{4}-\d\d-\d\d\) -->$/.test(line))).toBe(true);
  });

  it('--json prints one object per figure and no table', () => {
    const lines = captured(() => {
      const reporter = createReporter('select', 'json');
      reporter.figure('select_events_per_s', 2000000);
      reporter.finish();
    });
    expect(lines).toEqual(['{"bench":"select","metric":"select_events_per_s","value":2000000}']);
  });
});
