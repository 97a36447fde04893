// The worker thread of connectors/line-reader.ts: reads a file's lines from a byte offset and, for
// a JSON codec, checks that each one parses. Why a thread: on the engine thread, reading, cutting
// and JSON.parse-ing the lines of a `file` source was a fifth of `rill server run`'s time, spent
// even when no node ever reads the payload (a WAL stores the text, a JSON sink writes it). Here it
// runs on the second core, and the engine thread gets the lines' text and whether each parsed.
//
// Plain JavaScript, not TypeScript: a worker's entry must load as it is, whether rill runs from its
// sources (through tsx) or from the compiled bundle (bin/compiled-cache.mjs), and it needs nothing
// of rill's own modules.
//
// Protocol (one request answered by one message, in order):
//   in:  { fd, offset, bytes, validateJson }   read from `offset`, about `bytes` bytes of lines
//        (`fd`: the source's own open file: threads share the process's descriptors, so the worker
//        reads the very file the source opened and identified, even if the path is replaced)
//   out: { texts, lengths, parses, atEnd } | { error }
//     texts[i]   line i without its newline (and without a `\r` before it), UTF-8 decoded
//     lengths[i] its bytes in the file, newline included
//     parses[i]  1 if JSON.parse accepts it (only with validateJson; else all 0)
//     atEnd      the file ends after the last line (a last line without a newline is a line)
//   in:  { joined, lengths, validateJson }   check chunks a stream source cut already (tcp_server):
//        `joined` holds them one after the other, `lengths[i]` is chunk i's length
//   out: { texts, parses }          texts[i] chunk i as UTF-8 text, or null where it is not UTF-8
import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

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

function lines(request) {
  const { data, atEnd } = readFrom(request.fd, request.offset, request.bytes);
  const texts = [];
  const lengths = [];
  let start = 0;
  for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
    const end = newline > start && data[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    texts.push(data.toString('utf8', start, end));
    lengths.push(newline + 1 - start);
    start = newline + 1;
  }
  // At the end of the file, what follows the last newline is a line too; elsewhere it is read again.
  const lastLine = atEnd && start < data.length;
  if (lastLine) {
    const end = data[data.length - 1] === CARRIAGE_RETURN ? data.length - 1 : data.length;
    texts.push(data.toString('utf8', start, end));
    lengths.push(data.length - start);
  }
  const parses = new Uint8Array(texts.length);
  if (request.validateJson) {
    for (let i = 0; i < texts.length; i++) {
      try {
        JSON.parse(texts[i]);
        parses[i] = 1;
      } catch {
        // The engine thread decodes it and reports its own error.
      }
    }
  }
  // At the end every byte read belongs to a line: nothing is left to read again.
  return { texts, lengths: Int32Array.from(lengths), parses, atEnd };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function checked(request) {
  const { joined, lengths } = request;
  const texts = [];
  const parses = new Uint8Array(lengths.length);
  let start = 0;
  for (let i = 0; i < lengths.length; i++) {
    const chunk = joined.subarray(start, start + lengths[i]);
    start += lengths[i];
    let text = null;
    try {
      text = utf8.decode(chunk);
      if (request.validateJson) {
        JSON.parse(text);
        parses[i] = 1;
      }
    } catch {
      // Not UTF-8 or not JSON: the engine thread decodes it and reports its own error.
    }
    texts.push(text);
  }
  return { texts, parses };
}

parentPort.on('message', (request) => {
  try {
    if (request.joined !== undefined) {
      const batch = checked(request);
      parentPort.postMessage(batch, [batch.parses.buffer]);
      return;
    }
    const batch = lines(request);
    parentPort.postMessage(batch, [batch.lengths.buffer, batch.parses.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: error.message });
  }
});
