/**
 * The engine thread of `rill server run`: the main thread (the supervisor) starts a worker thread
 * with the larger young generation of ENGINE_RESOURCE_LIMITS (engine/runtime/engine-heap.ts says
 * why) and the worker runs the pipelines. A worker, unlike a re-executed child process, dies with
 * the process, so a SIGKILL of the pid `rill server run` prints still kills the whole engine.
 *
 * The worker's entry is the launcher the process was started with (`process.argv[1]`, normally
 * bin/rill.mjs), as only the launcher works the same whether the CLI runs from an esbuild bundle or
 * through tsx's loader. workerData names the module the launcher then runs in the worker
 * (bin/compiled-cache.mjs): bin/commands/server-engine.ts, bundled as a CommonJS file of its own
 * with a V8 code cache (`server-engine.cjs` beside the chunk this module is bundled into, so found
 * from `import.meta.url`), or that source file when this module runs from source. The worker therefore
 * neither checks the bundle's freshness again nor loads the CLI and parses the arguments again
 * (~25 ms of every start, on the path to the first event): the main thread hands it the parsed
 * options. Its `process.argv` is still `[node, launcher, ...argv]`, as in the main thread.
 *
 * Prestarted: a new thread takes some 60 ms to start (a V8 isolate, Node's own modules), then
 * loads the runtime's modules; the main thread meanwhile loads the CLI and parses the arguments
 * (~35 ms). So `rill server run` starts the engine thread before the CLI is loaded
 * (bin/commands/server-prestart.ts, imported first by bin/compiled-cache.mjs), and the thread loads
 * what every server needs while it waits for its options. A prestarted thread that is not used
 * (`--help`, a bad option) is unreferenced: it keeps no process alive and ends with it.
 *
 * The two threads talk through a few messages:
 * - the supervisor sends `options` first, the parsed options of the command;
 * - the supervisor gets SIGINT/SIGTERM (signals only reach the main thread) and sends `stop`;
 * - the engine thread sends `stdin` when it has a `stdin` onramp: only then does the supervisor
 *   pipe the process's stdin into the worker's `process.stdin` (its end included), so a server
 *   without one never reads stdin or holds it open.
 * The worker's stdout and stderr (rill's own messages; `stdout`/`stderr` offramps write fd 1 and 2
 * themselves, connectors/descriptor-writer.ts) reach the process's through the main thread, which
 * therefore never calls process.exit() after a normal end: it sets the exit status and lets the
 * event loop finish writing what the worker wrote.
 *
 * RILL_ENGINE_THREAD=0 runs everything in the main thread, as before (debugging, comparisons).
 */
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort, resourceLimits, Worker, workerData } from 'node:worker_threads';
import { ENGINE_RESOURCE_LIMITS } from '../../engine/runtime/engine-heap.ts';

/** How the server is told to stop and given the process's stdin, whichever thread it runs in. */
export interface EngineControl {
  /** Resolves when the server should shut down cleanly. */
  stopRequested: Promise<void>;
  /** Makes `process.stdin` of the server's thread read the process's standard input. */
  connectStdin(): void;
}

/** workerData of the engine thread: which module the launcher runs in it. */
interface EngineThreadData {
  rillEngineThread: true;
  /** Read by bin/compiled-cache.mjs. */
  rillWorkerEntry: string;
  /** Read by connectors/registry.ts: this thread loads the connector kinds it needs itself (bin/commands/server.ts). */
  rillLazyConnectorKinds: true;
}

/** The engine thread's module: the bundle's entry beside this chunk, or the source beside this file. */
function engineEntry(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? './server-engine.ts' : './server-engine.cjs', import.meta.url));
}

type SupervisorMessage = { type: 'options'; options: unknown } | { type: 'stop' };
type EngineMessage = { type: 'stdin' };

const MB = 1024 * 1024;

export function isEngineThread(): boolean {
  return !isMainThread && (workerData as Partial<EngineThreadData> | undefined)?.rillEngineThread === true;
}

/** In the engine thread: the options the supervisor parsed (its first message). */
export function engineThreadOptions<Options>(): Promise<Options> {
  return new Promise((resolve) => {
    const onMessage = (message: SupervisorMessage): void => {
      if (message.type !== 'options') return;
      parentPort!.off('message', onMessage);
      resolve(message.options as Options);
    };
    parentPort!.on('message', onMessage);
  });
}

