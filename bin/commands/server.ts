/**
 * `rill server run -f FILE...`: runs Tremor 0.11 artefacts (onramp/offramp/binding/mapping YAML
 * and `.trickle` pipelines) until SIGINT or SIGTERM, like `tremor server run -f`.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EmbeddedReceivers } from '../../engine/runtime/embedded-receiver.ts';
import { describeEngineHeap, engineThreadControl, engineThreadWanted, isEngineThread, superviseEngineThread, type EngineControl } from './server-thread.ts';

interface ServerRunOptions {
  artefacts: string[];
  debugConnectors?: boolean;
  quiet?: boolean;
  dataDir?: string;
  embeddedReceiver?: boolean;
  statusInterval: string;
  pid?: string;
}

const HELP = `
Files: .trickle files define pipelines named after the file (persistent.trickle is
/pipeline/persistent); .yaml/.yml files hold \`onramp:\`/\`offramp:\` lists, \`binding:\` (links such as
"/onramp/metronome/{instance}/out": ["/pipeline/persistent/{instance}/in"]) and \`mapping:\`
(\`/binding/default/01: {instance: "01"}\` runs binding \`default\` as instance 01). See docs/connectors.md.

A configuration problem (unknown key, unknown type, a link to something no file defines) is
reported with the file, line and key, and nothing starts (exit status 1). Otherwise rill runs until
SIGINT or SIGTERM, then stops the sources, closes the pipelines (a qos::wal closes its store) and
the sinks, and exits 0. While running it prints a status line on stderr every few seconds.

The pipelines run in a worker thread whose V8 young generation may grow to 64 MB instead of 48 MB
under load (less garbage-collection time); RILL_ENGINE_THREAD=0 runs them in the main thread.

Example (the seed):
  rill server run -f examples/persistent-gd/etc/tremor/config/* --embedded-receiver --data-dir .rill-data`;

/** A second signal within this time of the first is the same request, not an insistence. */
const REPEAT_SIGNAL_GRACE_MS = 2_000;

/** How long a clean shutdown may take before the process gives up and exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

export function registerServerCommand(program: Command): void {
  const server = program.command('server').description('Run Tremor 0.11 artefacts (YAML onramps/offramps/bindings/mappings and .trickle pipelines)');
  server
    .command('run')
    .description('Load the files (troy, YAML artefacts, trickle) and run them until SIGINT or SIGTERM (or an exit connector)')
    .argument('[files...]', '.troy files (Tremor 0.12 deployments), as `tremor server run FILE...`; the -f forms may be given here too')
    .option('-f, --artefacts <files...>', 'artefact files: .yaml/.yml (onramp, offramp, binding, mapping), .trickle (pipeline named after the file), .troy')
    .option('--debug-connectors', "register Tremor's debug connectors for troy (exit, null), as `tremor server run --debug-connectors`")
    .option('-n, --no-api', 'accepted for Tremor compatibility: rill has no API server yet, so there is none to turn off')
    .option('-q, --quiet', 'do not print the periodic status line')
    .option('-d, --data-dir <dir>', 'where qos::wal operators without an explicit `dir` persist (<dir>/<pipeline>/<operator>) and file onramps keep their checkpoints (<dir>/onramp/<id>/<instance>/); default: a temporary store removed on shutdown, no checkpoints')
    .option('--embedded-receiver', 'if nothing listens on a ws offramp URL, start a WebSocket receiver there that prints each message it receives')
    .option('--status-interval <seconds>', 'seconds between status lines', '5')
    .option('-p, --pid <file>', "write the process id to this file at start (as `tremor server run -p`); removed again on a clean stop")
    .addHelpText('after', HELP)
    .action(async (files: string[], options: ServerRunOptions) => {
      options.artefacts = [...files, ...(options.artefacts ?? [])];
      if (options.artefacts.length === 0) {
        log('no files given: rill server run FILE.troy ... or rill server run -f ARTEFACT.yaml PIPELINE.trickle ... (see --help)');
        process.exitCode = 1;
        return;
      }
      if (options.pid !== undefined && !isEngineThread() && !writePidFile(options.pid)) {
        process.exitCode = 1;
        return;
      }
      if (engineThreadWanted()) {
        // The worker's output reaches stdout/stderr through this thread: no process.exit() here,
        // the process ends once that is written.
        process.exitCode = await superviseEngineThread(listenForStopSignals(), log);
        return;
      }
      const control: EngineControl = isEngineThread() ? engineThreadControl() : { stopRequested: listenForStopSignals(), connectStdin: () => {} };
      process.exitCode = await serverRun(options, control);
      // A lingering socket or stdin must not keep a stopped server alive.
      await exitWhenWritten(process.exitCode);
    });
}

/**
 * process.exit() once stdout and stderr have written everything: writes to a pipe are
 * asynchronous once the pipe is full, and process.exit() drops what is still queued (a long list
 * of configuration problems lost its end that way). In an engine thread the same wait lets the
 * main thread take all of it.
 */
