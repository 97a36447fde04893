/**
 * NATS message headers as event metadata: header name -> list of values (a header may repeat),
 * as `$jetstream.headers` and `$nats.headers` carry them.
 */
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Value } from '../../queries/values/value.ts';

export function headersRecord(headers: MsgHdrs): Record<string, Value> {
  const record: Record<string, Value> = {};
  for (const [name, values] of headers) record[name] = [...values];
  return record;
}
