/**
 * Makes sure the stream a producer appends to exists and captures its subject: with `create`, a
 * missing stream is created (file storage, the server's default 2-minute duplicate window, the
 * configured replicas); an existing stream is used as it is, never changed, since other
 * producers and consumers depend on its configuration.
 *
 * Answering at all is also the producer's test that JetStream is available again after an
 * outage: a stream info request is answered by the stream's leader.
 */
import { StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { isStreamNotFound, SetupError } from './failures.ts';

export interface StreamTarget {
  stream: string;
  subject: string;
  create: boolean;
  replicas: number;
}

/** Resolves with what was done (`created ...`) or undefined when the stream was already fine; throws SetupError or the client's error. */
export async function ensureStream(manager: JetStreamManager, target: StreamTarget): Promise<string | undefined> {
  try {
    const info = await manager.streams.info(target.stream);
    const subjects = info.config.subjects ?? [];
    if (!subjects.some((filter) => subjectMatches(filter, target.subject))) {
      throw new SetupError(`stream "${target.stream}" does not capture the subject "${target.subject}" (its subjects: ${subjects.map((s) => JSON.stringify(s)).join(', ') || 'none'})`);
    }
    return undefined;
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
  }
  if (!target.create) throw new SetupError(`stream "${target.stream}" does not exist (create = false): create it, or leave \`create\` at its default, true`);
  await manager.streams.add({ name: target.stream, subjects: [target.subject], storage: StorageType.File, num_replicas: target.replicas });
  return `created stream "${target.stream}" for "${target.subject}" (file storage, ${target.replicas} replica${target.replicas === 1 ? '' : 's'})`;
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const filterTokens = filter.split('.');
  const subjectTokens = subject.split('.');
  for (let index = 0; index < filterTokens.length; index++) {
    const token = filterTokens[index];
    if (token === '>') return subjectTokens.length > index;
    if (index >= subjectTokens.length) return false;
    if (token !== '*' && token !== subjectTokens[index]) return false;
  }
  return filterTokens.length === subjectTokens.length;
}
