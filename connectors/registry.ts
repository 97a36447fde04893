/**
 * Connector types by the name an artefact's `type:` gives (Tremor 0.11 onramp/offramp types), and
 * Tremor 0.12 connector kinds by the name a troy `define connector x from <kind>` gives.
 *
 * Lazy kinds: the connectors built on large dependencies (ws, @nats-io's clients, croner) are
 * imported only when wanted: loading them all took ~30 ms of every `rill server run` start, on the
 * path to its first event, whatever the flow used. Their names are listed here (in their places,
 * so that messages list every kind in the same order), their modules imported by
 * `loadConnectorKinds`. Everywhere but in `rill server run`'s engine thread every kind is loaded
 * as this module is imported, as before, so `loadArtefacts` finds them all. In that thread
 * (`workerData.rillLazyConnectorKinds`, bin/commands/server-thread.ts) the server loads the kinds
 * its files name before loading them (bin/commands/server.ts); `get` of a kind that is not loaded
 * then throws ConnectorKindsNotLoaded (before anything was created: engine/runtime/load.ts checks
 * a troy deployment's kinds first), and the server loads it and reads the files again.
 */
import { isMainThread, workerData } from 'node:worker_threads';

declare global {
  /** Defined as `true` when bundled for the engine thread (bin/compiled-cache.mjs); undefined otherwise. */
  var rillEngineBundle: boolean | undefined;
}
import type { ConnectorFactory, SinkFactory, SourceFactory } from './connector.ts';
import { metronomeConnectorFactory, metronomeFactory } from './metronome.ts';
import { exitConnectorFactory } from './exit.ts';
import { metricsConnectorFactory } from './metrics.ts';
import { fileConnectorFactory, nullConnectorFactory, stdioConnectorFactory } from './troy-kinds.ts';
import { stdinSourceFactory } from './line-source.ts';
import { fileSourceFactory } from './file-source.ts';
import { consoleSinkFactory, fileSinkFactory, stderrSinkFactory, stdoutSinkFactory } from './stream-sink.ts';
import { blackholeSinkFactory } from './blackhole.ts';
import { tcpOnrampFactory, tcpServerFactory, unixSocketServerFactory } from './net/tcp-server.ts';
import { tcpClientFactory, tcpOfframpFactory, unixSocketClientFactory } from './net/tcp-client.ts';
import { udpOnrampFactory, udpServerFactory } from './net/udp-server.ts';
import { udpClientFactory, udpOfframpFactory } from './net/udp-client.ts';
import { cbConnectorFactory } from './debug/cb.ts';
import { benchConnectorFactory } from './debug/bench.ts';

type AnyFactory = SourceFactory | SinkFactory | ConnectorFactory;

/** A module of lazy kinds: the factories it exports are registered by their `kind` and `type`. */
interface LazyModule {
  load: () => Promise<Record<string, unknown>>;
  loaded?: Promise<void>;
}

const wsSink: LazyModule = { load: () => import('./ws-sink.ts') };
const wsClient: LazyModule = { load: () => import('./ws/ws-client.ts') };
const wsServer: LazyModule = { load: () => import('./ws/ws-server.ts') };
const crononome: LazyModule = { load: () => import('./crononome.ts') };
const jetstreamConsumer: LazyModule = { load: () => import('./jetstream/consumer.ts') };
const jetstreamProducer: LazyModule = { load: () => import('./jetstream/producer.ts') };
const coreNats: LazyModule = { load: () => import('./jetstream/core-nats.ts') };

/** Thrown by `get` of a lazy kind not loaded yet (only in the server's engine thread). */
export class ConnectorKindsNotLoaded extends Error {
  constructor(readonly kinds: string[]) {
    super(`connector kinds not loaded: ${kinds.join(', ')}`);
  }
}

/** Kinds by name, in a fixed order, each a factory or the lazy module that registers it. */
export class ConnectorKinds<F extends AnyFactory> {
  private readonly entries: Map<string, F | LazyModule>;

  constructor(entries: [string, F | LazyModule][]) {
    this.entries = new Map(entries);
  }

