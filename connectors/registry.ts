/**
 * Connector types by the name an artefact's `type:` gives (Tremor 0.11 onramp/offramp types).
 */
import type { SinkFactory, SourceFactory } from './connector.ts';
import { metronomeFactory } from './metronome.ts';
import { stdinSourceFactory } from './line-source.ts';
import { fileSourceFactory } from './file-source.ts';
import { wsSinkFactory } from './ws-sink.ts';
import { consoleSinkFactory, fileSinkFactory, stderrSinkFactory, stdoutSinkFactory } from './stream-sink.ts';
import { blackholeSinkFactory } from './blackhole.ts';

export const sourceFactories: ReadonlyMap<string, SourceFactory> = new Map(
  [metronomeFactory, fileSourceFactory, stdinSourceFactory].map((factory) => [factory.type, factory]),
);

export const sinkFactories: ReadonlyMap<string, SinkFactory> = new Map(
  [wsSinkFactory, stdoutSinkFactory, consoleSinkFactory, stderrSinkFactory, fileSinkFactory, blackholeSinkFactory].map(
    (factory) => [factory.type, factory],
  ),
);
