/**
 * Dead letters: what `qos::wal` makes of an event that failed downstream `max_attempts` times
 * (Logstash's dead-letter queue is the model).
 *
 * One dead letter is one JSON object:
 *   {"pipeline":..,"operator":..,"epoch":..,"seq":..,"attempts":n,"reason":"..","dead_lettered_at":"<ISO time>",
 *    "meta":{the event's `$`},"payload":<the event's payload>}
 * The payload is the stored record's own JSON text, copied, never serialised again: an event is
 * often poison precisely because it cannot be serialised (too deeply nested), and this text is
 * what the WAL stored. The same text is the `err` event's `dataJson`, so a JSON sink on `err`
 * writes it without serialising either.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { EventId } from '../../../engine/event-id.ts';
import type { Event } from '../../../engine/event.ts';
import { stringifyJson } from '../../../queries/values/json.ts';
import type { RecordValue } from '../../../queries/values/value.ts';
import type { DecodedRecord } from './record.ts';

export interface DeadLetter {
  pipeline: string;
  operator: string;
  epoch: string;
  seq: number;
  attempts: number;
  reason: string;
  stored: DecodedRecord;
}

export function deadLetterText(letter: DeadLetter, at = new Date()): string {
  const { stored } = letter;
  return (
    `{"pipeline":${JSON.stringify(letter.pipeline)},"operator":${JSON.stringify(letter.operator)},` +
    `"epoch":${JSON.stringify(letter.epoch)},"seq":${letter.seq},"attempts":${letter.attempts},` +
    `"reason":${JSON.stringify(letter.reason)},"dead_lettered_at":${JSON.stringify(at.toISOString())},` +
    `"meta":${jsonOrNull(stored.meta)},"payload":${stored.dataJson ?? jsonOrNull(stored.data)}}`
  );
}

/** The event the WAL emits on `err`: the dead letter as a record (payload and `$` as stored), not transactional. */
export function deadLetterEvent(letter: DeadLetter, text: string, id: EventId): Event {
  const { stored } = letter;
  const data: RecordValue = {
    pipeline: letter.pipeline,
    operator: letter.operator,
    epoch: letter.epoch,
    seq: letter.seq,
    attempts: letter.attempts,
    reason: letter.reason,
    meta: stored.meta,
    payload: stored.data,
  };
  return { id, data, dataJson: text, meta: stored.meta, ingestNs: stored.ingestNs, transactional: false, opMeta: stored.opMeta };
}

/** Appends one line and fsyncs it: the dead letter is durable before the WAL deletes the record. */
export function appendDeadLetter(path: string, text: string): void {
  const descriptor = openSync(path, 'a');
  try {
    writeSync(descriptor, text + '\n');
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** `$` or a payload that has no stored text (first-format records): serialised if it can be. */
function jsonOrNull(value: RecordValue | DecodedRecord['data']): string {
  try {
    return stringifyJson(value);
  } catch {
    return 'null';
  }
}
