/**
 * The V8 heap settings of the thread that runs rill's pipelines (`rill server run` runs them in a
 * worker thread created with these limits; `npm run bench -- wal` measures in such a thread too).
 *
 * Why a larger young generation: a WAL at full speed keeps a few thousand events between their
 * arrival and their durable commit, and allocates a couple of kilobytes per event. With Node's
 * default young generation (48 MB: 16 MB semi-spaces) a scavenge runs every few milliseconds and
 * copies all of those in-flight events, then promotes them to the old generation, which then needs
 * mark-compacts: garbage collection took about a quarter of the WAL's time.
 *
 * Why 64 MB: `npm run bench -- wal --backlog=10000` (the WAL against raw LMDB, medians of five
 * rounds, runs alternating the settings) and the full bench's peak memory draining a
 * 1,000,000-event backlog:
 *   main thread, default heap      ratio 0.49-0.55      127 MB
 *   worker, 48 MB (the default)    0.47-0.48            -
 *   worker, 64 MB                  0.50-0.59            181-188 MB
 *   worker, 128 MB                 0.55-0.57            237 MB
 *   worker, 192 MB                 -                    241-252 MB
 * so about +10% events/s for about 60 MB: the worker itself (a second V8 isolate, the modules
 * loaded again) is most of that memory. Larger young generations add little speed and take the
 * drain past the 250 MB the WAL promises (the young generation fills up to its limit while a
 * backlog is read back and parsed).
 *
 * A worker thread, not a `node --max-semi-space-size` flag: `node bin/rill.mjs` cannot change its
 * own heap flags, and re-executing itself with them would leave a child process that survives a
 * SIGKILL of its parent. A worker dies with the process.
 */
import type { ResourceLimits } from 'node:worker_threads';

export const ENGINE_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 64 };
