/**
 * The seed's trickle text (shared/seeds/001_adcc8a5f599edcdc.txt), exactly as users will paste it:
 * operator params without `with … end`, a patch without `end`, `insert hostname = expr`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileQuery, renderDiagnostic } from '../../queries/index.ts';
import type { OperatorStatement, SelectStatement } from '../../queries/compiled-query.ts';
import { hostname } from 'node:os';

const seedText = readFileSync(new URL('./fixtures/seed-001-persistent-wal.trickle', import.meta.url), 'utf8');

const canonical = `use tremor::system;

define qos::wal operator on_disk_wal
with
  read_count = 20,
  max_elements = 1000, # Capacity limit of 1000 stored events
  max_bytes = 10485760 # Capacity limit of 1MB of events
end;

create operator on_disk_wal;

select patch event of
  insert "hostname" => system::hostname()
end
from in into on_disk_wal;

select event from on_disk_wal into out;
`;

function summary(source: string) {
  const query = compileQuery(source, 'persistent.trickle');
  return {
    query,
    statements: query.statements.map((statement) => [statement.kind, statement.nodeId]),
    operator: query.statements.find((statement): statement is OperatorStatement => statement.kind === 'operator'),
    patchSelect: query.statements.find((statement): statement is SelectStatement => statement.kind === 'select'),
  };
}

describe('seed 001 (persistent WAL recipe)', () => {
  it('compiles as written, to the same pipeline as the canonical v0.11 form', () => {
    const seed = summary(seedText);
    const reference = summary(canonical);
    expect(seed.statements).toEqual([
      ['operator', 'on_disk_wal'],
      ['select', 'select_0'],
      ['select', 'select_1'],
    ]);
    expect(seed.statements).toEqual(reference.statements);
    expect(seed.operator?.operatorType).toBe('qos::wal');
    expect(seed.operator?.params).toEqual({ read_count: 20, max_elements: 1000, max_bytes: 10485760 });
    expect(seed.operator?.params).toEqual(reference.operator?.params);
    expect(seed.operator?.paramSpans.max_bytes).toMatchObject({ line: 6, column: 1, length: 9 });
  });

  it('warns once per non-standard form and shows the canonical spelling', () => {
    const { query } = summary(seedText);
    const messages = query.warnings.map((warning) => warning.message);
    expect(query.warnings.every((warning) => warning.severity === 'warning')).toBe(true);
    expect(messages).toEqual([
      'Non-standard operator definition without `with … end`: write `define qos::wal operator on_disk_wal with read_count = 20, max_elements = 1000, max_bytes = 10485760 end;`',
      'Non-standard patch without `end`: write `select patch … end from …`',
      'Non-standard patch operation: write `insert "hostname" => …` instead of `insert hostname = …`',
    ]);
    expect(renderDiagnostic(query.warnings[2], seedText)).toContain(
      '   11 | insert hostname = system::hostname()\n      | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ Non-standard patch operation',
    );
    expect(summary(canonical).query.warnings).toEqual([]);
  });

  it('adds the hostname to each event and keeps the input unchanged', () => {
    const { patchSelect } = summary(seedText);
    const input = { onramp: 'metronome', ingest_ns: 1, id: 0 };
    const output = patchSelect?.run({ data: input, meta: {}, ingestNs: 1 });
    expect(output).toEqual({ onramp: 'metronome', ingest_ns: 1, id: 0, hostname: hostname() });
    expect(input).toEqual({ onramp: 'metronome', ingest_ns: 1, id: 0 });
  });

  it('fails an event that already has a hostname (insert never overwrites)', () => {
    const { patchSelect } = summary(seedText);
    expect(() => patchSelect?.run({ data: { hostname: 'x' }, meta: {}, ingestNs: 0 })).toThrow(
      'The key that is supposed to be written to already exists: hostname',
    );
  });
});