/** Whether this (main) thread should hand the server to an engine thread rather than run it. */
export function engineThreadWanted(): boolean {
  // Without a launcher path (node -e, a REPL) there is nothing for the worker to run.
  return isMainThread && process.env.RILL_ENGINE_THREAD !== '0' && process.argv[1] !== undefined;
}

/** An engine thread started before the CLI parsed the arguments, until superviseEngineThread takes it. */
let prestarted: { worker: Worker; failed: boolean } | undefined;

function startEngineWorker(): Worker {
  const data: EngineThreadData = { rillEngineThread: true, rillWorkerEntry: engineEntry(), rillLazyConnectorKinds: true };
  return new Worker(process.argv[1], {
    argv: process.argv.slice(2),
    workerData: data,
    resourceLimits: ENGINE_RESOURCE_LIMITS,
    stdin: true,
  });
}

/** Starts the engine thread now, for superviseEngineThread to take (see the top of this file). */
export function prestartEngineThread(): void {
  if (prestarted !== undefined || !engineThreadWanted()) return;
  const worker = startEngineWorker();
  worker.unref();
  const started = { worker, failed: false };
  // Until it is taken: a thread that failed or ended is replaced by a new one then, which reports why.
  const failed = (): void => {
    started.failed = true;
  };
  worker.once('error', failed);
  worker.once('exit', failed);
  prestarted = started;
}

function takeEngineWorker(): Worker {
  const taken = prestarted;
  prestarted = undefined;
  if (taken === undefined || taken.failed) return startEngineWorker();
  taken.worker.ref();
  return taken.worker;
}

/**
 * Runs the server in a worker thread (the prestarted one if there is one), given the parsed
 * `options` (structured-cloned), and resolves with its exit status once it has ended: the worker's
 * own status, or 1 if it died of an uncaught error (printed on stderr).
 */
export function superviseEngineThread<Options>(options: Options, stopRequested: Promise<void>, log: (message: string) => void): Promise<number> {
  const worker = takeEngineWorker();
  worker.postMessage({ type: 'options', options } satisfies SupervisorMessage);
  let stdinConnected = false;
  worker.on('message', (message: EngineMessage) => {
    if (message.type === 'stdin' && !stdinConnected) {
      stdinConnected = true;
      process.stdin.pipe(worker.stdin!);
    }
  });
  void stopRequested.then(() => worker.postMessage({ type: 'stop' } satisfies SupervisorMessage));
  return new Promise((resolve) => {
    let failed = false;
    worker.on('error', (error: unknown) => {
      failed = true;
      log(`the engine thread failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
    worker.on('exit', (code) => {
      if (stdinConnected) {
        // Reading stdin would otherwise keep the process alive after the server has stopped.
        process.stdin.unpipe(worker.stdin!);
        process.stdin.destroy();
      }
      resolve(failed ? 1 : code);
    });
  });
}

/** The engine thread's side: `stop` from the supervisor, and stdin asked for when needed. */
export function engineThreadControl(): EngineControl {
  const supervisor = parentPort!;
  const stopRequested = new Promise<void>((resolve) => {
    supervisor.on('message', (message: SupervisorMessage) => {
      if (message.type === 'stop') resolve();
    });
  });
  return {
    stopRequested,
    connectStdin: () => supervisor.postMessage({ type: 'stdin' } satisfies EngineMessage),
  };
}

/** For RILL_DEBUG_STARTUP=1: which thread runs the pipelines and its V8 heap limits. */
export function describeEngineHeap(): string {
  const where = isEngineThread() ? 'an engine thread' : 'the main thread';
  const young = resourceLimits.maxYoungGenerationSizeMb;
  const limits = young === undefined ? 'default V8 limits' : `maxYoungGenerationSizeMb=${young}`;
  return `the pipelines run in ${where}: ${limits}, heap_size_limit=${Math.round(getHeapStatistics().heap_size_limit / MB)} MB`;
}

/**
 * Writes the engine thread's V8 code cache if bin/compiled-cache.mjs has none yet for this bundle
 * (once; a no-op otherwise, and outside a CommonJS-bundled engine thread). Called once the server
 * has started and again as it stops: what was compiled by then is what the next start reuses.
 */
export function writeEngineCodeCache(): void {
  (globalThis as { rillWriteCodeCache?: () => void }).rillWriteCodeCache?.();
}
