/**
 * Disk full, for real: a child process (disk-full-child.ts) runs in -> qos::wal (dir) -> out under
 * a soft file-size limit (`ulimit -S -f`), so LMDB's data file stops growing at 1 MiB and its
 * writes fail (EFBIG), as on a full disk. Once the child reports the WAL full, the parent frees
 * the space by lifting the limit of the running child (`prlimit --fsize=unlimited`, util-linux).
 * Checks: no crash (an unhandled lmdb-js promise rejection would kill Node 20), a trigger
 * upstream, a fail for every transactional event the WAL could not store (and one sent while
 * full), no event both acked and failed, nothing acked and lost; after the space comes back the WAL
 * restores, acks the re-sent and new events and delivers them, and once everything is acked
 * downstream no record is left (deletions refused while full were retried).
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './harness.ts';

const CHILD = fileURLToPath(new URL('./disk-full-child.ts', import.meta.url));
const FILE_SIZE_LIMIT_KIB = 1024;

interface FullReport {
  sent: number;
  acked: number[];
  failed: number[];
  triggers: number;
  delivered: number[];
}

interface RecoveredReport {
  resent: number[];
  newEvents: number[];
  acked: number[];
  delivered: number[];
  failedAgain: number[];
  restores: number;
  storedAfterDrain: number;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  full?: FullReport;
  recovered?: RecoveredReport;
}

function runUnderFileSizeLimit(walDir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const command = `ulimit -S -f ${FILE_SIZE_LIMIT_KIB} && exec "$0" --import tsx "$1" "$2"`;
    const child = spawn('bash', ['-c', command, process.execPath, CHILD, walDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    const result: ChildResult = { code: null, signal: null, stderr: '' };
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (result.stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      let newline: number;
      while ((newline = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line.startsWith('FULL ')) {
          result.full = JSON.parse(line.slice(5)) as FullReport;
          // Free the space: lift the running child's file-size limit, then tell it.
          const lifted = spawnSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited'], { encoding: 'utf8' });
          if (lifted.status !== 0) {
            child.kill('SIGKILL');
            reject(new Error(`prlimit failed: ${lifted.error?.message ?? lifted.stderr}`));
            return;
          }
          child.stdin.write('FREED\n');
        } else if (line.startsWith('RECOVERED ')) {
          result.recovered = JSON.parse(line.slice(10)) as RecoveredReport;
        }
      }
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ ...result, code, signal });
    });
  });
}

describe('qos::wal on a full disk (real file-size limit)', () => {
  it('triggers and fails instead of crashing, and recovers once space is freed', async () => {
    const base = temporaryDirectory();
    try {
      const result = await runUnderFileSizeLimit(join(base, 'wal'));
      expect(result.stderr).not.toMatch(/unhandled|ERR_UNHANDLED_REJECTION/i);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });

      const full = result.full as FullReport;
      expect(full.triggers).toBeGreaterThanOrEqual(1);
      expect(full.acked.length).toBeGreaterThan(0);
      expect(full.failed.length).toBeGreaterThan(0);
      // The event sent while full (the last one) was refused at once.
      expect(full.failed).toContain(full.sent - 1);
      expect(full.acked.filter((n) => full.failed.includes(n))).toEqual([]);
      expect(full.acked.length + full.failed.length).toBe(full.sent);
      // Refused events were never stored, so never delivered; stored ones were.
      expect(full.delivered.filter((n) => full.failed.includes(n))).toEqual([]);

      const recovered = result.recovered as RecoveredReport;
      expect(recovered.restores).toBeGreaterThanOrEqual(1);
      expect(recovered.resent.sort((a, b) => a - b)).toEqual([...full.failed].sort((a, b) => a - b));
      expect(recovered.failedAgain).toEqual([]);
      const acked = new Set(recovered.acked);
      const delivered = new Set(recovered.delivered);
      for (const n of [...recovered.resent, ...recovered.newEvents]) expect(acked.has(n) && delivered.has(n), `event ${n} acked and delivered`).toBe(true);
      expect(recovered.acked.filter((n) => !delivered.has(n)), 'acked upstream but never delivered').toEqual([]);
      expect(recovered.storedAfterDrain, 'records left after every event was acked downstream').toBe(0);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});
