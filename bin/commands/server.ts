/**
 * `rill server run -f FILE...`: runs Tremor 0.11 artefacts (onramp/offramp/binding/mapping YAML
 * and `.trickle` pipelines) until SIGINT or SIGTERM, like `tremor server run -f`.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import manifest from '../../package.json' with { type: 'json' };
import { LOG_FORMATS, ServerLog, type LogFormat } from './server-log.ts';
import type { EmbeddedReceivers } from '../../engine/runtime/embedded-receiver.ts';
import type { ApiServer } from '../../engine/api/api-server.ts';
import type { Runtime } from '../../engine/runtime/runtime.ts';
import type { RuntimePlan } from '../../engine/runtime/load.ts';
import { describeEngineHeap, engineThreadControl, engineThreadOptions, engineThreadWanted, superviseEngineThread, writeEngineCodeCache, type EngineControl } from './server-thread.ts';

interface ServerRunOptions {
  artefacts: string[];
  debugConnectors?: boolean;
  quiet?: boolean;
  dataDir?: string;
  embeddedReceiver?: boolean;
  statusInterval: string;
  pid?: string;
  logFormat: string;
  /** `--api HOST:PORT`; false with `-n`; undefined: no API. */
  api?: string | false;
}

const HELP = `
Files: .trickle files define pipelines named after the file (persistent.trickle is
/pipeline/persistent); .yaml/.yml files hold \`onramp:\`/\`offramp:\` lists, \`binding:\` (links such as
"/onramp/metronome/{instance}/out": ["/pipeline/persistent/{instance}/in"]) and \`mapping:\`
(\`/binding/default/01: {instance: "01"}\` runs binding \`default\` as instance 01). See docs/connectors.md.

A configuration problem (unknown key, unknown type, a link to something no file defines) is
reported with the file, line and key, and nothing starts (exit status 1). Otherwise rill runs until
SIGINT or SIGTERM, then stops the sources, closes the pipelines (a qos::wal closes its store) and
the sinks, and exits 0. While running it prints a status line on stderr when a figure changed
(checked every --status-interval seconds); --log-format json writes every line as a JSON object.

With --api 127.0.0.1:9898 it serves Tremor 0.12's API (GET /v1/status, /v1/flows,
/v1/flows/<flow>/connectors), GET /health (200 once every flow runs, 503 otherwise) and GET /metrics
(Prometheus text: events per connector and pipeline port, WAL stored/in flight/acked/redelivered,
commit latency; see docs/api.md).

The pipelines run in a worker thread whose V8 young generation may grow to 64 MB instead of 48 MB
under load (less garbage-collection time); RILL_ENGINE_THREAD=0 runs them in the main thread.

Example (the seed):
  rill server run -f examples/persistent-gd/etc/tremor/config/* --embedded-receiver --data-dir .rill-data`;

/** A second signal within this time of the first is the same request, not an insistence. */
const REPEAT_SIGNAL_GRACE_MS = 2_000;

/** How long after the start the engine thread's code cache is written (bin/commands/server-thread.ts). */
const CODE_CACHE_AFTER_MS = 500;

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
    .option('--api <host:port>', "serve the HTTP API (Tremor's /v1/status, /v1/flows, and /health, /metrics) at HOST:PORT, e.g. 127.0.0.1:9898")
    .option('-n, --no-api', 'no HTTP API (as `tremor server run -n`; wins over --api)')
    .option('-q, --quiet', 'do not print the status line')
    .option('-d, --data-dir <dir>', 'where qos::wal operators without an explicit `dir` persist (<dir>/<pipeline>/<operator>) and file onramps keep their checkpoints (<dir>/onramp/<id>/<instance>/); default: a temporary store removed on shutdown, no checkpoints')
    .option('--embedded-receiver', 'if nothing listens on a ws offramp URL, start a WebSocket receiver there that prints each message it receives')
    .option('--status-interval <seconds>', 'seconds between checks of the status line: it is written when a figure changed', '5')
    .option('--log-format <format>', `how stderr is written: ${LOG_FORMATS.join(' or ')} (one JSON object per line: time, level, message; the status under "status")`, 'text')
    .option('-p, --pid <file>', "write the process id to this file at start (as `tremor server run -p`); removed again on a clean stop")
    .addHelpText('after', HELP)
    .action(async (files: string[], options: ServerRunOptions) => {
      if (!(LOG_FORMATS as readonly string[]).includes(options.logFormat)) {
        log(`--log-format must be ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(options.logFormat)}`);
        process.exitCode = 1;
        return;
      }
      serverLog = new ServerLog(options.logFormat as LogFormat);
      // `-n` wins over `--api` whichever comes first (commander keeps the last of the two).
      if (process.argv.includes('-n') || process.argv.includes('--no-api')) options.api = false;
      options.artefacts = [...files, ...(options.artefacts ?? [])];
      if (options.artefacts.length === 0) {
        log('no files given: rill server run FILE.troy ... or rill server run -f ARTEFACT.yaml PIPELINE.trickle ... (see --help)');
        process.exitCode = 1;
        return;
      }
      if (options.pid !== undefined && !writePidFile(options.pid)) {
        process.exitCode = 1;
        return;
      }
      if (engineThreadWanted()) {
        // The worker's output reaches stdout/stderr through this thread: no process.exit() here,
        // the process ends once that is written.
        process.exitCode = await superviseEngineThread(options, listenForStopSignals(), log);
        return;
      }
      await runServer(options, { stopRequested: listenForStopSignals(), connectStdin: () => {} });
    });
}

