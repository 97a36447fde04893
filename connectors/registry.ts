/**
 * Connector types by the name an artefact's `type:` gives (Tremor 0.11 onramp/offramp types), and
 * Tremor 0.12 connector kinds by the name a troy `define connector x from <kind>` gives.
 */
import type { ConnectorFactory, SinkFactory, SourceFactory } from './connector.ts';
import { metronomeFactory } from './metronome.ts';
import { stdinSourceFactory } from './line-source.ts';
import { fileSourceFactory } from './file-source.ts';
import { wsSinkFactory } from './ws-sink.ts';
import { consoleSinkFactory, fileSinkFactory, stderrSinkFactory, stdoutSinkFactory } from './stream-sink.ts';
import { blackholeSinkFactory } from './blackhole.ts';
import { tcpOnrampFactory, tcpServerFactory } from './net/tcp-server.ts';
import { tcpClientFactory, tcpOfframpFactory } from './net/tcp-client.ts';
import { udpOnrampFactory, udpServerFactory } from './net/udp-server.ts';
import { udpClientFactory, udpOfframpFactory } from './net/udp-client.ts';

export const sourceFactories: ReadonlyMap<string, SourceFactory> = new Map(
  [metronomeFactory, fileSourceFactory, stdinSourceFactory, tcpOnrampFactory, udpOnrampFactory].map((factory) => [factory.type, factory]),
);

export const sinkFactories: ReadonlyMap<string, SinkFactory> = new Map(
  [wsSinkFactory, stdoutSinkFactory, consoleSinkFactory, stderrSinkFactory, fileSinkFactory, blackholeSinkFactory, tcpOfframpFactory, udpOfframpFactory].map(
    (factory) => [factory.type, factory],
  ),
);

/** Troy connector kinds whose halves share one resource (a listener, a connection). */
export const connectorFactories: ReadonlyMap<string, ConnectorFactory> = new Map(
  [tcpServerFactory, tcpClientFactory, udpServerFactory, udpClientFactory].map((factory) => [factory.type, factory]),
);
