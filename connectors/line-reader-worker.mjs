// The worker thread of connectors/line-reader.ts: reads a file's lines from a byte offset and, for
// a JSON codec, checks that each one parses. Why a thread: on the engine thread, reading, cutting
// and JSON.parse-ing the lines of a `file` source was a fifth of `rill server run`'s time, spent
// even when no node ever reads the payload (a WAL stores the text, a JSON sink writes it). Here it
// runs on the second core, and the engine thread gets the bytes read (handed over, not copied),
// where each line is in them, and whether each one parsed: no string of a line crosses threads,
// and a line that parsed goes on as its bytes (engine/text-event.ts), decoded by nobody.
//
// Plain JavaScript, not TypeScript: a worker's entry must load as it is, whether rill runs from its
// sources (through tsx) or from the compiled bundle (bin/compiled-cache.mjs), and it needs nothing
// of rill's own modules.
//
// Whether a line is JSON is decided on its bytes (json-text.mjs), as JSON.parse would decide on its
// text: JSON.parse built every line's value only to drop it, which was a third of this thread's time.
//
// Protocol (one request answered by one message, in order):
//   in:  { fd, offset, bytes, validateJson }   read from `offset`, about `bytes` bytes of lines
//        (without `offset`: from where the last batch read from `fd` ended, so that the engine
//        can ask for the batch after next before it has the next one)
//        (`fd`: the source's own open file: threads share the process's descriptors, so the worker
//        reads the very file the source opened and identified, even if the path is replaced)
//   out: { offset, data, starts, ends, lengths, parses, crcs, keys, atEnd } | { error }
//     offset     where in the file `data` starts
//     data       the bytes read (transferred)
//     starts[i], ends[i]  where line i is in `data`: without its newline (and a `\r` before it);
//                for a line that parses, without the JSON whitespace around the value either
//     lengths[i] its bytes in the file, newline included
//     parses[i]  1 if it is UTF-8 and JSON (what JSON.parse accepts; only with validateJson; else all 0)
//     crcs[i]    where parses[i] is 1: the CRC-32 (zlib's) of its JSON value's bytes, for a WAL's
//                record checksum (operators/qos/wal/record.ts), computed here, off the engine thread
//     keys[i]    where parses[i] is 1: the set of its top-level keys as bits (json-text.mjs
//                jsonKeySet), so that a select adding a key knows it is new without a search
//     atEnd      the file ends after the last line (a last line without a newline is a line)
//   in:  { joined, lengths, validateJson }   check chunks a stream source cut already (tcp_server):
//        `joined` holds them one after the other, `lengths[i]` is chunk i's length
//   out: { starts, ends, parses, crcs, keys }    parses[i] 1 if chunk i is UTF-8 and JSON;
//                starts[i]/ends[i] where its JSON value's text is within the chunk, crcs[i] its
//                CRC-32 and keys[i] its key set (set where parses[i] is 1)
import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { parentPort } from 'node:worker_threads';
import { jsonKeySet } from './json-text.mjs';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** Reads from `offset` until at least `bytes` bytes and a newline, or the end of the file. */
function readFrom(fd, offset, bytes) {
  let buffer = Buffer.allocUnsafe(bytes);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      // A line longer than what was asked for: read on until its newline.
      const larger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(larger, 0, 0, filled);
      buffer = larger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, offset + filled);
    if (read === 0) return { data: buffer.subarray(0, filled), atEnd: true };
    filled += read;
    if (filled >= bytes && buffer.lastIndexOf(NEWLINE, filled - 1) !== -1) return { data: buffer.subarray(0, filled), atEnd: false };
  }
}

/** Where the last batch read from each descriptor ended: a request without `offset` goes on from there. */
const nextOffsets = new Map();

function lines(request) {
  const offset = request.offset ?? nextOffsets.get(request.fd) ?? 0;
  const { data, atEnd } = readFrom(request.fd, offset, request.bytes);
  const starts = [];
  const ends = [];
  const lengths = [];
  let start = 0;
  for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
    starts.push(start);
    ends.push(newline > start && data[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline);
    lengths.push(newline + 1 - start);
    start = newline + 1;
  }
  // At the end of the file, what follows the last newline is a line too; elsewhere it is read again.
  if (atEnd && start < data.length) {
    starts.push(start);
    ends.push(data[data.length - 1] === CARRIAGE_RETURN ? data.length - 1 : data.length);
    lengths.push(data.length - start);
  }
  nextOffsets.set(request.fd, offset + (starts.length === 0 ? 0 : starts[starts.length - 1] + lengths[lengths.length - 1]));
  const batch = { offset, data, starts: Int32Array.from(starts), ends: Int32Array.from(ends), lengths: Int32Array.from(lengths), parses: new Uint8Array(starts.length), crcs: new Uint32Array(starts.length), keys: new Int32Array(starts.length), atEnd };
  // Newlines cut no UTF-8 sequence, so when the whole read is UTF-8 every line is.
  if (request.validateJson) checkJson(data, batch, isUtf8(data));
  // At the end every byte read belongs to a line: nothing is left to read again.
  return batch;
}

/** Sets `parses` (narrows `starts`/`ends` to the JSON value, and sets `crcs` and `keys`) for each span of `data` that is UTF-8 JSON. */
function checkJson(data, { starts, ends, parses, crcs, keys }, allUtf8) {
  for (let i = 0; i < starts.length; i++) {
    // Not UTF-8: the engine thread decodes it (with replacement characters) as any other line.
    if (!allUtf8 && !isUtf8(data.subarray(starts[i], ends[i]))) continue;
    // Not JSON: the engine thread decodes it and reports its own error.
    const keySet = jsonKeySet(data, starts[i], ends[i]);
    if (keySet === -1) continue;
    parses[i] = 1;
    keys[i] = keySet;
    // It is JSON, so what surrounds the value is JSON whitespace, and only that.
    let start = starts[i];
    let end = ends[i];
    while (start < end && isJsonSpace(data[start])) start++;
    while (end > start && isJsonSpace(data[end - 1])) end--;
    starts[i] = start;
    ends[i] = end;
    crcs[i] = crc32(data.subarray(start, end));
  }
}

function isJsonSpace(byte) {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function checked(request) {
  const { lengths } = request;
  // Transferred, it arrives as a plain Uint8Array.
  const joined = Buffer.from(request.joined.buffer, request.joined.byteOffset, request.joined.byteLength);
  const starts = new Int32Array(lengths.length);
  const ends = new Int32Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    starts[i] = at;
    at += lengths[i];
    ends[i] = at;
  }
  const batch = { starts, ends, parses: new Uint8Array(lengths.length), crcs: new Uint32Array(lengths.length), keys: new Int32Array(lengths.length) };
  if (request.validateJson) checkJson(joined, batch, isUtf8(joined));
  // Within each chunk, not within `joined`: the engine thread holds the chunks, not `joined`.
  let chunkStart = 0;
  for (let i = 0; i < lengths.length; i++) {
    starts[i] -= chunkStart;
    ends[i] -= chunkStart;
    chunkStart += lengths[i];
  }
  return batch;
}

parentPort.on('message', (request) => {
  try {
    if (request.joined !== undefined) {
      const batch = checked(request);
      parentPort.postMessage(batch, [batch.starts.buffer, batch.ends.buffer, batch.parses.buffer, batch.crcs.buffer, batch.keys.buffer]);
      return;
    }
    const batch = lines(request);
    parentPort.postMessage(batch, [batch.data.buffer, batch.starts.buffer, batch.ends.buffer, batch.lengths.buffer, batch.parses.buffer, batch.crcs.buffer, batch.keys.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: error.message });
  }
});
