/**
 * The module `rill server run`'s engine thread runs (bin/commands/server-thread.ts): the server,
 * with the options the main thread parsed, and none of the CLI.
 */
import { runServerInEngineThread } from './server.ts';

// Not awaited at the top level: this module is bundled as CommonJS (bin/compiled-cache.mjs). A
// rejection is unhandled and ends the thread with that error, which the supervisor reports.
void runServerInEngineThread();
