/**
 * Imported before the CLI by bin/compiled-cache.mjs (an early entry of bin/rill.mjs): for
 * `rill server run`, starts the engine thread while the main thread loads the CLI and parses the
 * arguments (bin/commands/server-thread.ts says why). Every other command, and `--help`, starts
 * nothing here.
 */
import { isMainThread } from 'node:worker_threads';
import { prestartEngineThread } from './server-thread.ts';

const [command, subcommand, ...rest] = process.argv.slice(2);
if (isMainThread && command === 'server' && subcommand === 'run' && !rest.some((arg) => arg === '-h' || arg === '--help')) prestartEngineThread();
