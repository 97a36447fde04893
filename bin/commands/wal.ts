/**
 * `rill wal inspect DIR [--json]`: what a `qos::wal` store holds, read-only (the environment is
 * opened read-only and nothing in DIR is changed).
 */
import type { Command } from 'commander';

export interface WalInspection {
  path: string;
  epoch: string;
  createdAt: string;
  formatVersion: number;
  storedEvents: number;
  storedBytes: number;
  /** Every event below this sequence number has been acked (and deleted). */
  ackedBelow: number;
  oldestSeq: number | null;
  newestSeq: number | null;
  nextSeq: number;
  limits: { readCount: number; maxElements?: number; maxBytes?: number; maxInFlight?: number } | null;
}

/** Async only because the store (and lmdb) is loaded on first use, not with every `rill` start. */
export async function inspectWal(dir: string): Promise<WalInspection> {
  const { WalStore } = await import('../../operators/qos/wal/store.ts');
  const store = await WalStore.openReadOnly(dir);
  try {
    const bounds = store.bounds();
    return {
      path: store.path,
      epoch: store.epoch,
      createdAt: store.identity.createdAt,
      formatVersion: store.identity.formatVersion,
      storedEvents: store.storedEvents,
      storedBytes: store.storedBytes,
      ackedBelow: bounds?.first ?? store.nextSeq,
      oldestSeq: bounds?.first ?? null,
      newestSeq: bounds?.last ?? null,
      nextSeq: store.nextSeq,
      limits: store.storedLimits() ?? null,
    };
  } finally {
    void store.close();
  }
}

function render(inspection: WalInspection): string {
  const limits = inspection.limits;
  const rows: Array<[string, string | number]> = [
    ['path', inspection.path],
    ['epoch', inspection.epoch],
    ['created', inspection.createdAt],
    ['events', inspection.storedEvents],
    ['bytes', inspection.storedBytes],
    ['acked below seq', inspection.ackedBelow],
    ['oldest seq', inspection.oldestSeq ?? '-'],
    ['newest seq', inspection.newestSeq ?? '-'],
    ['next seq', inspection.nextSeq],
    ['read_count', limits?.readCount ?? '-'],
    ['max_elements', limits?.maxElements ?? '-'],
    ['max_bytes', limits?.maxBytes ?? '-'],
    ['max_in_flight', limits?.maxInFlight ?? '-'],
  ];
  return rows.map(([name, value]) => `${name.padEnd(16)} ${value}`).join('\n');
}

export function registerWalCommand(program: Command): void {
  const wal = program.command('wal').description('Look at qos::wal stores');
  wal
    .command('inspect')
    .description('Print what a WAL directory holds (read-only): events, bytes, acked prefix, sequence range, epoch, limits')
    .argument('<dir>', 'the WAL directory (the operator\'s `dir`)')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, options: { json?: boolean }) => {
      const { WalStoreError } = await import('../../operators/qos/wal/store.ts');
      try {
        const inspection = await inspectWal(dir);
        process.stdout.write(`${options.json ? JSON.stringify(inspection) : render(inspection)}\n`);
      } catch (error) {
        if (!(error instanceof WalStoreError)) throw error;
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
