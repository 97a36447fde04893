/**
 * The baseline server of `npm run bench -- troy`: a write-ahead log that makes each event durable
 * on its own before taking the next, as Tremor's qwal does (its `push` fsyncs every entry).
 *
 * `node --import tsx bench/sync-per-event-server.ts PORT LOG OUT` listens on 127.0.0.1:PORT and,
 * for every `\n`-terminated line a client sends: parses it as JSON (as rill's json codec does; a
 * line that is not JSON ends the process with an error), appends it to LOG, fdatasyncs LOG, then
 * appends it to OUT without syncing (as rill's file sink does). All of it synchronously, so the
 * next line is read only once the previous one is on disk; the socket's kernel buffer holds the
 * client back meanwhile. Runs until SIGTERM.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';

const [port, logPath, outPath] = process.argv.slice(2);
const log = openSync(logPath, 'a');
const out = openSync(outPath, 'a');

const server = createServer((socket) => {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      JSON.parse(line);
      writeSync(log, `${line}\n`);
      fdatasyncSync(log);
      writeSync(out, `${line}\n`);
    }
  });
});
server.listen({ host: '127.0.0.1', port: Number(port) });
process.on('SIGTERM', () => {
  server.close();
  closeSync(log);
  closeSync(out);
  process.exit(0);
});
