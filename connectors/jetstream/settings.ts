/**
 * The config values the NATS connectors share: `hosts` (a list of `host:port`, Tremor 0.11's
 * nats onramp/offramp key) and whole numbers with a lower bound. The key specs
 * (engine/runtime/config-keys.ts) have already checked the types; these check the values and
 * name the key in the error.
 */
import { ConnectorConfigError } from '../connector.ts';
import { parseSocketUrl, addressText } from '../net/socket-address.ts';

const NATS_DEFAULT_PORT = 4222;

/** `["127.0.0.1:4222", "nats://10.0.0.2"]` -> `["127.0.0.1:4222", "10.0.0.2:4222"]` (the port defaults to 4222). */
export function parseHosts(hosts: readonly string[]): string[] {
  if (hosts.length === 0) throw new ConnectorConfigError('`hosts` must name at least one server, e.g. ["127.0.0.1:4222"]', 'hosts');
  return hosts.map((host) => {
    try {
      return addressText(parseSocketUrl(host, NATS_DEFAULT_PORT));
    } catch (error) {
      throw new ConnectorConfigError(`\`hosts\`: ${(error as Error).message.replace('`url` ', '')}`, 'hosts');
    }
  });
}

/** `config[key]` (an integer or absent) as a number of at least `minimum`, or `fallback` when absent. */
export function wholeNumber(config: Readonly<Record<string, unknown>>, key: string, fallback: number, minimum = 1): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || value < minimum) throw new ConnectorConfigError(`\`${key}\` must be at least ${minimum}, got ${String(value)}`, key);
  return value;
}

/** A NATS subject: dot-separated tokens, no spaces. `wildcards` allows `*` and `>` (filters). */
export function checkSubject(subject: string, key: string, wildcards: boolean): string {
  const tokens = subject.split('.');
  const bad = subject === '' || /\s/.test(subject) || tokens.some((token) => token === '');
  const wild = tokens.some((token) => token === '*' || token === '>');
  if (bad || (wild && !wildcards)) {
    const expected = wildcards ? 'dot-separated tokens such as "events.>" or "events.*.in"' : 'dot-separated tokens without wildcards, e.g. "events.in"';
    throw new ConnectorConfigError(`\`${key}\` ${JSON.stringify(subject)} is not a valid NATS subject: expected ${expected}`, key);
  }
  return subject;
}

/** A stream or consumer name: JetStream refuses `.`, `*`, `>`, spaces and path separators in them. */
export function checkName(name: string, key: string): string {
  if (name === '' || /[.*>\s/\\]/.test(name)) {
    throw new ConnectorConfigError(`\`${key}\` ${JSON.stringify(name)} is not a valid JetStream name: no dots, wildcards, spaces or slashes`, key);
  }
  return name;
}
