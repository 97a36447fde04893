/**
 * `rill wal inspect DIR [--json] [--verify]`: what a `qos::wal` store holds, read-only (the
 * environment is opened read-only and nothing in DIR is changed; it needs no WAL lock, so it works
 * while rill runs). `--verify` also reads every record and checks its checksum and that it decodes,
 * and lists the damaged ones (stored, or already set aside by the WAL) by sequence number; exit
 * status 1 if there is any.
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
  /** Damaged records the WAL set aside (kept in the store's `damaged` database). */
  damagedEvents: number;
  limits: { readCount: number; maxElements?: number; maxBytes?: number; maxInFlight?: number } | null;
}

/** Async only because the store (and lmdb) is loaded on first use, not with every `rill` start. */
export async function inspectWal(dir: string, verify = false): Promise<WalInspection & { verification?: WalVerification }> {
  const { WalStore } = await import('../../operators/qos/wal/store.ts');
  const { DamagedRecordError, decodeRecord } = await import('../../operators/qos/wal/record.ts');
  const store = await WalStore.openReadOnly(dir);
  const check = (where: DamagedRecord['where'], records: Iterable<{ seq: number; bytes: Buffer }>, verification: WalVerification) => {
    for (const { seq, bytes } of records) {
      verification.checkedRecords++;
      try {
        decodeRecord(bytes);
      } catch (error) {
        if (!(error instanceof DamagedRecordError)) throw error;
        verification.damaged.push({ seq, where, reason: error.message });
      }
    }
  };
  try {
    const bounds = store.bounds();
    let verification: WalVerification | undefined;
    if (verify) {
      verification = { checkedRecords: 0, damaged: [] };
      check('stored', store.allRecords(), verification);
      check('set aside', store.damagedRecords(), verification);
    }
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
      damagedEvents: store.damagedEvents,
      limits: store.storedLimits() ?? null,
      ...(verification ? { verification } : {}),
    };
  } finally {
    void store.close();
  }
}

export interface DamagedRecord {
  seq: number;
  /** `stored`: still among the events (not read by a WAL since it was damaged); `set aside`: moved out by the WAL. */
  where: 'stored' | 'set aside';
  reason: string;
}

export interface WalVerification {
  checkedRecords: number;
  damaged: DamagedRecord[];
}

function render(inspection: WalInspection & { verification?: WalVerification }): string {
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
    ['damaged', inspection.damagedEvents],
    ['read_count', limits?.readCount ?? '-'],
    ['max_elements', limits?.maxElements ?? '-'],
    ['max_bytes', limits?.maxBytes ?? '-'],
    ['max_in_flight', limits?.maxInFlight ?? '-'],
  ];
  const lines = rows.map(([name, value]) => `${name.padEnd(16)} ${value}`);
  const verification = inspection.verification;
  if (verification) {
    lines.push(`verified         ${verification.checkedRecords} records, ${verification.damaged.length} damaged`);
    for (const { seq, where, reason } of verification.damaged) lines.push(`damaged seq ${seq} (${where}): ${reason}`);
  }
  return lines.join('\n');
}

export function registerWalCommand(program: Command): void {
  const wal = program.command('wal').description('Look at qos::wal stores');
  wal
    .command('inspect')
    .description('Print what a WAL directory holds (read-only): events, bytes, acked prefix, sequence range, epoch, limits')
    .argument('<dir>', 'the WAL directory (the operator\'s `dir`)')
    .option('--json', 'print one JSON object')
    .option('--verify', 'read every record, check its checksum, list damaged ones by sequence number (exit 1 if any)')
    .action(async (dir: string, options: { json?: boolean; verify?: boolean }) => {
      const { WalStoreError } = await import('../../operators/qos/wal/store.ts');
      try {
        const inspection = await inspectWal(dir, options.verify === true);
        process.stdout.write(`${options.json ? JSON.stringify(inspection) : render(inspection)}\n`);
        if ((inspection.verification?.damaged.length ?? 0) > 0) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof WalStoreError)) throw error;
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
