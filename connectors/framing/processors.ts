/**
 * A connector's `preprocessors` / `postprocessors` lists made into what a byte-stream connector
 * runs: a splitter per stream (bytes -> chunks for the codec) and a joiner (encoded event -> bytes).
 *
 * rill implements `separate` and its Tremor 0.11 name `lines` (see separate.ts); any other name is
 * a configuration error that lists them. Several entries run in order, as Tremor's chains do.
 */
import type { RecordValue } from '../../queries/values/value.ts';
import { ConnectorConfigError, type ProcessorSpec } from '../connector.ts';
import { postSeparator, separateOptions, Separator, type SeparateOptions } from './separate.ts';

const SUPPORTED = ['separate', 'lines'];

/** Splits one stream into chunks; `finish` at its end. */
export interface StreamSplitter {
  process(data: Buffer): Buffer[];
  finish(): Buffer[];
}

export interface Framing {
  /** A splitter for one new stream (connection); `report` hears about discarded lines. */
  splitter(report: (message: string) => void): StreamSplitter;
  /** An encoded event as the bytes to write. */
  frame(encoded: string): Buffer;
}

/** The lists as given; `undefined` (not given to the factory) means `fallback`. */
export function buildFraming(pre: readonly ProcessorSpec[] | undefined, post: readonly ProcessorSpec[] | undefined, fallback: readonly ProcessorSpec[]): Framing {
  const splitters = (pre ?? fallback).map((spec) => {
    const { name, config } = entry(spec, 'preprocessors');
    return separateOptions(name, config);
  });
  const separators = (post ?? fallback).map((spec) => {
    const { name, config } = entry(spec, 'postprocessors');
    return postSeparator(name, config);
  });
  return {
    splitter: (report) => chain(splitters, report),
    frame: (encoded) => {
      const body = Buffer.from(encoded, 'utf8');
      return separators.length === 0 ? body : Buffer.concat([body, Buffer.from(separators)]);
    },
  };
}

function entry(spec: ProcessorSpec, list: string): { name: string; config: RecordValue } {
  const { name, config } = typeof spec === 'string' ? { name: spec, config: {} } : { name: spec.name, config: spec.config ?? {} };
  if (!SUPPORTED.includes(name)) {
    throw new ConnectorConfigError(`${list}: "${name}" is not supported by rill (supported: ${SUPPORTED.join(', ')})`, list);
  }
  return { name, config };
}

/** Each stage splits what the previous one emitted; no stage = every read is one chunk. */
function chain(options: SeparateOptions[], report: (message: string) => void): StreamSplitter {
  const stages = options.map((option) => new Separator(option, report));
  return {
    process: (data) => stages.reduce<Buffer[]>((chunks, stage) => chunks.flatMap((chunk) => stage.process(chunk)), [data]),
    // A stage's last line goes through the later stages before they finish too.
    finish: () => stages.reduce<Buffer[]>((chunks, stage) => [...chunks.flatMap((chunk) => stage.process(chunk)), ...stage.finish()], []),
  };
}
