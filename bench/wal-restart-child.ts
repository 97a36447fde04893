/**
 * The child process of `npm run bench -- wal`'s restart part: `node --import tsx
 * bench/wal-restart-child.ts DIR BACKLOG` reopens the WAL in DIR in an engine thread (as `rill
 * server run` would), drains it and prints the figures as JSON.
 *
 * Its own file, importing nothing but engine-thread.ts, so that this process's main thread holds
 * no more than `rill server run`'s supervising thread does: peak memory is one of the figures.
 */
import { inEngineThread } from './engine-thread.ts';

const [dir, backlog] = process.argv.slice(2);
const figures = await inEngineThread<unknown>(new URL('./wal.ts', import.meta.url).href, 'restartChild', dir, Number(backlog));
process.stdout.write(JSON.stringify(figures));
