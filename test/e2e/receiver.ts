/**
 * A WebSocket receiver for the end-to-end tests, run as its own process:
 *   node --import tsx test/e2e/receiver.ts PORT MESSAGES_FILE
 * Appends every message to MESSAGES_FILE as one line (synchronously, so a SIGKILL loses nothing it
 * has read), and appends `open` / `close` to MESSAGES_FILE.connections for every connection.
 * After recording a message it replies `{"ack": N}` (N = messages recorded on this connection), the
 * protocol of the ws offramp's `ack_replies`; a ws offramp without `ack_replies` ignores replies.
 * Prints `listening` once it accepts connections.
 */
import { appendFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';

const [portText, messagesFile] = process.argv.slice(2);
if (portText === undefined || messagesFile === undefined) {
  process.stderr.write('usage: receiver.ts PORT MESSAGES_FILE\n');
  process.exit(2);
}

const server = new WebSocketServer({ host: '127.0.0.1', port: Number(portText) });
server.on('listening', () => process.stdout.write('listening\n'));
server.on('connection', (socket) => {
  appendFileSync(`${messagesFile}.connections`, 'open\n');
  let recorded = 0;
  socket.on('message', (data) => {
    appendFileSync(messagesFile, `${data.toString()}\n`);
    recorded++;
    socket.send(JSON.stringify({ ack: recorded }));
  });
  socket.on('close', () => appendFileSync(`${messagesFile}.connections`, 'close\n'));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
