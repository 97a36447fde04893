#!/usr/bin/env node
// The `rill` command. rill is written in TypeScript with no build step: compiled-cache.mjs runs
// bin/cli.ts from an esbuild bundle it keeps up to date in node_modules/.cache/rill (faster to
// start), or through tsx's loader when it cannot. `rill server run`'s engine thread runs this
// launcher too, and is given server-engine (bin/commands/server-thread.ts says why); the early
// entry server-prestart starts that thread before the CLI is loaded.
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { startCli } from './compiled-cache.mjs';

// `rill server run` stops cleanly on SIGINT and SIGTERM, but it listens for them only once its
// command runs, a few hundred milliseconds after the process starts. A signal before that would
// kill it by the signal's default action; it is kept instead, and the command shuts down at once
// when it starts listening (bin/commands/server.ts, listenForStopSignals).
if (isMainThread && process.argv[2] === 'server' && process.argv[3] === 'run') {
  const keep = (signal) => (globalThis.rillEarlyStopSignal ??= signal);
  process.on('SIGINT', keep);
  process.on('SIGTERM', keep);
  globalThis.rillForgetEarlyStopSignals = () => {
    process.off('SIGINT', keep);
    process.off('SIGTERM', keep);
  };
}

await startCli({
  root: fileURLToPath(new URL('..', import.meta.url)),
  workerEntries: { 'server-engine': 'bin/commands/server-engine.ts' },
  earlyEntries: { 'server-prestart': 'bin/commands/server-prestart.ts' },
});
