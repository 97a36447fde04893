/**
 * The module `rill server run`'s engine thread runs (bin/commands/server-thread.ts): the server,
 * with the options the main thread parsed, and none of the CLI.
 */
import { runServerInEngineThread } from './server.ts';

await runServerInEngineThread();