/** The engine thread's side (bin/commands/server-engine.ts): the server, with the options the main thread parsed. */
export async function runServerInEngineThread(): Promise<void> {
  const control = engineThreadControl();
  const options = engineThreadOptions<ServerRunOptions>();
  // While the supervisor parses the arguments (the thread may be prestarted, server-thread.ts):
  // what every server loads, and the line reader's thread, whose start (a V8 isolate of its own,
  // ~60 ms) was the last thing a `file` source's first event waited for.
  void serverModules().catch(() => {});
  void import('../../connectors/line-reader.ts').then(({ prestartLineReaderThread }) => prestartLineReaderThread());
  const parsed = await options;
  serverLog = new ServerLog(parsed.logFormat as LogFormat);
  await runServer(parsed, control);
}

async function runServer(options: ServerRunOptions, control: EngineControl): Promise<never> {
  process.exitCode = await serverRun(options, control);
  // A lingering socket or stdin must not keep a stopped server alive.
  return exitWhenWritten(process.exitCode);
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

/** Set from --log-format once the options are parsed; text until then. */
let serverLog = new ServerLog('text');
const log = (message: string): void => serverLog.info(message);

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
    // A signal that came while rill was starting (bin/rill.mjs kept it): acted on now.
    const early = globalThis as { rillEarlyStopSignal?: string; rillForgetEarlyStopSignals?: () => void };
    early.rillForgetEarlyStopSignals?.();
    if (early.rillEarlyStopSignal !== undefined) onSignal(early.rillEarlyStopSignal);
  });
}

/** The modules a server needs, loaded once (here, not at the top: only this command needs them). */
let loadingServerModules: ReturnType<typeof loadServerModules> | undefined;

function serverModules(): ReturnType<typeof loadServerModules> {
  return (loadingServerModules ??= loadServerModules());
}

function loadServerModules() {
  return Promise.all([
    import('../../engine/runtime/load.ts'),
    import('../../engine/runtime/config-error.ts'),
    import('../../engine/runtime/runtime.ts'),
    import('../../engine/runtime/status-line.ts'),
    import('../../connectors/registry.ts'),
    import('../../connectors/line-reader.ts'),
  ]);
}

