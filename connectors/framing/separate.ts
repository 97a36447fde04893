/**
 * The `separate` preprocessor and postprocessor (Tremor 0.12; `lines` is its Tremor 0.11 name):
 * a byte stream split into chunks at a one-byte separator, and chunks joined with it.
 *
 * Preprocessor config: `separator` (one byte, default `"\n"`), `max_length` (bytes, 0 =
 * unlimited, the default; `lines` is limited to 1 MiB as in Tremor 0.11) and `buffered` (default
 * true).
 * - Buffered: a trailing piece without separator waits for the next bytes of the same stream (one
 *   splitter per connection); the end of the stream emits it.
 * - Unbuffered: every chunk is split on its own and its last piece is emitted as it is (an empty
 *   one too when the chunk ends with the separator), as Tremor does.
 * - Empty lines are emitted as empty chunks, as Tremor does (a `json` codec then reports them).
 * - A line longer than `max_length` is discarded and reported, never kept whole: while it is
 *   still arriving, its bytes are skipped up to the next separator, so memory stays bounded by
 *   `max_length` per stream. Tremor drops such a complete line silently and, when it was
 *   buffered, fails the whole chunk it came in (losing the good lines next to it); rill reports
 *   every over-long line and keeps the other lines of the chunk.
 *
 * Postprocessor config: `separator` only; it appends the separator to every encoded chunk.
 */
import type { RecordValue } from '../../queries/values/value.ts';
import { ConnectorConfigError } from '../connector.ts';

/** Tremor 0.11's `lines` preprocessor limit (`Lines::new('\n', 1_048_576, true)`). */
export const LINES_MAX_LENGTH = 1_048_576;

export interface SeparateOptions {
  separator: number;
  /** 0 = unlimited. */
  maxLength: number;
  buffered: boolean;
}

/** Splits one stream; `report` hears about each discarded over-long line. */
export class Separator {
  /** Pieces of the line still arriving (buffered mode), in order. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Skipping the rest of an over-long line up to the next separator. */
  private skipping = false;

  constructor(
    private readonly options: SeparateOptions,
    private readonly report: (message: string) => void,
  ) {}

  /** The complete chunks in `data`, in order. */
  process(data: Buffer): Buffer[] {
    const { separator, buffered } = this.options;
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = data.indexOf(separator, start); end !== -1; end = data.indexOf(separator, start)) {
      this.completeLine(data.subarray(start, end), lines);
      start = end + 1;
    }
    const rest = data.subarray(start);
    if (!buffered) this.completeLine(rest, lines);
    else if (rest.length > 0) this.keepFragment(rest);
    return lines;
  }

  /** The end of the stream: a buffered last line without separator is complete now. */
  finish(): Buffer[] {
    const lines: Buffer[] = [];
    if (this.pendingLength > 0) this.completeLine(Buffer.alloc(0), lines);
    this.skipping = false;
    return lines;
  }

  private completeLine(tail: Buffer, lines: Buffer[]): void {
    if (this.skipping) {
      // The over-long line ends here; it was reported when it crossed the limit.
      this.skipping = false;
      return;
    }
    const length = this.pendingLength + tail.length;
    const line = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail], length);
    this.pending = [];
    this.pendingLength = 0;
    const { maxLength } = this.options;
    if (maxLength > 0 && length > maxLength) {
      this.report(`discarded a line of ${length} bytes: longer than max_length ${maxLength}`);
      return;
    }
    lines.push(line);
  }

  private keepFragment(fragment: Buffer): void {
    if (this.skipping) return;
    const length = this.pendingLength + fragment.length;
    const { maxLength } = this.options;
    if (maxLength > 0 && length > maxLength) {
      this.report(`discarding a line longer than max_length ${maxLength} (${length} bytes without a separator so far); skipping to the next separator`);
      this.pending = [];
      this.pendingLength = 0;
      this.skipping = true;
      return;
    }
    // Copied: the caller's buffer may be reused for the next read.
    this.pending.push(Buffer.from(fragment));
    this.pendingLength = length;
  }
}

/** Reads `separate`'s config (or `lines`, which takes none and has a 1 MiB limit). */
export function separateOptions(name: string, config: RecordValue): SeparateOptions {
  const known = name === 'lines' ? [] : ['separator', 'max_length', 'buffered'];
  checkKeys(name, config, known);
  const maxLength = config.max_length ?? (name === 'lines' ? LINES_MAX_LENGTH : 0);
  if (typeof maxLength !== 'number' || !Number.isSafeInteger(maxLength) || maxLength < 0) {
    throw new ConnectorConfigError(`preprocessor "${name}": \`max_length\` must be a whole number of bytes (0 = unlimited), got ${JSON.stringify(maxLength)}`, 'max_length');
  }
  const buffered = config.buffered ?? true;
  if (typeof buffered !== 'boolean') throw new ConnectorConfigError(`preprocessor "${name}": \`buffered\` must be true or false, got ${JSON.stringify(buffered)}`, 'buffered');
  return { separator: separatorByte(name, config), maxLength, buffered };
}

/** The postprocessor's separator byte. */
export function postSeparator(name: string, config: RecordValue): number {
  checkKeys(name, config, name === 'lines' ? [] : ['separator']);
  return separatorByte(name, config);
}

function separatorByte(name: string, config: RecordValue): number {
  const separator = config.separator ?? '\n';
  const bytes = typeof separator === 'string' ? Buffer.from(separator, 'utf8') : undefined;
  if (bytes === undefined || bytes.length !== 1) {
    // Tremor's wording.
    throw new ConnectorConfigError(`${name}: Invalid 'separator': ${JSON.stringify(separator)}, must be 1 byte.`, 'separator');
  }
  return bytes[0];
}

function checkKeys(name: string, config: RecordValue, known: string[]): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      const expected = known.length === 0 ? 'it takes no config' : `expected ${known.join(', ')}`;
      throw new ConnectorConfigError(`${name}: unknown config key "${key}" (${expected})`, key);
    }
  }
}
