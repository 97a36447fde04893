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
 * Why 64 MB: `npm run bench -- wal` (events/s through the WAL, and the peak memory of draining a
 * 1,000,000-event backlog), in runs that alternated the settings:
 *   main thread, default heap      ~270-310k events/s    132 MB
 *   worker, 48 MB (the default)    ~280-310k             -
 *   worker, 64 MB                  ~357-377k             194 MB
 *   worker, 128 MB                 ~370k                 237 MB
 *   worker, 192 MB                 ~320-440k             241-252 MB
 * 64 MB gives most of the gain; more adds little and takes the drain past the 250 MB the WAL
 * promises (the young generation fills up to its limit while a backlog is read back and parsed).
 * The worker thread itself costs ~50 MB (a second V8 isolate, the modules loaded again).
 *
 * A worker thread, not a `node --max-semi-space-size` flag: `node bin/rill.mjs` cannot change its
 * own heap flags, and re-executing itself with them would leave a child process that survives a
 * SIGKILL of its parent. A worker dies with the process.
 */
import type { ResourceLimits } from 'node:worker_threads';

export const ENGINE_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 64 };
