/**
 * The Tremor 0.12 troy kinds of connectors rill already had as 0.11 onramps/offramps, with their
 * 0.12 config keys, mapped onto the same source and sink classes (one implementation per
 * connector, two front ends):
 * - `file`: `path` and `mode` (`read` -> the transactional file source, events with
 *   `$file = {"path": ...}`; `write`/`truncate` ->
 *   a sink on a truncated file; `append` and `overwrite` -> a sink appending, as Tremor reopens
 *   in append mode after a reconnect anyway). `chunk_size` is accepted (rill reads 64 KiB chunks).
 * - `stdio`: source = stdin lines, sink = stdout for the ports `in` and `stdout`, stderr for
 *   `stderr` (`sinkForPort`). `tremor::connectors::console` is `stdio` with the string codec.
 * - `null`: a sink that acks everything (the blackhole).
 */
import { BlackholeSink } from './blackhole.ts';
import type { ConnectorFactory, ConnectorParts, ConnectorSettings, Sink } from './connector.ts';
import { ConnectorConfigError } from './connector.ts';
import { DescriptorWriter } from './descriptor-writer.ts';
import { createFileSource } from './file-source.ts';
import { stdinSourceFactory } from './line-source.ts';
import { openFileStream, StreamSink } from './stream-sink.ts';

const FILE_MODES = ['read', 'write', 'truncate', 'append', 'overwrite'] as const;

export const fileConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'file',
  configKeys: {
    path: { type: 'string', required: true },
    mode: { type: 'string', required: true },
    chunk_size: { type: 'integer' },
    checkpoint: { type: 'string' },
    max_in_flight: { type: 'integer' },
  },
  codec: 'required',
  create(settings): ConnectorParts {
    const { path, mode } = settings.config as { path: string; mode: string };
    if (!(FILE_MODES as readonly string[]).includes(mode)) {
      throw new ConnectorConfigError(`\`mode\` must be one of ${FILE_MODES.join(', ')}, got ${JSON.stringify(mode)}`, 'mode');
    }
    if (mode === 'read') {
      const { chunk_size: _chunkSize, path: source, mode: _mode, ...rest } = settings.config;
      return { source: createFileSource({ ...settings, config: { ...rest, source } }, true) };
    }
    const flags = mode === 'write' || mode === 'truncate' ? 'w' : 'a';
    return { sink: new StreamSink(() => openFileStream(path, flags), settings.codec, '') };
  },
};

/** The stdio sink for one port: `stderr` writes fd 2, `in` and `stdout` fd 1. */
export function stdioSinkForPort(settings: ConnectorSettings, port: string): Sink {
  const fd = port === 'stderr' ? 2 : 1;
  return new StreamSink(new DescriptorWriter(fd, { name: port === 'stderr' ? 'stderr' : 'stdout' }), settings.codec, '');
}

export const stdioConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'stdio',
  configKeys: {},
  codec: 'required',
  create(settings): ConnectorParts {
    return { source: stdinSourceFactory.create({ ...settings, config: {} }), sink: stdioSinkForPort(settings, 'in') };
  },
};

export const nullConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'null',
  configKeys: {},
  codec: 'structured',
  create: () => ({ sink: new BlackholeSink() }),
};
