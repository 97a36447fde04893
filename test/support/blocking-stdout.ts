/**
 * Writes to stdout that are in the pipe when the call returns, for test children that report facts
 * and are then killed with SIGKILL. `process.stdout.write` is synchronous on a Linux pipe only while
 * the pipe has room: once the reading parent falls behind (a loaded CI machine), the rest waits in
 * the child's memory and dies with it, and the parent misses facts the child acted on (the crash test
 * once saw 40 deliveries "lost" that way). `fs.writeSync` on fd 1 goes to the kernel; when the fd is
 * non-blocking and the pipe is full it fails with EAGAIN, so this waits a millisecond and goes on.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeStdoutBlocking(text: string): void {
  let bytes = Buffer.from(text, 'utf8');
  while (bytes.length > 0) {
    try {
      const written = writeSync(1, bytes, 0, bytes.length);
      bytes = bytes.subarray(written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