async function exitWhenWritten(code: number): Promise<never> {
  // An empty write calls back once every write queued before it is done (or has failed).
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}

const log = (message: string): void => void process.stderr.write(`rill: ${message}\n`);

/** Writes this process's id to `file` and removes the file when the process exits; false (reported) if it cannot. */
function writePidFile(file: string): boolean {
  try {
    writeFileSync(file, `${process.pid}\n`);
  } catch (error) {
    log(`cannot write the pid file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return false;
  }
  process.on('exit', () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone, or replaced by another process's: nothing to clean up.
    }
  });
  return true;
}

/**
 * Resolves on the first SIGINT or SIGTERM (main thread only: signals are not delivered to worker
 * threads). A second one within REPEAT_SIGNAL_GRACE_MS is ignored, a later one exits 130 at once,
 * and a shutdown taking over SHUTDOWN_TIMEOUT_MS exits 1 (either also ends an engine thread).
 * Listening starts before anything else, so a signal during start-up still shuts down cleanly.
 */
function listenForStopSignals(): Promise<void> {
  return new Promise<void>((resolve) => {
    let stoppingSince: number | undefined;
    const onSignal = (signal: string): void => {
      if (stoppingSince !== undefined) {
        // Ctrl-C under `npm start` delivers SIGINT twice (the terminal and npm forwarding it);
        // only a signal sent later means "stop now".
        if (Date.now() - stoppingSince < REPEAT_SIGNAL_GRACE_MS) return;
        log(`${signal} again: exiting without a clean shutdown`);
        process.exit(130);
      }
      stoppingSince = Date.now();
      log(`${signal}: shutting down`);
      setTimeout(() => {
        log('shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS).unref();
      resolve();
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}

async function serverRun(options: ServerRunOptions, control: EngineControl): Promise<number> {
  // Loaded here, not at the top: the runtime, connectors, yaml and ws are only needed by this command.
  const [{ loadArtefacts }, { LoadErrors }, { Runtime }, { formatStatus }, { startEmbeddedReceivers }] = await Promise.all([
    import('../../engine/runtime/load.ts'),
    import('../../engine/runtime/config-error.ts'),
    import('../../engine/runtime/runtime.ts'),
    import('../../engine/runtime/status-line.ts'),
    import('../../engine/runtime/embedded-receiver.ts'),
  ]);
  if (process.env.RILL_DEBUG_STARTUP === '1') process.stderr.write(`rill startup: ${describeEngineHeap()}\n`);
  let plan;
  try {
    plan = loadArtefacts(options.artefacts, {
      dataDir: options.dataDir,
      warn: (message) => process.stderr.write(`${message}\n`),
      onPipelineError: (pipeline, rendered) => process.stderr.write(`${pipeline}: ${rendered}\n`),
      debugConnectors: options.debugConnectors,
    });
  } catch (error) {
    if (!(error instanceof LoadErrors)) throw error;
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    const count = error.problems.length;
    log(`${count} problem${count === 1 ? '' : 's'} in the configuration; nothing was started`);
    return 1;
  }

  if (plan.sources.some((source) => source.spec.type === 'stdin' || source.spec.type === 'stdio')) control.connectStdin();

  let receivers: EmbeddedReceivers | undefined;
  if (options.embeddedReceiver) {
    const urls = plan.sinks.filter((sink) => sink.spec.type === 'ws').map((sink) => sink.spec.config.url as string);
    try {
      receivers = await startEmbeddedReceivers(urls, (message) => process.stdout.write(`${message}\n`), log);
    } catch (error) {
      log(`cannot start the embedded receiver: ${(error as Error).message}; going on without it`);
    }
  }

  let stopFromConnector!: () => void;
  const exitRequested = new Promise<void>((resolve) => (stopFromConnector = resolve));
  let exitCode = 0;
  const runtime = new Runtime(plan, {
    log,
    onStopRequested: (_why, code) => {
      exitCode = code;
      stopFromConnector();
    },
  });
  try {
    await runtime.start();
  } catch (error) {
    // For example a WAL whose directory cannot be created or is not an LMDB store.
    log(`cannot start: ${(error as Error).message}`);
    await runtime.stop();
    await receivers?.close();
    return 1;
  }
  const statusIntervalMs = Math.max(0.5, Number(options.statusInterval) || 5) * 1000;
  const statusTimer = options.quiet ? undefined : setInterval(() => log(formatStatus(runtime.stats())), statusIntervalMs);

  await Promise.race([control.stopRequested, exitRequested]);
  if (statusTimer !== undefined) clearInterval(statusTimer);
  await runtime.stop();
  await receivers?.close();
  if (!options.quiet) log(formatStatus(runtime.stats()));
  log('stopped');
  return exitCode;
}
