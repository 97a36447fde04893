// A preload that samples what the main thread allocates, short-lived objects included, and writes
// the profile when the process exits:
//
//   RILL_ALLOCATION_PROFILE=/tmp/run.heapprofile RILL_ENGINE_THREAD=0 \
//     node --import ./bench/allocation-sampler.mjs bin/rill.mjs server run ...
//   node --import tsx bench/allocation-profile.ts /tmp/run.heapprofile [--top=N] [--stacks=FUNCTION]
//
// Why not `node --heap-prof`: its samples are of objects still alive when the profile is taken, and
// the garbage of a stream (an event's objects, dead a few milliseconds later) is what costs the
// scavenges. V8's sampling heap profiler keeps collected objects when asked to
// (includeObjectsCollectedByMinorGC/MajorGC), which only the inspector protocol can ask.
// RILL_ENGINE_THREAD=0 keeps `rill server run`'s pipelines on the main thread, where this samples.
// Plain JavaScript: a preload of `bin/rill.mjs` loads without tsx.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const output = process.env.RILL_ALLOCATION_PROFILE;
if (output === undefined || output === '') {
  process.stderr.write('allocation-sampler: set RILL_ALLOCATION_PROFILE to the file to write\n');
} else {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  // One sample per 4 KiB allocated on average: fine enough to rank functions, cheap enough to run.
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true }, (error) => {
    if (error) process.stderr.write(`allocation-sampler: ${error.message}\n`);
  });
  // The inspector session answers synchronously on the main thread, so the profile is written
  // before the process is gone (also after SIGTERM: rill exits through process.exit).
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) process.stderr.write(`allocation-sampler: ${error.message}\n`);
      else writeFileSync(output, JSON.stringify(result.profile));
    });
  });
}
