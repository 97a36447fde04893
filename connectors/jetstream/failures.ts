/**
 * What a failed JetStream request means for a connector: either JetStream cannot be reached right
 * now (a timeout, no responders, the connection closed, a cluster without a stream leader), which
 * is an outage the connector waits out with its circuit open, or the server refused this request
 * (a message too big, a stream that does not capture the subject), which fails the one event.
 */
import { errors } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';

/** JetStream's error codes for a missing stream and a missing consumer. */
export const STREAM_NOT_FOUND = 10059;
export const CONSUMER_NOT_FOUND = 10014;

/** A problem the user has to fix (a missing stream, a consumer of the wrong kind); the connector asks again meanwhile. */
export class SetupError extends Error {}

/** Whether the request failed because JetStream is out of reach, not because of what was sent. */
export function isOutage(error: unknown): boolean {
  if (error instanceof errors.TimeoutError || error instanceof errors.ClosedConnectionError || error instanceof errors.NoRespondersError) return true;
  if (error instanceof errors.RequestError && error.isNoResponders()) return true;
  // The client's name for "no responders" on a publish (nothing answers on the subject).
  if (error instanceof Error && error.name === 'JetStreamNotEnabled') return true;
  return error instanceof JetStreamApiError && error.status === 503;
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND;
}

export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND;
}

/** The reason a user reads: the client's "jetstream is not enabled" for no responders says too little. */
export function describeFailure(error: unknown, subject: string): string {
  if (error instanceof errors.TimeoutError) return 'timed out waiting for the PubAck';
  if ((error instanceof Error && error.name === 'JetStreamNotEnabled') || error instanceof errors.NoRespondersError) {
    return `no responders on "${subject}": no stream captures the subject, or JetStream is not enabled on the server`;
  }
  return error instanceof Error ? error.message : String(error);
}
