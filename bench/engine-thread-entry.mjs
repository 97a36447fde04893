// The worker side of engine-thread.ts: registers tsx (a worker does not inherit the loader of the
// thread that created it), runs the task's function and posts its result.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { moduleUrl, exportName, args } = workerData;
const module = await import(moduleUrl);
parentPort.postMessage(await module[exportName](...args));
