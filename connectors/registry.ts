/**
 * Connector types by the name an artefact's `type:` gives (Tremor 0.11 onramp/offramp types), and
 * Tremor 0.12 connector kinds by the name a troy `define connector x from <kind>` gives.
 */
import type { ConnectorFactory, SinkFactory, SourceFactory } from './connector.ts';
import { metronomeConnectorFactory, metronomeFactory } from './metronome.ts';
import { exitConnectorFactory } from './exit.ts';
import { metricsConnectorFactory } from './metrics.ts';
import { fileConnectorFactory, nullConnectorFactory, stdioConnectorFactory } from './troy-kinds.ts';
import { stdinSourceFactory } from './line-source.ts';
import { fileSourceFactory } from './file-source.ts';
import { wsSinkFactory } from './ws-sink.ts';
import { consoleSinkFactory, fileSinkFactory, stderrSinkFactory, stdoutSinkFactory } from './stream-sink.ts';
import { blackholeSinkFactory } from './blackhole.ts';
import { tcpOnrampFactory, tcpServerFactory, unixSocketServerFactory } from './net/tcp-server.ts';
import { tcpClientFactory, tcpOfframpFactory, unixSocketClientFactory } from './net/tcp-client.ts';
import { udpOnrampFactory, udpServerFactory } from './net/udp-server.ts';
import { udpClientFactory, udpOfframpFactory } from './net/udp-client.ts';
import { crononomeConnectorFactory } from './crononome.ts';
import { wsClientFactory } from './ws/ws-client.ts';
import { wsServerFactory } from './ws/ws-server.ts';
import { cbConnectorFactory } from './debug/cb.ts';
import { benchConnectorFactory } from './debug/bench.ts';
import { jetstreamConsumerFactory, jetstreamOnrampFactory } from './jetstream/consumer.ts';
import { jetstreamOfframpFactory, jetstreamProducerFactory } from './jetstream/producer.ts';
import { natsOfframpFactory, natsOnrampFactory } from './jetstream/core-nats.ts';

export const sourceFactories: ReadonlyMap<string, SourceFactory> = new Map(
  [metronomeFactory, fileSourceFactory, stdinSourceFactory, tcpOnrampFactory, udpOnrampFactory, jetstreamOnrampFactory, natsOnrampFactory].map((factory) => [factory.type, factory]),
);

export const sinkFactories: ReadonlyMap<string, SinkFactory> = new Map(
  [wsSinkFactory, stdoutSinkFactory, consoleSinkFactory, stderrSinkFactory, fileSinkFactory, blackholeSinkFactory, tcpOfframpFactory, udpOfframpFactory, jetstreamOfframpFactory, natsOfframpFactory].map(
    (factory) => [factory.type, factory],
  ),
);

/**
 * Troy connector kinds (`define connector x from <kind>`); one config builds a source half, a sink
 * half or both, sharing what they need (a listener, a connection). The `wal` kind is not here: it
 * becomes a pipeline around the `qos::wal` operator (engine/runtime/troy-plan.ts).
 */
export const connectorFactories: ReadonlyMap<string, ConnectorFactory> = new Map(
  [tcpServerFactory, tcpClientFactory, udpServerFactory, udpClientFactory, metronomeConnectorFactory, fileConnectorFactory, stdioConnectorFactory, crononomeConnectorFactory,
    wsServerFactory, wsClientFactory, unixSocketServerFactory, unixSocketClientFactory, jetstreamProducerFactory, jetstreamConsumerFactory, metricsConnectorFactory].map(
    (factory) => [factory.type, factory],
  ),
);

/** Tremor's debug connectors, registered only with `--debug-connectors` (as `tremor server run -d`). */
export const debugConnectorFactories: ReadonlyMap<string, ConnectorFactory> = new Map(
  [exitConnectorFactory, nullConnectorFactory, cbConnectorFactory, benchConnectorFactory].map((factory) => [factory.type, factory]),
);
