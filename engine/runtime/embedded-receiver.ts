/**
 * `--embedded-receiver`: when nothing listens on a ws offramp's URL, rill starts a WebSocket
 * server there itself and prints every message it receives, one per line, as `websocat -s 8080`
 * would. It makes `npm start` show the seed working on a machine with nothing else installed.
 * After each message it has printed it replies `{"ack": N}` (N = messages received on this
 * connection so far), the protocol of the ws offramp's `ack_replies`; a ws offramp without
 * `ack_replies` ignores replies.
 */
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EmbeddedReceivers {
  /** The URLs a receiver was started for. */
  readonly urls: string[];
  close(): Promise<void>;
}

export async function startEmbeddedReceivers(
  urls: string[],
  print: (message: string) => void,
  log: (message: string) => void,
): Promise<EmbeddedReceivers> {
  const servers: WebSocketServer[] = [];
  const started: string[] = [];
  const seen = new Set<string>();
  for (const url of urls) {
    const { hostname, port, protocol } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '');
    const portNumber = Number(port || (protocol === 'wss:' ? 443 : 80));
    const key = `${host}:${portNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (protocol !== 'ws:') {
      log(`--embedded-receiver: cannot serve ${url} (only ws:// URLs), skipped`);
      continue;
    }
    if (await isListening(host, portNumber)) continue;
    const server = await startPrintingReceiver(host, portNumber, print);
    log(`nothing listened on ${url}: started an embedded receiver there that prints each message it receives`);
    servers.push(server);
    started.push(url);
  }
  return {
    urls: started,
    async close() {
      for (const server of servers) {
        for (const client of server.clients) client.terminate();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/**
 * A WebSocket server on host:port that prints every message it receives (text as it is, binary
 * frames as UTF-8) and replies `{"ack": N}` after printing it, N counting this connection's
 * messages: what `--embedded-receiver` starts, and `rill receive ws` (bin/commands/receive.ts).
 * Rejects if the port cannot be bound (in use, not permitted).
 */
export async function startPrintingReceiver(host: string, port: number, print: (message: string) => void): Promise<WebSocketServer> {
  const server = new WebSocketServer({ host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) => {
    let received = 0;
    socket.on('message', (data, isBinary) => {
      print(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      received++;
      socket.send(JSON.stringify({ ack: received }));
    });
  });
  return server;
}

function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean): void => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
