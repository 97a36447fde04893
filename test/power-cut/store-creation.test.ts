/**
 * A power cut while a new WAL store is being created (the gap the power-cut harness found: a cut
 * before LMDB's first fdatasync left an empty or torn data.mdb that rill then refused as damaged).
 * A child opens a fresh store under the undo-log shim and is cut at its 1st, 2nd, ... sync; the
 * unsynced writes are thrown away (all, or torn page subsets); the store must then open, and once
 * opened stay a valid store.
 */
import { spawn } from 'node:child_process';
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { WalStore } from '../../operators/qos/wal/store.ts';
import { temporaryDirectory } from '../wal/harness.ts';
import { buildShim } from './build-shim.ts';
import { applyPowerCut, readUndoLog } from './undo-log.ts';

const OPEN_CHILD = fileURLToPath(new URL('../wal/open-store-child.ts', import.meta.url));
/** Syncs at which to cut: store creation makes a handful (LMDB's first commit, the directory). */
const CUT_AT_SYNCS = [1, 2, 3, 4];

let shim: string;
beforeAll(() => {
  shim = buildShim();
});

function openUnderShim(walDir: string, base: string, log: string, atSync: number): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', OPEN_CHILD, walDir], {
      env: { ...process.env, LD_PRELOAD: shim, RILL_POWER_CUT_DIR: base, RILL_POWER_CUT_LOG: log, RILL_POWER_CUT_AT_SYNC: String(atSync) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ stdout, signal }));
  });
}

describe('a power cut while a WAL store is created', () => {
  for (const atSync of CUT_AT_SYNCS) {
    for (const keep of [0, 0.5]) {
      it(`cut at sync ${atSync}, ${keep === 0 ? 'all unsynced writes lost' : 'torn pages kept'}: the store opens afterwards`, { timeout: 60_000 }, async () => {
        const base = realpathSync(temporaryDirectory('rill-power-cut-create-'));
        try {
          const walDir = join(base, 'wal');
          const log = join(base, 'undo.log');
          const cut = await openUnderShim(walDir, base, log, atSync);
          if (cut.signal === 'SIGKILL') applyPowerCut(readUndoLog(log), keep, Math.random);
          else expect(cut.stdout, 'the child finished before that sync: it must have opened the store').toBe('OPENED\n');
          const store = await WalStore.open(walDir);
          expect(store.storedEvents).toBe(0);
          expect(store.epoch).toMatch(/^[0-9a-f]{32}$/);
          await store.close();
          // And again: what the open left is a complete store.
          await (await WalStore.open(walDir)).close();
        } finally {
          rmSync(base, { recursive: true, force: true });
        }
      });
    }
  }
});
