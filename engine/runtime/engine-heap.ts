/**
 * The V8 heap settings of the thread that runs rill's pipelines (`rill server run` runs them in a
 * worker thread created with these limits; `npm run bench -- wal` measures in such a thread too).
 *
 * Why a larger young generation: a WAL at full speed keeps a few thousand events between their
 * arrival and their durable commit, and allocates a few kilobytes per event. With Node's default
 * young generation (16 MB semi-spaces) a scavenge runs every ~12 ms and copies all of those
 * in-flight events, then promotes them to the old generation, which then needs mark-compacts:
 * garbage collection took about a quarter of the WAL's time. Scavenging four times less often
 * lets most events die young; `npm run bench -- wal` measured +15% events/s with 192 MB.
 * The cost is memory: up to 192 MB more heap while the load lasts (the young generation only
 * grows under allocation pressure).
 *
 * A worker thread, not a `node --max-semi-space-size` flag: `node bin/rill.mjs` cannot change its
 * own heap flags, and re-executing itself with them would leave a child process that survives a
 * SIGKILL of its parent. A worker dies with the process.
 */
import type { ResourceLimits } from 'node:worker_threads';

export const ENGINE_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 192 };