async function serverRun(options: ServerRunOptions, control: EngineControl): Promise<number> {
  const [{ loadArtefacts }, { LoadErrors }, { Runtime }, { formatStatus }, { ConnectorKindsNotLoaded, lazyConnectorKindsNamedIn, loadConnectorKinds }, { releaseUnclaimedLineReaderThread }] =
    await serverModules();
  if (process.env.RILL_DEBUG_STARTUP === '1') process.stderr.write(`rill startup: ${describeEngineHeap()}\n`);
  // In the engine thread only the connector kinds the files name are loaded (connectors/registry.ts).
  await loadConnectorKinds(options.artefacts.flatMap((file) => lazyConnectorKindsNamedIn(readTextOrEmpty(file))));
  let plan;
  // Warnings are held until the files are loaded: a load stopped for a connector kind not loaded
  // (one the files name only through YAML escapes or a troy module) is done again once it is.
  const warnings: string[] = [];
  try {
    for (;;) {
      warnings.length = 0;
      try {
        plan = loadArtefacts(options.artefacts, {
          dataDir: options.dataDir,
          warn: (message) => warnings.push(message),
          onPipelineError: (pipeline, rendered) => serverLog.error(`${pipeline}: ${rendered}`),
          debugConnectors: options.debugConnectors,
        });
        break;
      } catch (error) {
        if (!(error instanceof ConnectorKindsNotLoaded)) throw error;
        await loadConnectorKinds(error.kinds);
      }
    }
  } catch (error) {
    if (!(error instanceof LoadErrors)) throw error;
    for (const warning of warnings) serverLog.warn(warning);
    for (const problem of error.problems) serverLog.error(problem);
    const count = error.problems.length;
    log(`${count} problem${count === 1 ? '' : 's'} in the configuration; nothing was started`);
    return 1;
  }
  for (const warning of warnings) serverLog.warn(warning);

  if (plan.sources.some((source) => source.spec.type === 'stdin' || source.spec.type === 'stdio')) control.connectStdin();

  let receivers: EmbeddedReceivers | undefined;
  if (options.embeddedReceiver) {
    const urls = plan.sinks.filter((sink) => sink.spec.type === 'ws').map((sink) => sink.spec.config.url as string);
    try {
      // Imported only here: it loads ws.
      const { startEmbeddedReceivers } = await import('../../engine/runtime/embedded-receiver.ts');
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
  let api: ApiServer | undefined;
  if (typeof options.api === 'string') {
    // Before the runtime starts, so that /health answers 503 (initializing) until it has.
    try {
      api = await startApi(options.api, runtime, plan);
      log(`API at http://${api.address.family === 'IPv6' ? `[${api.address.address}]` : api.address.address}:${api.address.port}`);
    } catch (error) {
      log(`cannot serve the API at ${options.api}: ${(error as Error).message}; nothing was started`);
      await receivers?.close();
      return 1;
    }
  }
  try {
    await runtime.start();
  } catch (error) {
    // For example a WAL whose directory cannot be created or is not an LMDB store.
    log(`cannot start: ${(error as Error).message}`);
    await runtime.stop();
    await receivers?.close();
    await api?.close();
    return 1;
  }
  // A line reader thread started ahead (runServerInEngineThread) that no source took: its memory back.
  releaseUnclaimedLineReaderThread();
  // Once the first events have likely passed (their path compiled too), or at the stop if sooner.
  setTimeout(writeEngineCodeCache, CODE_CACHE_AFTER_MS).unref();
  // The pid is what `kill` needs: under `npm start` it is not npm's own.
  log(`running (pid ${process.pid}); Ctrl-C or kill -TERM ${process.pid} stops it cleanly`);
  const statusIntervalMs = Math.max(0.5, Number(options.statusInterval) || 5) * 1000;
  const writeStatus = (force: boolean): void => {
    const stats = runtime.stats();
    serverLog.status(stats, formatStatus(stats), force);
  };
  // Checked every interval, written only when something changed.
  const statusTimer = options.quiet ? undefined : setInterval(() => writeStatus(false), statusIntervalMs);

  await Promise.race([control.stopRequested, exitRequested]);
  writeEngineCodeCache();
  if (statusTimer !== undefined) clearInterval(statusTimer);
  await runtime.stop();
  await receivers?.close();
  await api?.close();
  if (!options.quiet) writeStatus(true);
  log('stopped');
  return exitCode;
}

/** A file's text for lazyConnectorKindsNamedIn; a file that cannot be read is reported by loadArtefacts. */
function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Starts the HTTP API (engine/api/) over a runtime and the plan it runs. */
async function startApi(address: string, runtime: Runtime, plan: RuntimePlan): Promise<ApiServer> {
  const [{ parseApiAddress, startApiServer }, { instanceName }] = await Promise.all([import('../../engine/api/api-server.ts'), import('../../engine/runtime/endpoint.ts')]);
  const parsed = parseApiAddress(address);
  if (parsed === undefined) throw new Error('not HOST:PORT (e.g. 127.0.0.1:9898)');
  return startApiServer(parsed.host, parsed.port, {
    stats: () => runtime.stats(),
    phase: () => runtime.phase,
    links: plan.links.map((link) => ({ from: { name: instanceName(link.from), port: link.from.port }, to: { name: instanceName(link.to), port: link.to.port } })),
    version: manifest.version,
  });
}
