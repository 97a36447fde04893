#!/usr/bin/env node
// The `rill` command. rill is written in TypeScript with no build step: compiled-cache.mjs runs
// bin/cli.ts from an esbuild bundle it keeps up to date in node_modules/.cache/rill (faster to
// start), or through tsx's loader when it cannot. `rill server run`'s engine thread runs this
// launcher too, and is given server-engine (bin/commands/server-thread.ts says why).
import { fileURLToPath } from 'node:url';
import { startCli } from './compiled-cache.mjs';

await startCli({ root: fileURLToPath(new URL('..', import.meta.url)), workerEntries: { 'server-engine': 'bin/commands/server-engine.ts' } });