  get(type: string): F | undefined {
    const entry = this.entries.get(type);
    if (entry !== undefined && 'load' in entry) throw new ConnectorKindsNotLoaded([type]);
    return entry;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** The lazy module of `type` if it is a kind not loaded yet. */
  unloaded(type: string): LazyModule | undefined {
    const entry = this.entries.get(type);
    return entry !== undefined && 'load' in entry ? entry : undefined;
  }

  register(factory: AnyFactory): void {
    if (this.unloaded(factory.type) !== undefined) this.entries.set(factory.type, factory as F);
  }
}

const named = <F extends AnyFactory>(factory: F): [string, F] => [factory.type, factory];

export const sourceFactories = new ConnectorKinds<SourceFactory>([
  named(metronomeFactory), named(fileSourceFactory), named(stdinSourceFactory), named(tcpOnrampFactory), named(udpOnrampFactory),
  ['jetstream', jetstreamConsumer], ['nats', coreNats],
]);

export const sinkFactories = new ConnectorKinds<SinkFactory>([
  ['ws', wsSink], named(stdoutSinkFactory), named(consoleSinkFactory), named(stderrSinkFactory), named(fileSinkFactory), named(blackholeSinkFactory),
  named(tcpOfframpFactory), named(udpOfframpFactory), ['jetstream', jetstreamProducer], ['nats', coreNats],
]);

/**
 * Troy connector kinds (`define connector x from <kind>`); one config builds a source half, a sink
 * half or both, sharing what they need (a listener, a connection). The `wal` kind is not here: it
 * becomes a pipeline around the `qos::wal` operator (engine/runtime/troy-plan.ts).
 */
export const connectorFactories = new ConnectorKinds<ConnectorFactory>([
  named(tcpServerFactory), named(tcpClientFactory), named(udpServerFactory), named(udpClientFactory), named(metronomeConnectorFactory), named(fileConnectorFactory),
  named(stdioConnectorFactory), ['crononome', crononome], ['ws_server', wsServer], ['ws_client', wsClient], named(unixSocketServerFactory), named(unixSocketClientFactory),
  ['jetstream_producer', jetstreamProducer], ['jetstream_consumer', jetstreamConsumer], named(metricsConnectorFactory),
]);

/** Tremor's debug connectors, registered only with `--debug-connectors` (as `tremor server run -d`). */
export const debugConnectorFactories = new ConnectorKinds<ConnectorFactory>([
  named(exitConnectorFactory), named(nullConnectorFactory), named(cbConnectorFactory), named(benchConnectorFactory),
]);

const ALL_KINDS = [sourceFactories, sinkFactories, connectorFactories];

function loadModule(module: LazyModule): Promise<void> {
  module.loaded ??= module.load().then((exports) => {
    for (const value of Object.values(exports)) {
      const factory = value as Partial<AnyFactory> | null;
      if (typeof factory !== 'object' || factory === null || typeof factory.type !== 'string') continue;
      if (factory.kind === 'source') sourceFactories.register(factory as SourceFactory);
      else if (factory.kind === 'sink') sinkFactories.register(factory as SinkFactory);
      else if (factory.kind === 'connector') connectorFactories.register(factory as ConnectorFactory);
    }
  });
  return module.loaded;
}

/** Loads the lazy kinds among `kinds` (names of onramp/offramp types or troy kinds); the others need nothing. */
export async function loadConnectorKinds(kinds: Iterable<string>): Promise<void> {
  const modules = new Set<LazyModule>();
  for (const kind of kinds) {
    for (const factories of ALL_KINDS) {
      const module = factories.unloaded(kind);
      if (module !== undefined) modules.add(module);
    }
  }
  await Promise.all([...modules].map(loadModule));
}

/** Throws ConnectorKindsNotLoaded if any of these troy kinds is a lazy one not loaded yet. */
export function requireConnectorKinds(kinds: Iterable<string>): void {
  const missing = [...new Set(kinds)].filter((kind) => connectorFactories.unloaded(kind) !== undefined);
  if (missing.length > 0) throw new ConnectorKindsNotLoaded(missing);
}

/** The lazy kinds a text names as a whole word (a YAML `type: ws`, a troy `from ws_client`). */
export function lazyConnectorKindsNamedIn(text: string): string[] {
  const names = new Set<string>();
  for (const factories of ALL_KINDS) for (const kind of factories.keys()) if (factories.unloaded(kind) !== undefined) names.add(kind);
  return [...names].filter((kind) => new RegExp(`(?<![A-Za-z0-9_])${kind}(?![A-Za-z0-9_])`).test(text));
}

// Outside the server's engine thread every kind is there from the start, as before.
// `globalThis.rillEngineBundle` is `true` at build time in the engine thread's CommonJS bundle
// (bin/compiled-cache.mjs): that bundle runs only in the engine thread, and the constant lets the
// bundler drop this top-level await, which CommonJS cannot have.
if (globalThis.rillEngineBundle !== true && (isMainThread || (workerData as { rillLazyConnectorKinds?: boolean } | undefined)?.rillLazyConnectorKinds !== true)) {
  await loadConnectorKinds(ALL_KINDS.flatMap((factories) => [...factories.keys()]));
}
