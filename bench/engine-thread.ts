/**
 * Runs a benchmark part in a worker thread created as `rill server run` creates the thread that
 * runs its pipelines (engine/runtime/engine-heap.ts: a larger young generation), so that what the
 * bench measures is what rill runs. Every part of a comparison runs this way, the baselines too.
 *
 * The part is a function exported by a TypeScript module; the worker loads it through
 * engine-thread-entry.mjs, because a worker does not inherit the tsx loader of `npm run bench`.
 * With RILL_ENGINE_THREAD=0 (as for `rill server run`) the part runs in the calling thread, with
 * Node's default heap: the way to see what the engine thread's settings are worth.
 */
import { Worker } from 'node:worker_threads';
import { ENGINE_RESOURCE_LIMITS } from '../engine/runtime/engine-heap.ts';

/** What the worker is told to run: `exportName` of `moduleUrl`, called with `args`. */
export interface EngineThreadTask {
  moduleUrl: string;
  exportName: string;
  args: unknown[];
}

export async function inEngineThread<T>(moduleUrl: string, exportName: string, ...args: unknown[]): Promise<T> {
  if (process.env.RILL_ENGINE_THREAD === '0') {
    const module = (await import(moduleUrl)) as Record<string, (...args: unknown[]) => Promise<T>>;
    return module[exportName](...args);
  }
  const task: EngineThreadTask = { moduleUrl, exportName, args };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./engine-thread-entry.mjs', import.meta.url), { workerData: task, resourceLimits: ENGINE_RESOURCE_LIMITS });
    let settled = false;
    worker.once('message', (result: T) => {
      settled = true;
      resolve(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`${exportName} (engine thread) exited with ${code} before it reported`));
    });
  });
}
