/**
 * `rill receive ws [--host H] [--port P]`: a standalone WebSocket receiver that prints every message
 * it gets, one per line on stdout, as `websocat -s 8080` does in the Tremor recipe, and replies
 * `{"ack": N}` after printing each (the ws offramp's `ack_replies` protocol). Run it in its own
 * terminal to watch guaranteed delivery: stop it and rill's WAL stores what it cannot send; start it
 * again and the backlog arrives.
 */
import type { Command } from 'commander';

interface ReceiveWsOptions {
  host: string;
  port: string;
}

const HELP = `
Each message is printed as it arrived (text frames as they are, binary frames as UTF-8), then
acknowledged with {"ack": N}: N counts the messages of this connection, so a ws offramp with
ack_replies = true acks its WAL only for what this receiver printed. Stops on SIGINT or SIGTERM.

Example (with npm start or rill server run in another terminal):
  rill receive ws --port 8080`;

export function registerReceiveCommand(program: Command): void {
  const receive = program.command('receive').description('Run a receiver that prints what it gets (for trying out offramps)');
  receive
    .command('ws')
    .description('Listen for WebSocket connections and print every message received, one per line')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on', '8080')
    .addHelpText('after', HELP)
    .action(async (options: ReceiveWsOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        process.stderr.write(`rill receive ws: --port must be an integer from 1 to 65535, got ${JSON.stringify(options.port)}\n`);
        process.exitCode = 1;
        return;
      }
      const { startPrintingReceiver } = await import('../../engine/runtime/embedded-receiver.ts');
      let server: Awaited<ReturnType<typeof startPrintingReceiver>>;
      try {
        server = await startPrintingReceiver(options.host, port, (message) => void process.stdout.write(`${message}\n`));
      } catch (error) {
        process.stderr.write(`rill receive ws: cannot listen on ${options.host}:${port}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`rill receive ws: listening on ws://${options.host}:${port}/, printing each message received\n`);
      server.on('connection', (socket, request) => {
        const peer = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
        process.stderr.write(`rill receive ws: ${peer} connected\n`);
        socket.on('close', () => void process.stderr.write(`rill receive ws: ${peer} disconnected\n`));
      });
      const stop = (): void => {
        for (const client of server.clients) client.terminate();
        server.close(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
