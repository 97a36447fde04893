/**
 * Helpers for the end-to-end tests: free ports, the rill engine and the receiver as real child
 * processes, waiting on conditions, reading what the receiver got.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, sleep, waitFor } from '../support/waiting.ts';

export { freePort, sleep, waitFor };

const root = join(import.meta.dirname, '..', '..');

/** A child process whose stdout and stderr are collected as text. */
export class Child {
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined = undefined;
  signal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;

  constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      process.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        resolve();
      }),
    );
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.process.kill(signal);
    await this.exited;
  }
}

const children = new Set<Child>();

function track(child: Child): Child {
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

/** SIGKILLs every child still running (afterEach/afterAll). */
export async function killAll(): Promise<void> {
  for (const child of [...children]) await child.kill('SIGKILL');
}

export function startEngine(args: string[]): Child {
  return track(new Child(spawn(process.execPath, [join(root, 'bin', 'rill.mjs'), 'server', 'run', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })));
}

export async function startReceiver(port: number, messagesFile: string): Promise<Child> {
  const child = track(
    new Child(spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'e2e', 'receiver.ts'), String(port), messagesFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })),
  );
  await waitFor(() => child.stdout.includes('listening') || !child.running, 'the receiver to listen');
  if (!child.running) throw new Error(`receiver exited: ${child.stderr}`);
  return child;
}

export interface Received {
  id: number;
  run?: number;
  ingest_ns: number;
}

/** The messages the receiver has recorded so far: complete lines only (it may be writing one). */
export function readReceived(messagesFile: string): Received[] {
  if (!existsSync(messagesFile)) return [];
  const text = readFileSync(messagesFile, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Received);
}

/** `open`/`close` lines the receiver wrote: how many connections it got and the most open at once. */
export function readConnections(messagesFile: string): { total: number; maxOpen: number } {
  const file = `${messagesFile}.connections`;
  if (!existsSync(file)) return { total: 0, maxOpen: 0 };
  let open = 0;
  let maxOpen = 0;
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === 'open') {
      total++;
      maxOpen = Math.max(maxOpen, ++open);
    } else if (line === 'close') open--;
  }
  return { total, maxOpen };
}
