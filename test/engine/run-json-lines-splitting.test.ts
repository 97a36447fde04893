/**
 * How `rill run` cuts its input into lines, both ways it reads: `--in FILE` in the line reader's
 * batches (about 256 KB, cut and checked on its thread: connectors/line-reader.ts), and stdin in
 * read chunks (1 MB) decoded in pieces of about 64 KB cut at newlines. A real child process over a
 * file of a few megabytes, with lines longer than a piece, a batch and a chunk, CRLF endings,
 * blank and whitespace-only lines, spaces around a value, non-ASCII text, bytes that are not UTF-8
 * and integral floats, must write every event back exactly and number a bad line correctly however
 * the cuts fall, and the same from the file as from stdin.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RILL = join(import.meta.dirname, '../../bin/rill.mjs');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rill-run-lines-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** `rill run QUERY --in INPUT`, or (`viaStdin`) `rill run QUERY < INPUT`. */
function rillRun(queryPath: string, inputPath: string, viaStdin = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const stdin = viaStdin ? openSync(inputPath, 'r') : undefined;
    const args = viaStdin ? [RILL, 'run', queryPath] : [RILL, 'run', queryPath, '--in', inputPath];
    const child = spawn(process.execPath, args, { stdio: [stdin ?? 'ignore', 'pipe', 'pipe'] });
    if (stdin !== undefined) closeSync(stdin);
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (bytes: Buffer) => stdout.push(bytes));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
  });
}

describe('rill run line splitting', { timeout: 120_000 }, () => {
  it('writes every event of a multi-megabyte input back exactly, and numbers a bad line right', async () => {
    const events: string[] = [];
    const inputLines: string[] = [];
    let badLineNumber = 0;
    for (let n = 0; n < 6000; n++) {
      // Every 1000th line is longer than a decoded piece; line 3000 longer than a read chunk.
      const padding = n === 3000 ? 'p'.repeat(1_500_000) : n % 1000 === 7 ? 'q'.repeat(70_000 + n) : 'x'.repeat(n % 500);
      const text = n % 3 === 0 ? `é ${n} ☃` : `line ${n}`;
      const event = `{"n":${n},"f":${n}.0,"text":"${text}","padding":"${padding}"}`;
      events.push(event);
      inputLines.push(n % 5 === 0 ? `${event}\r` : event);
      if (n === 4321) {
        inputLines.push('{"not json"');
        badLineNumber = inputLines.length;
      }
      if (n % 700 === 0) inputLines.push('');
      if (n % 900 === 1) inputLines.push(' \t ');
    }
    // A value with spaces around it goes out without them; bytes that are not UTF-8 are decoded
    // with replacement characters, on either path.
    inputLines.push(`  {"n":"spaced"}  `);
    events.push('{"n":"spaced"}');
    // \u0001 marks the byte 0xE9 (é in Latin-1, never a whole UTF-8 character), set below.
    inputLines.push(`{"n":"latin1 \u0001"}`);
    events.push('{"n":"latin1 \ufffd"}');
    const inputPath = join(workDir, 'events.jsonl');
    const queryPath = join(workDir, 'passthrough.trickle');
    // No newline after the last line: it must still be read.
    const bytes = Buffer.from(inputLines.join('\n'));
    bytes[bytes.indexOf(1)] = 0xe9;
    await writeFile(inputPath, bytes);
    await writeFile(queryPath, 'select event from in into out;\n');

    for (const viaStdin of [false, true]) {
      const result = await rillRun(queryPath, inputPath, viaStdin);

      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`^rill run: line ${badLineNumber}: invalid JSON`, 'm'));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe(`${events.join('\n')}\n`);
    }
  });
});
