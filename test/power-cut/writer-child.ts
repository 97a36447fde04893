/**
 * Child of undo-log.test.ts: a fixed sequence of writes, syncs and truncations under DIR (with the
 * shim preloaded), then it cuts its own power (SIGKILL). OUTSIDE_FILE is written too, outside the
 * tracked directory, and must not be logged.
 * Usage: node --import tsx test/power-cut/writer-child.ts DIR OUTSIDE_FILE
 * What is durable at the cut: data.bin = 10,000 bytes of "A" with "D" at 50..149 (an O_DSYNC write).
 */
import { closeSync, constants, fdatasyncSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [dir, outside] = process.argv.slice(2);
const file = openSync(join(dir, 'data.bin'), 'w+');
writeSync(file, Buffer.alloc(10_000, 'A'), 0, 10_000, 0);
fsyncSync(file);
writeSync(file, Buffer.alloc(5_000, 'B'), 0, 5_000, 2_000);
writeSync(file, Buffer.alloc(3_000, 'C'), 0, 3_000, 10_000);
const durable = openSync(join(dir, 'data.bin'), constants.O_WRONLY | constants.O_DSYNC);
writeSync(durable, Buffer.alloc(100, 'D'), 0, 100, 50);
closeSync(durable);
ftruncateSync(file, 12_500);
// Written after a sync of the other file only: still not durable.
const other = openSync(join(dir, 'other.bin'), 'w');
writeSync(other, Buffer.alloc(9_000, 'E'));
fdatasyncSync(other);
writeSync(other, Buffer.alloc(100, 'F'));
const notTracked = openSync(outside, 'w');
writeSync(notTracked, 'outside the tracked directory');
process.stdout.write('CUT\n', () => process.kill(process.pid, 'SIGKILL'));
