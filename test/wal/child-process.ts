/**
 * Runs a TypeScript script (or `rill`) as a real child process with a deadline, for WAL tests whose
 * failure mode could be a hang or a crash: the test then fails with what the child printed instead
 * of hanging the test worker. Optionally under a soft file-size limit (`ulimit -S -f`, in KiB),
 * which makes LMDB's writes past that size fail with EFBIG, as on a full disk; `liftFileSizeLimit`
 * frees the space again by raising the running child's limit (`prlimit`, util-linux).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ChildRun {
  child: ChildProcessWithoutNullStreams;
  /** Every complete stdout line, in order, as it arrives. */
  onLine(listener: (line: string) => void): void;
  /** Resolves when the child has exited (killed with SIGKILL once `deadlineMs` has passed). */
  exited: Promise<ChildExit>;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ChildOptions {
  deadlineMs: number;
  fileSizeLimitKiB?: number;
  /** Run under this command, e.g. `setpriv --reuid=nobody ...` to run as another user. */
  commandPrefix?: string[];
}

/** `node --import tsx script ...args` (or `node script ...` for a .mjs), as a child. */
export function runScript(script: string, args: string[], options: ChildOptions): ChildRun {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const command = [...(options.commandPrefix ?? []), process.execPath, ...loader, script, ...args];
  // bash sets the limit for itself, then exec's node, which inherits it.
  const child =
    options.fileSizeLimitKiB === undefined
      ? spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -S -f ${options.fileSizeLimitKiB} && exec "$@"`, 'bash', ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
  const listeners: ((line: string) => void)[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.deadlineMs);
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { child, onLine: (listener) => listeners.push(listener), exited };
}

/** Frees the "disk": raises the running child's file-size limit. Throws with prlimit's reason if it cannot. */
export function liftFileSizeLimit(pid: number): void {
  const lifted = spawnSync('prlimit', ['--pid', String(pid), '--fsize=unlimited'], { encoding: 'utf8' });
  if (lifted.status !== 0) throw new Error(`prlimit --pid ${pid} --fsize=unlimited failed: ${lifted.error?.message ?? lifted.stderr}`);
}
