/**
 * DescriptorWriter over a real non-blocking pipe (a FIFO opened with O_NONBLOCK, the mode libuv
 * leaves stdout's pipe in) whose reader, a real `cat` process, is stopped with SIGSTOP until the
 * pipe is full, then continued with SIGCONT or killed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescriptorWriter } from '../../connectors/descriptor-writer.ts';
import { sleep, waitFor } from '../support/waiting.ts';

/** Linux's bound on a pipe's buffer for an unprivileged process (fcntl F_SETPIPE_SZ). */
const PIPE_MAX_SIZE = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8'));
const O_NONBLOCK_FLAG = 0o4000;

let dir: string;
let reader: ChildProcess | undefined;
let fd: number | undefined;

afterEach(() => {
  reader?.kill('SIGKILL');
  if (fd !== undefined) closeSync(fd);
  fd = undefined;
  reader = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A FIFO read by a `cat` that is stopped right away, and its write end opened non-blocking. */
async function stoppedReader(): Promise<{ cat: ChildProcess; received: Buffer[]; fd: number }> {
  dir = mkdtempSync(join(tmpdir(), 'rill-descriptor-writer-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  reader = cat;
  const received: Buffer[] = [];
  cat.stdout!.on('data', (chunk: Buffer) => received.push(chunk));
  // A non-blocking open for writing fails with ENXIO until the reader has opened its end.
  let writeEnd: number | undefined;
  await waitFor(() => {
    try {
      writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      return false;
    }
  }, 'cat to open the fifo');
  fd = writeEnd!;
  cat.kill('SIGSTOP');
  return { cat, received, fd: writeEnd! };
}

function isNonBlocking(descriptor: number): boolean {
  const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${descriptor}`, 'utf8'))![1];
  return (parseInt(flags, 8) & O_NONBLOCK_FLAG) !== 0;
}

/** Waits until `value()` has not changed for `quietMs`. */
async function settle(value: () => number, quietMs: number): Promise<void> {
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await sleep(50);
    if (value() !== last) {
      last = value();
      since = Date.now();
    }
  }
}

describe('DescriptorWriter', () => {
  it('over a full non-blocking pipe: holds the callbacks of what the pipe has not taken, signals backpressure, then delivers every byte in order', async () => {
    const { cat, received, fd: writeEnd } = await stoppedReader();
    expect(isNonBlocking(writeEnd)).toBe(true);
    const writer = new DescriptorWriter(writeEnd, { name: 'the test fifo', highWaterMark: 16 * 1024 });
    let drains = 0;
    writer.on('drain', () => drains++);

    // 40,000 numbered lines of 100 bytes: 4 MB, many times a pipe's buffer.
    const lines = Array.from({ length: 40_000 }, (_, n) => `${String(n).padStart(8, '0')} ${'x'.repeat(90)}\n`);
    const total = lines.length * lines[0].length;
    let ackedBytes = 0;
    let ackedLines = 0;
    const errors: Error[] = [];
    const refused = lines.filter(
      (line, n) =>
        !writer.write(line, (error) => {
          if (error) errors.push(error);
          // Callbacks come in write order, so the acked lines are always the first ones.
          expect(n).toBe(ackedLines);
          ackedLines++;
          ackedBytes += line.length;
        }),
    ).length;
    expect(refused, 'write() returned false once past the highWaterMark').toBeGreaterThan(0);

    const cpuBefore = process.cpuUsage();
    const wallBefore = Date.now();
    await settle(() => ackedBytes, 500);
    const cpu = process.cpuUsage(cpuBefore);
    // The pipe is full: what was acked is what it holds, and the rest waits.
    expect(ackedBytes).toBeGreaterThan(0);
    expect(ackedBytes).toBeLessThanOrEqual(PIPE_MAX_SIZE);
    expect(ackedLines).toBeLessThan(lines.length);
    expect(drains).toBe(0);
    expect(received.length, 'the stopped cat passed nothing on').toBe(0);
    // Retrying on EAGAIN sleeps between attempts; a busy loop would take a whole core.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan((Date.now() - wallBefore) * 0.5);

    cat.kill('SIGCONT');
    await waitFor(() => ackedLines === lines.length, 'every write to be called back');
    expect(errors).toEqual([]);
    expect(drains).toBeGreaterThan(0);
    await new Promise<void>((resolve) => writer.end(resolve));
    closeSync(writeEnd);
    fd = undefined;
    await new Promise((resolve) => cat.on('close', resolve));
    const output = Buffer.concat(received);
    expect(output.length).toBe(total);
    expect(output.toString() === lines.join(''), 'every line arrived complete and in order').toBe(true);
  });

  it('fails the pending writes with EPIPE when the reader goes away, and ends without hanging', async () => {
    const { cat, fd: writeEnd } = await stoppedReader();
    const writer = new DescriptorWriter(writeEnd, { name: 'the test fifo' });
    const streamErrors: Error[] = [];
    writer.on('error', (error) => streamErrors.push(error));
    const outcomes: Array<'ok' | NodeJS.ErrnoException> = [];
    const line = `${'y'.repeat(1023)}\n`;
    // 1 MB: more than the pipe holds, so writes are still pending when cat dies.
    for (let n = 0; n < 1024; n++) writer.write(line, (error) => outcomes.push(error ?? 'ok'));
    await settle(() => outcomes.length, 300);
    expect(outcomes.length).toBeLessThan(1024);

    cat.kill('SIGKILL');
    await waitFor(() => outcomes.length === 1024, 'every write to be called back');
    const failures = outcomes.filter((outcome): outcome is NodeJS.ErrnoException => outcome !== 'ok');
    expect(failures.length).toBeGreaterThan(0);
    // The write the OS refused fails with EPIPE, naming the descriptor; those queued behind it with the same error.
    expect(failures[0].code).toBe('EPIPE');
    expect(failures[0].message).toContain('cannot write to the test fifo');
    expect(outcomes.indexOf('ok', outcomes.indexOf(failures[0])), 'no write succeeds after the first failure').toBe(-1);
    expect(streamErrors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['EPIPE']);

    // Later writes fail at once, and ending does not wait for anything.
    const late = await new Promise<Error | null | undefined>((resolve) => writer.write('late\n', resolve));
    expect(late).toBeInstanceOf(Error);
    await new Promise<void>((resolve) => writer.end(() => resolve()));
  });
});
